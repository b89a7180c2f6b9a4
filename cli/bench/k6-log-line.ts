/**
 * Reads one line of k6's log (what k6 writes to stderr) back into its fields, so the bench CLI
 * can pick the failure lines of lib/vu/failure-log.ts out of k6's output while passing every line on.
 *
 * k6 logs with logrus. Without a terminal on stderr (the CLI reads it through a pipe) a line is
 * logfmt, values with spaces or quotes double-quoted and escaped as Go's strconv.Quote does:
 *   time="2026-11-27T11:00:01Z" level=warning msg="sse-bench failure error_type=http_4xx: status 401: {\"code\": \"unauthorized\"}" source=console
 * With `--log-format=json` a line is a JSON object: {"level":"warning","msg":"…","source":"console","time":"…"}.
 *
 * Hand-written rather than the npm `logfmt` parser: that one splits a quoted value at its `=`
 * (every failure message has `error_type=`) and reads `\n` as `n`; Go's escapes need decoding.
 * Pure: no I/O.
 */
import { FAILURE_LOG_PREFIX, parseFailureLogMessage, type FailureLogEntry } from '../../lib/vu/failure-log.ts';
import { isRecord } from '../../lib/report/summary-data.ts';

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, '"': 34, "'": 39 };

const utf8 = new TextEncoder();

/**
 * The text of a Go double-quoted string literal without its quotes (`strconv.Unquote`):
 * `\n`, `\"`, `\\`, `\xHH` and octal `\NNN` (bytes, joined as UTF-8), `\uHHHH`, `\UHHHHHHHH`.
 * Returns null for a malformed escape.
 */
export function unquoteGo(body: string): string | null {
  if (!body.includes('\\')) return body;
  const bytes: number[] = [];
  const pushText = (text: string): void => {
    for (const b of utf8.encode(text)) bytes.push(b);
  };
  let i = 0;
  while (i < body.length) {
    const slash = body.indexOf('\\', i);
    if (slash < 0) {
      pushText(body.slice(i));
      break;
    }
    pushText(body.slice(i, slash));
    const c = body[slash + 1];
    if (c === undefined) return null;
    const simple = SIMPLE_ESCAPES[c];
    if (simple !== undefined) {
      bytes.push(simple);
      i = slash + 2;
      continue;
    }
    const hex = (len: number): number | null => {
      const digits = body.slice(slash + 2, slash + 2 + len);
      return digits.length === len && /^[0-9a-fA-F]+$/.test(digits) ? parseInt(digits, 16) : null;
    };
    if (c === 'x') {
      const v = hex(2);
      if (v === null) return null;
      bytes.push(v);
      i = slash + 4;
    } else if (c === 'u' || c === 'U') {
      const len = c === 'u' ? 4 : 8;
      const v = hex(len);
      if (v === null || v > 0x10ffff) return null;
      pushText(String.fromCodePoint(v));
      i = slash + 2 + len;
    } else if (c >= '0' && c <= '7') {
      const digits = body.slice(slash + 1, slash + 4);
      if (!/^[0-7]{3}$/.test(digits)) return null;
      const v = parseInt(digits, 8);
      if (v > 255) return null;
      bytes.push(v);
      i = slash + 4;
    } else {
      return null;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The key=value pairs of a logfmt line; null when the line is not logfmt (or a quote is unterminated). */
export function parseLogfmt(line: string): Record<string, string> | null {
  const fields: Record<string, string> = {};
  let i = 0;
  const n = line.length;
  let any = false;
  while (i < n) {
    while (i < n && line[i] === ' ') i++;
    if (i >= n) break;
    const keyStart = i;
    while (i < n && line[i] !== '=' && line[i] !== ' ') i++;
    const key = line.slice(keyStart, i);
    if (key === '' || line[i] !== '=') return null;
    i++; // '='
    let value: string;
    if (line[i] === '"') {
      let j = i + 1;
      while (j < n && line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
      if (j >= n) return null;
      const unquoted = unquoteGo(line.slice(i + 1, j));
      if (unquoted === null) return null;
      value = unquoted;
      i = j + 1;
    } else {
      const start = i;
      while (i < n && line[i] !== ' ') i++;
      value = line.slice(start, i);
    }
    fields[key] = value;
    any = true;
  }
  return any ? fields : null;
}

export interface K6LogRecord {
  readonly level: string;
  readonly msg: string;
  /** Every field of the line, `level` and `msg` included, as strings. */
  readonly fields: Readonly<Record<string, string>>;
}

/** One k6 log line (logfmt or JSON) as level, message and fields; null for any other text. */
export function parseK6LogLine(line: string): K6LogRecord | null {
  const text = line.trim();
  let fields: Record<string, string> | null = null;
  if (text.startsWith('{')) {
    try {
      const value: unknown = JSON.parse(text);
      if (isRecord(value)) fields = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
    } catch {
      fields = null;
    }
  } else {
    fields = parseLogfmt(text);
  }
  if (!fields || typeof fields['msg'] !== 'string' || typeof fields['level'] !== 'string') return null;
  return { level: fields['level'], msg: fields['msg'], fields };
}

/** The failure a k6 log line reports (lib/vu/failure-log.ts), or null; cheap for every other line. */
export function failureFromLogLine(line: string): FailureLogEntry | null {
  if (!line.includes(FAILURE_LOG_PREFIX)) return null;
  const record = parseK6LogLine(line);
  return record ? parseFailureLogMessage(record.msg) : null;
}
