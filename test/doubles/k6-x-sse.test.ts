/** The k6/x/sse double behaves as docs/xk6-sse-behaviour.md says the real extension does. */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import sse from 'k6/x/sse';
import { endRun, startRun, T0 } from '../k6-harness.ts';
import { requests, setServer, type ServerScript } from './k6-x-sse.ts';
import { runtime } from './runtime.ts';

type Seen = [string, unknown, number][];

/** Opens one stream on `script`, recording handler calls with their virtual times. */
function open(script: ServerScript, params: Record<string, unknown> | null = {}, onEvent?: (client: { close(): void }, seen: Seen) => void) {
  setServer(() => script);
  const seen: Seen = [];
  let setupCalled = false;
  const res = sse.open('http://127.0.0.1:9/sse', params as never, (client) => {
    setupCalled = true;
    client.on('open', () => seen.push(['open', null, Date.now() - T0]));
    client.on('event', (e) => {
      seen.push(['event', { ...e }, Date.now() - T0]);
      onEvent?.(client, seen);
    });
    client.on('error', (e) => {
      seen.push(['error', e.error(), Date.now() - T0]);
      if (!e.error().startsWith('unknown event')) client.close();
    });
  });
  return { res, seen, setupCalled };
}

const ev = (data: string, name = '', id = '', comment = '') => ({ id, name, data, comment });

beforeEach(() => {
  startRun();
  runtime().phase = 'vu';
});
afterEach(endRun);

