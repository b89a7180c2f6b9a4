import { describe, expect, it } from 'vitest';
import { fitsTarget, readEvent } from './event-dialect.ts';
import { probeVerdict, type ProbeContext } from './probe-verdict.ts';
import type { ProbeObservation } from './target-probe.ts';

const KEY = 'test-key-not-real';
const ctx = (over: Partial<ProbeContext> = {}): ProbeContext => ({
  target: 'dify-workflow',
  method: 'POST',
  shownUrl: 'http://dify.local/v1/workflows/run',
  shownBaseUrl: 'http://dify.local/v1',
  endpoint: '/workflows/run',
  endpointSet: false,
  apiKey: '',
  timeoutMs: 10_000,
  ...over,
});
const response = (status: number, contentType: string, excerpt = '', location = ''): ProbeObservation => ({ kind: 'response', status, contentType, location, excerpt, firstEvent: null, stop: 'end' });
const event = (data: string, name = ''): ProbeObservation => ({ kind: 'response', status: 200, contentType: 'text/event-stream; charset=utf-8', location: '', excerpt: '', firstEvent: { name, data }, stop: 'event' });

function problem(o: ProbeObservation, c: ProbeContext = ctx()): { problem: string; fix: string } {
  const v = probeVerdict(o, c);
  if (v.ok) throw new Error(`expected a failure, got: ${v.note}`);
  return v;
}

describe('readEvent: which API an event comes from', () => {
  it.each([
    ['{"event":"workflow_started","data":{}}', 'dify', null],
    ['{"event": "text_chunk","data":{"text":"a"}}', 'dify-workflow', null],
    ['{"event":"message","answer":"a"}', 'dify-chat', null],
    ['{"event":"agent_message","answer":"a"}', 'dify-chat', null],
    ['{"event":"error","status":400,"code":"provider_not_initialize","message":"No valid model provider"}', 'dify', 'provider_not_initialize: No valid model provider'],
    ['{"id":"c","object":"chat.completion.chunk","choices":[{"delta":{"role":"assistant"}}]}', 'openai-chat', null],
    ['{"choices":[]}', 'openai-chat', null],
    ['[DONE]', 'openai-chat', null],
    ['{"error":{"message":"model not found","type":"invalid_request_error","code":"model_not_found"}}', 'openai-chat', 'model_not_found: model not found'],
    ['{"seq":1}', null, null],
    ['hello', null, null],
  ])('%s → %s', (data, dialect, error) => {
    expect(readEvent(data)).toMatchObject({ dialect, error });
  });

  it('fits each TARGET: a chatflow (workflow_started) fits dify-chat too; generic takes anything', () => {
    expect(fitsTarget('dify', 'dify-chat')).toBe(true);
    expect(fitsTarget('dify-chat', 'dify-workflow')).toBe(false);
    expect(fitsTarget('dify-workflow', 'dify-chat')).toBe(false);
    expect(fitsTarget('openai-chat', 'dify-workflow')).toBe(false);
    expect(fitsTarget(null, 'generic')).toBe(true);
  });
});

