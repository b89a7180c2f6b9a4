import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { failureFromLogLine, parseK6LogLine, parseLogfmt, unquoteGo } from './k6-log-line.ts';

/** k6's log as it reaches the bench CLI through a pipe: logfmt, and JSON lines of --log-format=json. */
const recorded = readFileSync(new URL('../fixtures/k6-stderr.txt', import.meta.url), 'utf8').split('\n').filter((l) => l !== '');

describe('unquoteGo (strconv.Unquote without the quotes)', () => {
  it('decodes every escape Go writes', () => {
    expect(unquoteGo('plain')).toBe('plain');
    expect(unquoteGo('a\\"b\\\\c')).toBe('a"b\\c');
    expect(unquoteGo('\\a\\b\\f\\n\\r\\t\\v\\\'')).toBe("\x07\b\f\n\r\t\v'");
    expect(unquoteGo('caf\\u00e9 \\U0001F600')).toBe('café 😀');
    expect(unquoteGo('\\xe2\\x9c\\x97 and \\342\\234\\227')).toBe('✗ and ✗'); // bytes join as UTF-8
  });

  it('rejects malformed escapes', () => {
    for (const bad of ['end\\', '\\q', '\\x4', '\\u12', '\\U00110000', '\\777', '\\08']) expect(unquoteGo(bad), bad).toBeNull();
  });
});

describe('parseLogfmt', () => {
  it('splits key=value pairs, quoted values unescaped, `=` inside quotes kept', () => {
    expect(parseLogfmt('time="2026-11-27T11:00:01Z" level=warning msg="a=b \\"c\\"" source=console')).toEqual({
      time: '2026-11-27T11:00:01Z',
      level: 'warning',
      msg: 'a=b "c"',
      source: 'console',
    });
    expect(parseLogfmt('k=  x=1')).toEqual({ k: '', x: '1' });
  });

  it('returns null for text that is not logfmt', () => {
    for (const text of ['running (0m03.0s), 2/2 VUs', 'msg="unterminated', 'msg="bad \\q"', '', '=x']) expect(parseLogfmt(text), text).toBeNull();
  });
});

describe('parseK6LogLine', () => {
  it('reads level, message and fields of logfmt and JSON lines', () => {
    expect(parseK6LogLine(recorded[0]!)).toEqual({
      level: 'info',
      msg: 'sse-bench: target dify-workflow, 2 VUs',
      fields: { time: '2026-11-27T11:00:00Z', level: 'info', msg: 'sse-bench: target dify-workflow, 2 VUs', source: 'console' },
    });
    expect(parseK6LogLine(recorded[8]!)?.fields['source']).toBe('console');
    expect(parseK6LogLine('{"level":"info","msg":"x","n":3}')?.fields['n']).toBe('3');
  });

  it('ignores progress lines, JSON without msg/level and broken JSON', () => {
    for (const text of [recorded[7]!, '{"msg":"no level"}', '{"level":', '[1,2]']) expect(parseK6LogLine(text), text).toBeNull();
  });
});

describe('failureFromLogLine on a recorded k6 log', () => {
  it('finds each failure line with its reason and nothing else', () => {
    const found = recorded.map(failureFromLogLine).filter((e) => e !== null);
    expect(found).toEqual([
      { errorType: 'http_4xx', reason: 'status 401: {"code": "unauthorized", "message": "Access token is invalid", "status": 401}' },
      {
        errorType: 'connection_error',
        reason: 'Post "https://dify.example.com/v1/workflows/run": tls: failed to verify certificate: x509: certificate signed by unknown authority',
      },
      { errorType: 'server_error_event', reason: '{"event": "error", "message": "Nodes échoués ✗", "code": "completion_request_error"}' },
      { errorType: 'protocol_error', reason: 'unexpected EOF' },
      {
        errorType: 'timeout',
        reason: 'Post "http://127.0.0.1:5001/v1/workflows/run": context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
      },
      { errorType: 'http_4xx', reason: 'status 401: {"code": "unauthorized", "message": "Access token is invalid", "status": 401}' },
    ]);
  });
});