describe('sse.open', () => {
  test('throws in the init context', () => {
    runtime().phase = 'init';
    expect(() => open({ kind: 'response' })).toThrow('using sse in the init context is not supported');
  });

  test('an invalid timeout string throws', () => {
    expect(() => open({ kind: 'response' }, { timeout: '10 seconds' })).toThrow(/invalid duration/);
  });

  test('connection refused: setup never called, status 0, error set', () => {
    const { res, setupCalled } = open({ kind: 'refused' }, { method: 'POST' });
    expect(setupCalled).toBe(false);
    expect(res).toEqual({ url: '', status: 0, headers: null, error: 'Post "http://127.0.0.1:9/sse": dial tcp 127.0.0.1:9: connect: connection refused' });
  });

  test('no headers before the timeout: no handler, status 0, Client.Timeout error, at the deadline', () => {
    const { res, setupCalled } = open({ kind: 'response', headersAt: 5000 }, { timeout: '1500ms' });
    expect(setupCalled).toBe(false);
    expect(res.status).toBe(0);
    expect(res.error).toContain('Client.Timeout exceeded while awaiting headers');
    expect(Date.now() - T0).toBe(1500);
  });

  test('a connection that would fail only after the timeout: the timeout wins', () => {
    const { res } = open({ kind: 'refused', after: 5000 }, { timeout: '2s' });
    expect(res.error).toContain('Client.Timeout exceeded while awaiting headers');
    expect(Date.now() - T0).toBe(2000);
  });

  test('HTTP 4xx: setup and open run, the body is read as SSE lines; a JSON body without newline gives nothing', () => {
    const { res, seen } = open({ kind: 'response', status: 401, headersAt: 7, headers: { 'content-type': 'application/json' }, chunks: [{ at: 9, text: '{"code": "unauthorized"}' }] });
    expect(seen).toEqual([['open', null, 7]]);
    expect(res).toEqual({ url: 'http://127.0.0.1:9/sse', status: 401, headers: { 'Content-Type': 'application/json' }, error: '' });
  });

  test('event parsing: ping, comments, data joins, no space, retry ignored, id not remembered', () => {
    const text = 'event: ping\n\n: hi\n\ndata: a\ndata: b\n\ndata:x\nretry: 5\n\nid: 7\ndata: y\n\ndata: z\n\n';
    const { seen } = open({ kind: 'response', chunks: [{ at: 10, text }] });
    expect(seen.map((s) => s[1])).toEqual([null, ev('', 'ping'), ev('', '', '', 'hi'), ev('a\nb'), ev('x'), ev('y', '', '7'), ev('z')]);
  });

  test('unknown field line: error handler with the line, the stream continues', () => {
    const { seen, res } = open({ kind: 'response', chunks: [{ at: 10, text: 'data: 1\nfoo: bar\n\n' }] });
    expect(seen.slice(1)).toEqual([
      ['error', 'unknown event: foo: bar\n', 10],
      ['event', ev('1'), 10],
    ]);
    expect(res.status).toBe(200);
  });

  test('CRLF: events dispatch, name and id keep "\\r", data is clean', () => {
    const { seen } = open({ kind: 'response', chunks: [{ at: 10, text: 'event: ping\r\n\r\nid: 1\r\ndata: {"a":1}\r\n\r\n' }] });
    expect(seen.slice(1).map((s) => s[1])).toEqual([ev('', 'ping\r'), ev('{"a":1}', '', '1\r')]);
  });

  test('chunks arrive at their virtual times; a partial line waits for the next chunk; EOF drops a partial event', () => {
    const { seen } = open({ kind: 'response', chunks: [{ at: 10, text: 'data: a\n' }, { at: 25, text: '\ndata: b' }, { at: 40, text: '\n' }], end: { kind: 'close', at: 60 } });
    expect(seen.slice(1)).toEqual([['event', ev('a'), 25]]);
    expect(Date.now() - T0).toBe(60);
  });

  test('client.close() in a handler: sse.open returns right after, no more events', () => {
    const { seen, res } = open({ kind: 'response', chunks: [{ at: 10, text: 'data: 1\n\ndata: 2\n\n' }, { at: 20, text: 'data: 3\n\n' }] }, {}, (client) => client.close());
    expect(seen.slice(1).map((s) => s[1])).toEqual([ev('1')]);
    expect(res.status).toBe(200);
  });

  test('read error mid-stream: error handler, then the VU would block forever without close()', () => {
    const { seen, res } = open({ kind: 'response', chunks: [{ at: 10, text: 'data: 1\n\n' }], end: { kind: 'reset', at: 30 } });
    expect(seen.slice(1)).toEqual([
      ['event', ev('1'), 10],
      ['error', 'unexpected EOF', 30],
    ]);
    expect(res.status).toBe(200);
    setServer(() => ({ kind: 'response', end: { kind: 'reset', at: 30 } }));
    expect(() => sse.open('http://127.0.0.1:9/sse', {}, () => undefined)).toThrow(/block forever/);
  });

  test('body deadline: error "context deadline exceeded …", status stays 200', () => {
    const { seen, res } = open({ kind: 'response', chunks: [{ at: 10, text: 'data: 1\n\n' }, { at: 3000, text: 'data: 2\n\n' }] }, { timeout: '1s' });
    expect(seen.at(-1)).toEqual(['error', 'context deadline exceeded (Client.Timeout or context cancellation while reading body)', 1000]);
    expect(res.status).toBe(200);
  });

  test('headers then silence: without a timeout the double refuses to hang', () => {
    expect(() => open({ kind: 'response', end: { kind: 'silence' } }, {})).toThrow(/block forever/);
    const { seen } = open({ kind: 'response', end: { kind: 'silence' } }, { timeout: '2s' });
    expect(seen.at(-1)?.[2]).toBe(2000);
  });

  test('request: default GET, trimmed body, Accept and User-Agent added, header names canonical', () => {
    open({ kind: 'response' }, { method: ' post ', body: '  {"a":1}\n', headers: { 'content-type': 'application/json', authorization: 'Bearer k' } });
    expect(requests()[0]).toMatchObject({
      method: 'post',
      body: '{"a":1}',
      headers: { Accept: 'text/event-stream', 'User-Agent': expect.stringContaining('k6/'), 'Content-Type': 'application/json', Authorization: 'Bearer k' },
    });
    open({ kind: 'response' }, null);
    expect(requests()[0]!.method).toBe('GET');
  });

  test('sse_event +1 per dispatched event (pings too), with the request tags', () => {
    open({ kind: 'response', chunks: [{ at: 10, text: 'event: ping\n\ndata: 1\n\n' }] }, { tags: { t: 'x' } });
    const events = runtime().samples.filter((s) => s.metric === 'sse_event');
    expect(events.map((s) => [s.value, s.tags['t'], s.tags['url'], s.tags['status']])).toEqual([
      [1, 'x', 'http://127.0.0.1:9/sse', '200'],
      [1, 'x', 'http://127.0.0.1:9/sse', '200'],
    ]);
  });

  test("k6's throw option: a connection failure throws the message instead of returning status 0; setup never runs", () => {
    runtime().throwErrors = true;
    let setupCalled = false;
    setServer(() => ({ kind: 'refused' }));
    expect(() => sse.open('http://127.0.0.1:9/sse', { method: 'POST' }, () => (setupCalled = true))).toThrow(
      'Post "http://127.0.0.1:9/sse": dial tcp 127.0.0.1:9: connect: connection refused',
    );
    setServer(() => ({ kind: 'response', headersAt: 5000 }));
    expect(() => sse.open('http://127.0.0.1:9/sse', { timeout: '1s' }, () => (setupCalled = true))).toThrow('Client.Timeout exceeded while awaiting headers');
    expect(setupCalled).toBe(false);
    expect(open({ kind: 'response', chunks: [{ at: 5, text: 'data: 1\n\n' }] }).res.status).toBe(200); // responses do not throw
  });

  test('http_reqs, http_req_sending, http_req_duration: also for a failed connection (no status tag then)', () => {
    open({ kind: 'refused', after: 3 });
    open({ kind: 'response', headersAt: 20, status: 503, chunks: [{ at: 50, text: 'data: 1\n\n' }] });
    const http = (metric: string) => runtime().samples.filter((s) => s.metric === metric).map((s) => [s.value, s.tags['status']]);
    expect(http('http_reqs')).toEqual([
      [1, undefined],
      [1, '503'],
    ]);
    expect(http('http_req_duration')).toEqual([
      [3, undefined],
      [50, '503'],
    ]);
    expect(http('http_req_sending')).toEqual([
      [3, undefined],
      [3, undefined],
      [20, '503'],
      [20, '503'],
    ]);
  });

  test("'open' runs right after setup even when setup closed the client", () => {
    setServer(() => ({ kind: 'response', chunks: [{ at: 5, text: 'data: 1\n\n' }] }));
    const seen: string[] = [];
    sse.open('http://x/', {}, (c) => {
      c.on('open', () => seen.push('open'));
      c.close();
    });
    expect(seen).toEqual(['open']);
  });

  test('a handler that throws makes sse.open throw', () => {
    setServer(() => ({ kind: 'response', chunks: [{ at: 1, text: 'data: 1\n\n' }] }));
    expect(() =>
      sse.open('http://x/', {}, (c) =>
        c.on('event', () => {
          throw new Error('boom');
        }),
      ),
    ).toThrow('boom');
  });
});