describe('probeVerdict', () => {
  it('passes an event that fits TARGET, saying one probe request was sent', () => {
    expect(probeVerdict(event('{"event":"workflow_started"}'), ctx())).toEqual({
      ok: true,
      note: 'one probe request sent (POST http://dify.local/v1/workflows/run): HTTP 200 text/event-stream, first event "workflow_started", as TARGET=dify-workflow reads it',
    });
    const generic = probeVerdict(event('{"seq":0}', 'tick'), ctx({ target: 'generic', method: 'GET', shownUrl: 'http://s.local/sse' }));
    expect(generic).toEqual({ ok: true, note: 'one probe request sent (GET http://s.local/sse): HTTP 200 text/event-stream, first event "tick", as TARGET=generic reads it' });
  });

  it('passes a stream whose first event is slower than the deadline, and says so', () => {
    const slow: ProbeObservation = { kind: 'response', status: 200, contentType: 'text/event-stream', location: '', excerpt: '', firstEvent: null, stop: 'deadline' };
    const v = probeVerdict(slow, ctx());
    expect(v.ok && v.note).toBe('one probe request sent (POST http://dify.local/v1/workflows/run): HTTP 200 text/event-stream, no event within 10 s (a slow first event; the run waits up to STREAM_TIMEOUT)');
  });

  it('401 without a key: the server wants one', () => {
    const v = problem(response(401, 'application/json', '{"code": "unauthorized", "message": "Access token is invalid", "status": 401}'));
    expect(v.problem).toBe(
      'the server wants a key: POST http://dify.local/v1/workflows/run answered HTTP 401: "{\\"code\\": \\"unauthorized\\", \\"message\\": \\"Access token is invalid\\", \\"status\\": 401}", and API_KEY (or DIFY_API_KEY) is not set',
    );
    expect(v.fix).toBe('export API_KEY=<the key> (Dify: the app\'s "API Access" key; OpenAI-compatible: the bearer token), or leave BASE_URL unset to run against the embedded mock server');
  });

  it('403 with a key: the key is refused, and the key never shows', () => {
    const v = problem(response(403, 'application/json', `{"message":"bad key ${KEY}"}`), ctx({ apiKey: KEY }));
    expect(v.problem).toBe('the server refused the API key: POST http://dify.local/v1/workflows/run answered HTTP 403: "{\\"message\\":\\"bad key [REDACTED]\\"}"');
    expect(v.fix).toMatch(/^check API_KEY/);
  });

  it('404: the URL called and the TARGET/ENDPOINT that built it', () => {
    const byDefault = problem(response(404, 'text/html', '<h1>Not Found</h1>'));
    expect(byDefault.problem).toBe(
      'POST http://dify.local/v1/workflows/run answered HTTP 404 (not found): "<h1>Not Found</h1>"; that URL is BASE_URL=http://dify.local/v1 + ENDPOINT /workflows/run, the default of TARGET=dify-workflow',
    );
    expect(byDefault.fix).toBe(
      'check BASE_URL and TARGET (or ENDPOINT): the defaults are dify-workflow /v1/workflows/run, dify-chat /v1/chat-messages, openai-chat /v1/chat/completions; a Dify BASE_URL is https://<host>/v1 or https://<host>',
    );
    const set = problem(response(404, ''), ctx({ endpoint: '/api/run', endpointSet: true, shownUrl: 'http://dify.local/v1/api/run' }));
    expect(set.problem).toBe('POST http://dify.local/v1/api/run answered HTTP 404 (not found); that URL is BASE_URL=http://dify.local/v1 + ENDPOINT=/api/run');
  });

  it('2xx that is not an event stream: the content type and the first 200 bytes', () => {
    const long = `{"answer":"${'x'.repeat(300)}"}`;
    const v = problem(response(200, 'application/json', long.slice(0, 200)));
    expect(v.problem).toBe(`POST http://dify.local/v1/workflows/run answered HTTP 200 with Content-Type application/json, not text/event-stream: ${JSON.stringify(long.slice(0, 200))}`);
    expect(problem(response(204, '')).problem).toBe('POST http://dify.local/v1/workflows/run answered HTTP 204 with (no Content-Type), not text/event-stream and an empty body');
  });

  it('an event of another API: "this looks like <other target>"', () => {
    const chat = problem(event('{"event":"message","answer":"Hi"}'));
    expect(chat.problem).toBe('the first event does not fit TARGET=dify-workflow: this looks like dify-chat ("{\\"event\\":\\"message\\",\\"answer\\":\\"Hi\\"}")');
    expect(chat.fix).toBe('set TARGET=dify-chat (and check ENDPOINT), or TARGET=generic to read any event stream');
    const dify = problem(event('{"event":"workflow_started"}'), ctx({ target: 'openai-chat' }));
    expect(dify.problem).toMatch(/^the first event does not fit TARGET=openai-chat: this looks like dify-workflow or dify-chat /);
    expect(dify.fix).toMatch(/^set TARGET=dify-workflow /);
    expect(problem(event('{"choices":[]}')).problem).toMatch(/this looks like openai-chat/);
    expect(problem(event('plain text')).problem).toBe('the first event is not a dify-workflow event: "plain text"');
  });

  it('a server error event as the first event', () => {
    const v = problem(event('{"event":"error","status":400,"code":"provider_not_initialize","message":"No valid model provider credentials found."}'));
    expect(v.problem).toBe(
      "the server's first event is an error: provider_not_initialize: No valid model provider credentials found. (POST http://dify.local/v1/workflows/run, HTTP 200 text/event-stream)",
    );
  });

  it('a stream that ends before any event', () => {
    const empty: ProbeObservation = { kind: 'response', status: 200, contentType: 'text/event-stream', location: '', excerpt: '', firstEvent: null, stop: 'end' };
    expect(problem(empty).problem).toBe('POST http://dify.local/v1/workflows/run answered HTTP 200 text/event-stream, but the stream ended before its first event');
  });

  it('other statuses: 5xx, 4xx, redirects', () => {
    expect(problem(response(502, 'text/plain', 'Bad Gateway')).problem).toBe('POST http://dify.local/v1/workflows/run answered HTTP 502: "Bad Gateway"');
    expect(problem(response(400, 'application/json', '{"code":"app_unavailable"}')).fix).toMatch(/TARGET=dify-workflow matches the app/);
    expect(problem(response(301, 'text/html', '', 'https://dify.local/v1/workflows/run')).problem).toBe(
      'POST http://dify.local/v1/workflows/run answered HTTP 301 (a redirect to https://dify.local/v1/workflows/run)',
    );
  });

  it('network failures: refused, DNS, TLS, no response', () => {
    expect(problem({ kind: 'network', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5204' }).problem).toBe(
      'the connection to http://dify.local was refused (connect ECONNREFUSED 127.0.0.1:5204)',
    );
    expect(problem({ kind: 'network', code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND dify.local' }).problem).toBe('the host dify.local was not found (getaddrinfo ENOTFOUND dify.local)');
    const tls = problem({ kind: 'network', code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', message: 'unable to verify the first certificate' });
    expect(tls.problem).toBe('TLS with dify.local failed: unable to verify the first certificate (UNABLE_TO_VERIFY_LEAF_SIGNATURE)');
    expect(tls.fix).toMatch(/SSL_CERT_FILE=<CA bundle>.*--insecure-skip-tls-verify/);
    expect(problem({ kind: 'no-response', afterMs: 10_000 }).problem).toBe('POST http://dify.local/v1/workflows/run: no response within 10 s');
  });
});
