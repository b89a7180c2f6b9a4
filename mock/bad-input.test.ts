import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, MAX_DRAIN_BYTES } from './http.ts';
import { startMockServer, type MockServer } from './server.ts';

let server: MockServer;
const KEY = 'app-test-key';
const auth = { Authorization: `Bearer ${KEY}` };
beforeAll(async () => {
  server = await startMockServer({ port: 0, apiKey: KEY, ttfeMs: 0, ttftMs: 0, tokenIntervalMs: 0, tokens: 2 });
});
afterAll(() => server.close());

async function call(path: string, init: RequestInit = {}) {
  const res = await fetch(`${server.url}${path}`, { method: 'POST', ...init, headers: { ...auth, ...(init.headers as Record<string, string>) } });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: (() => { try { return JSON.parse(text) as unknown; } catch { return undefined; } })() };
}

const difyError = (status: number, code: string, message: unknown = expect.any(String)) => ({ code, message, status });
const workflow = JSON.stringify({ inputs: {}, user: 'u', response_mode: 'streaming' });

describe('--api-key', () => {
  it('401 in Dify error JSON without the bearer key or with a wrong one', async () => {
    for (const headers of [{ Authorization: '' }, { Authorization: 'Bearer wrong' }, { Authorization: KEY }]) {
      const r = await call('/v1/workflows/run', { body: workflow, headers });
      expect(r.status).toBe(401);
      expect(r.json).toEqual(difyError(401, 'unauthorized'));
      expect(r.text).not.toContain(KEY);
    }
  });

  it('401 in OpenAI error JSON on the OpenAI paths', async () => {
    const r = await call('/v1/models', { method: 'GET', headers: { Authorization: '' } });
    expect(r.status).toBe(401);
    expect(r.json).toEqual({ error: { message: expect.any(String), type: 'invalid_request_error', code: 'unauthorized' } });
  });

  it('accepts the right key; /health and /stats need none', async () => {
    expect((await call('/v1/workflows/run', { body: workflow })).status).toBe(200);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect((await fetch(`${server.url}/stats`)).status).toBe(200);
  });
});

describe('400 for bad bodies, in the endpoint dialect', () => {
  it.each([
    ['/v1/workflows/run', '{"inputs": {', /not valid JSON/],
    ['/v1/workflows/run', '[1,2]', /JSON object/],
    ['/v1/workflows/run', '', /not valid JSON/],
    ['/v1/workflows/run', '{"user":"u"}', /^inputs is required/],
    ['/v1/workflows/run', '{"inputs":[],"user":"u"}', /^inputs is required and must be an object/],
    ['/v1/workflows/run', '{"inputs":{}}', /^user is required/],
    ['/v1/workflows/run', '{"inputs":{},"user":"u","response_mode":"fast"}', /response_mode/],
    ['/v1/chat-messages', '{"user":"u"}', /^query is required/],
    ['/v1/chat-messages', '{"query":"q","user":"u","inputs":"x"}', /^inputs/],
  ])('%s %s', async (path, body, message) => {
    const r = await call(path, { body });
    expect(r.status).toBe(400);
    expect(r.json).toEqual(difyError(400, 'invalid_param', expect.stringMatching(message)));
  });

  it.each([
    ['{"model":"m"}', /messages/],
    ['{"messages":[]}', /messages/],
    ['{"messages":[{}],"stream":"yes"}', /stream must be a boolean/],
    ['{"messages":[{}],"stream_options":1}', /stream_options/],
  ])('/v1/chat/completions %s', async (body, message) => {
    const r = await call('/v1/chat/completions', { body });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ error: { message: expect.stringMatching(message), type: 'invalid_request_error', code: expect.any(String) } });
  });

  it('X-Mock-* headers: bad values, unknown names and server-only knobs name the header', async () => {
    const bad = await call('/v1/workflows/run', { body: workflow, headers: { 'X-Mock-Tokens': 'many' } });
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual(difyError(400, 'invalid_param', 'header X-Mock-Tokens: expected an integer from 0 to 100000, got "many"'));
    const fault = await call('/v1/workflows/run', { body: workflow, headers: { 'X-Mock-Fault': 'boom' } });
    expect((fault.json as { message: string }).message).toMatch(/^header X-Mock-Fault: expected one of none, http_500, .*no_terminal/);
    const unknown = await call('/v1/workflows/run', { body: workflow, headers: { 'X-Mock-Tokenz': '3' } });
    expect((unknown.json as { message: string }).message).toMatch(/^unknown header x-mock-tokenz; per-request headers are .*X-Mock-Tokens/);
    const serverOnly = await call('/v1/workflows/run', { body: workflow, headers: { 'X-Mock-Api-Key': 'x' } });
    expect((serverOnly.json as { message: string }).message).toBe('X-Mock-Api-Key cannot be set per request; use --api-key or MOCK_API_KEY');
  });
});

