/**
 * What the preflight's one probe request (target-probe.ts) means for the run: a one-line
 * note when the target answers as TARGET expects, else the problem and its fix — the
 * server wants a key (401/403), the URL and how it was built (404), what came instead of an
 * event stream, an event of another API ("this looks like dify-chat"), a server error event,
 * or why no response came (refused, DNS, TLS…). Pure: observation in, verdict out; the API
 * key never appears (excerpts are scrubbed of it).
 */
import type { TargetName } from '../../lib/init/config.ts';
import { TARGET_DEFAULTS, TARGET_NAMES } from '../../lib/env-vars.ts';
import { scrubText } from '../../lib/report/redact.ts';
import { fitsTarget, readEvent, suggestedTarget } from './event-dialect.ts';
import { isEventStreamType, type ProbeObservation } from './target-probe.ts';

export interface ProbeContext {
  readonly target: TargetName;
  readonly method: string;
  /** The URL called, secrets redacted. */
  readonly shownUrl: string;
  /** BASE_URL and ENDPOINT as configured (redacted), and whether ENDPOINT was set. */
  readonly shownBaseUrl: string;
  readonly endpoint: string;
  readonly endpointSet: boolean;
  readonly apiKey: string;
  readonly timeoutMs: number;
}

export type ProbeVerdict = { readonly ok: true; readonly note: string } | { readonly ok: false; readonly problem: string; readonly fix: string };

export const MOCK_HINT = 'leave BASE_URL unset to run against the embedded mock server';

const TLS_CODE = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_OSSL|HANDSHAKE/i;

/** A network failure of the TLS handshake (certificate, protocol), by Node's code or message. */
export function isTlsFailure(code: string, message: string): boolean {
  return TLS_CODE.test(code) || TLS_CODE.test(message);
}

/** A body excerpt on one line, in quotes, without the key. */
function quote(text: string, apiKey: string, max = 200): string {
  const one = scrubText(text, apiKey).replace(/\s+/g, ' ').trim();
  return JSON.stringify(one.length > max ? `${one.slice(0, max)}…` : one);
}

function fail(problem: string, fix: string): ProbeVerdict {
  return { ok: false, problem, fix };
}

function defaultEndpoints(): string {
  return TARGET_NAMES.filter((t) => TARGET_DEFAULTS[t].endpoint !== '')
    .map((t) => `${t} ${TARGET_DEFAULTS[t].endpoint}`)
    .join(', ');
}