describe('413, 405, 404', () => {
  it('413 for a body over 1 MiB (declared length)', async () => {
    const r = await call('/v1/workflows/run', { body: 'x'.repeat(MAX_BODY_BYTES + 1) });
    expect(r.status).toBe(413);
    expect(r.json).toEqual(difyError(413, 'payload_too_large'));
  });

  it('413 for a chunked body that grows past 1 MiB', async () => {
    const url = new URL(server.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: '/v1/chat-messages', method: 'POST', headers: { ...auth, 'Transfer-Encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      const chunk = 'y'.repeat(64 * 1024);
      for (let i = 0; i < 17; i++) req.write(chunk);
      req.end();
    });
    expect(status).toBe(413);
  });

  /**
   * A client that sends its whole body before it reads (the socket paused while writing, 64 KiB
   * every millisecond): answered and closed early, it got EPIPE and never saw the 413.
   */
  function slowClient(framing: 'length' | 'chunked', size = 2 * 1024 * 1024): Promise<{ head: string; body: string; error: string }> {
    const url = new URL(server.url);
    return new Promise((resolve) => {
      const socket = connect(Number(url.port), url.hostname);
      let got = '';
      let error = '';
      socket.on('data', (d) => (got += d.toString()));
      socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
      socket.on('close', () => {
        const [head = '', body = ''] = got.split('\r\n\r\n');
        resolve({ head, body, error });
      });
      socket.pause();
      const framingHeader = framing === 'length' ? `Content-Length: ${size}` : 'Transfer-Encoding: chunked';
      socket.write(`POST /v1/workflows/run HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY}\r\nContent-Type: application/json\r\n${framingHeader}\r\n\r\n`);
      const chunk = Buffer.alloc(64 * 1024, 120);
      let sent = 0;
      const next = (): void => {
        if (socket.destroyed) return;
        if (sent >= size) {
          if (framing === 'chunked') socket.write('0\r\n\r\n');
          socket.resume(); // reads only now
          return;
        }
        sent += chunk.length;
        socket.write(framing === 'chunked' ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]) : chunk);
        setTimeout(next, 1);
      };
      next();
    });
  }

  it('a 2 MiB body: the client reads the 413 every time, however it sends and reads (Connection: close)', { timeout: 60_000 }, async () => {
    for (let i = 0; i < 5; i++) {
      for (const framing of ['length', 'chunked'] as const) {
        const r = await slowClient(framing);
        expect(r.error, `${framing} #${i}`).toBe('');
        expect(r.head, `${framing} #${i}`).toMatch(/^HTTP\/1\.1 413 Payload Too Large\r\n/);
        expect(r.head.toLowerCase()).toContain('connection: close');
        expect(JSON.parse(r.body)).toEqual(difyError(413, 'payload_too_large'));
      }
      const f = await call('/v1/workflows/run', { body: 'x'.repeat(2 * MAX_BODY_BYTES) });
      expect([f.status, f.headers.get('connection')]).toEqual([413, 'close']);
    }
    expect(await (await fetch(`${server.url}/health`)).json()).toEqual({ status: 'ok' });
  });

  it('past MAX_DRAIN_BYTES the 413 goes out at once, without waiting for the body', async () => {
    const url = new URL(server.url);
    const head = await new Promise<string>((resolve) => {
      const socket = connect(Number(url.port), url.hostname);
      let got = '';
      socket.on('data', (d) => {
        got += d.toString();
        if (got.includes('\r\n\r\n')) socket.destroy();
      });
      socket.on('close', () => resolve(got));
      socket.on('error', () => undefined);
      socket.write(`POST /v1/workflows/run HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY}\r\nContent-Length: ${MAX_DRAIN_BYTES + 1}\r\n\r\n`); // and no body
    });
    expect(head).toMatch(/^HTTP\/1\.1 413 /);
  });

  it('405 with Allow for a wrong method', async () => {
    const get = await call('/v1/workflows/run', { method: 'GET' });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(get.json).toEqual(difyError(405, 'method_not_allowed'));
    const post = await call('/health', { body: '{}' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
  });

  it('404 for an unknown path', async () => {
    const r = await call('/v1/nothing', { body: '{}' });
    expect(r.status).toBe(404);
    expect(r.json).toEqual(difyError(404, 'not_found'));
    expect((await call('/v1/chat/completions/x', { body: '{}' })).json).toEqual({ error: expect.objectContaining({ code: 'not_found' }) });
  });
});

describe('malformed requests never crash the server', () => {
  const raw = (bytes: string) =>
    new Promise<string>((resolve) => {
      const url = new URL(server.url);
      const socket = connect(Number(url.port), url.hostname);
      let got = '';
      socket.on('data', (d) => (got += d.toString()));
      socket.on('close', () => resolve(got));
      socket.on('error', () => resolve(got));
      socket.end(bytes);
    });

  it('garbage, bad headers and truncated bodies get an answer or a close, and the server stays up', async () => {
    expect(await raw('NOT HTTP AT ALL\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    expect(await raw('POST /v1/workflows/run HTTP/1.1\r\nContent-Length: abc\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    await raw(`POST /v1/workflows/run HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY}\r\nContent-Length: 100\r\n\r\n{"inputs"`);
    await raw('GET /sse?events=99999999 HTTP/1.1\r\nHost: x\r\n\r\n');
    await raw(`POST /v1/chat-messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY}\r\nContent-Length: 4\r\n\r\n\u00ff\u00fe{}`);
    expect(await (await fetch(`${server.url}/health`)).json()).toEqual({ status: 'ok' });
    expect(server.stats().activeStreams).toBe(0);
  });
});