function networkVerdict(code: string, message: string, c: ProbeContext): ProbeVerdict {
  const { host, origin } = new URL(c.shownUrl);
  if (isTlsFailure(code, message)) {
    return fail(
      `TLS with ${host} failed: ${message} (${code})`,
      'if the server\'s certificate comes from a private CA, add that CA to the system trust store or set SSL_CERT_FILE=<CA bundle> (k6 reads it, and so does this check); ' +
        'or skip verification: npm run bench -- -- --insecure-skip-tls-verify (this check then skips it too)',
    );
  }
  if (code === 'ECONNREFUSED') return fail(`the connection to ${origin} was refused (${message})`, `start the server or fix BASE_URL, or ${MOCK_HINT}`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return fail(`the host ${host} was not found (${message})`, 'fix the host name in BASE_URL (or the DNS of this machine)');
  return fail(`the connection to ${origin} failed: ${message} (${code})`, `check that the server at ${origin} is up and reachable from this machine, or fix BASE_URL`);
}

function statusVerdict(o: Extract<ProbeObservation, { kind: 'response' }>, c: ProbeContext): ProbeVerdict {
  const call = `${c.method} ${c.shownUrl} answered HTTP ${o.status}`;
  const body = o.excerpt.trim() === '' ? '' : `: ${quote(o.excerpt, c.apiKey)}`;
  if (o.status === 401 || o.status === 403) {
    if (c.apiKey === '') {
      return fail(
        `the server wants a key: ${call}${body}, and API_KEY (or DIFY_API_KEY) is not set`,
        'export API_KEY=<the key> (Dify: the app\'s "API Access" key; OpenAI-compatible: the bearer token), or ' + MOCK_HINT,
      );
    }
    return fail(`the server refused the API key: ${call}${body}`, 'check API_KEY: it must be the key of the app BASE_URL and ENDPOINT reach (Dify: that app\'s "API Access" key)');
  }
  if (o.status === 404) {
    const how = c.endpointSet ? `ENDPOINT=${c.endpoint}` : `ENDPOINT ${c.endpoint}, the default of TARGET=${c.target}`;
    return fail(
      `${call} (not found)${body}; that URL is BASE_URL=${c.shownBaseUrl} + ${how}`,
      `check BASE_URL and TARGET (or ENDPOINT): the defaults are ${defaultEndpoints()}; a Dify BASE_URL is https://<host>/v1 or https://<host>`,
    );
  }
  if (o.status >= 300 && o.status < 400) {
    return fail(`${call} (a redirect${o.location !== '' ? ` to ${scrubText(o.location, c.apiKey)}` : ''})`, 'set BASE_URL to the address it redirects to');
  }
  if (o.status >= 500) return fail(`${call}${body}`, 'the server failed on the request the run would send: check its logs');
  return fail(`${call}${body}`, `the server rejected the request the run would send (its message above says why); check TARGET=${c.target} matches the app (Dify: workflow app → dify-workflow, chat/chatflow app → dify-chat)`);
}

function streamVerdict(o: Extract<ProbeObservation, { kind: 'response' }>, c: ProbeContext, sent: string): ProbeVerdict {
  const head = `HTTP ${o.status} text/event-stream`;
  const event = o.firstEvent;
  if (event === null) {
    if (o.stop === 'deadline') return { ok: true, note: `${sent}: ${head}, no event within ${c.timeoutMs / 1000} s (a slow first event; the run waits up to STREAM_TIMEOUT)` };
    return fail(`${c.method} ${c.shownUrl} answered ${head}, but the stream ended before its first event`, 'check the server\'s logs: it closes the stream without sending anything');
  }
  const reading = readEvent(event.data);
  const shown = quote(event.data, c.apiKey);
  if (reading.error !== null) {
    return fail(
      `the server's first event is an error: ${scrubText(reading.error, c.apiKey)} (${c.method} ${c.shownUrl}, ${head})`,
      'fix what the message says on the server (Dify: the app\'s model provider, its quota, the app\'s input variables); every stream of the run would fail with server_error_event',
    );
  }
  if (fitsTarget(reading.dialect, c.target)) {
    const what = reading.type !== '' ? `"${reading.type}"` : event.name !== '' ? `"${event.name}"` : shown;
    return { ok: true, note: `${sent}: ${head}, first event ${what}, as TARGET=${c.target} reads it` };
  }
  if (reading.dialect !== null) {
    const other = suggestedTarget(reading.dialect);
    return fail(`the first event does not fit TARGET=${c.target}: this looks like ${other} (${shown})`, `set TARGET=${other.split(' ')[0]} (and check ENDPOINT), or TARGET=generic to read any event stream`);
  }
  return fail(`the first event is not a ${c.target} event: ${shown}`, 'check TARGET and ENDPOINT; TARGET=generic reads any event stream');
}

/** The verdict on one probe's observation (not for a refused default BASE_URL: the preflight starts the mock then). */
export function probeVerdict(o: ProbeObservation, c: ProbeContext): ProbeVerdict {
  const sent = `one probe request sent (${c.method} ${c.shownUrl})`;
  switch (o.kind) {
    case 'network':
      return networkVerdict(o.code, o.message, c);
    case 'no-response':
      return fail(`${c.method} ${c.shownUrl}: no response within ${c.timeoutMs / 1000} s`, 'check that the server is up and not overloaded, and that BASE_URL points at it');
    case 'response':
      if (o.status < 200 || o.status >= 300) return statusVerdict(o, c);
      if (!isEventStreamType(o.contentType)) {
        const type = o.contentType === '' ? '(no Content-Type)' : `Content-Type ${o.contentType}`;
        const body = o.excerpt.trim() === '' ? ' and an empty body' : `: ${quote(o.excerpt, c.apiKey)}`;
        return fail(
          `${c.method} ${c.shownUrl} answered HTTP ${o.status} with ${type}, not text/event-stream${body}`,
          `check that this URL streams (TARGET=${c.target} sends ${c.target === 'generic' ? 'METHOD and BODY as set' : 'a streaming request'}) and that TARGET and ENDPOINT match the server`,
        );
      }
      return streamVerdict(o, c, sent);
  }
}
