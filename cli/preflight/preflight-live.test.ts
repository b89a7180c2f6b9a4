/**
 * The preflight with its real probe request against servers on 127.0.0.1: the embedded mock
 * (keyless, or with --api-key) and small node:http servers for what the mock does not do.
 * k6 and the script are stubbed (found, present); everything else is real.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer, type MockServer } from '../../mock/server.ts';
import type { K6Location } from '../run/k6-locate.ts';
import { freeAddress } from '../run/k6-run.ts';
import { formatPreflightError, preflight, PreflightError, type PreflightDeps } from './preflight.ts';

const K6_OK: K6Location = { ok: true, bin: '/opt/k6', version: 'v1.3.0', major: 1, env: {} };
const KEY = 'test-key-not-real';
const deps: PreflightDeps = {
  locateK6: async () => K6_OK,
  fileExists: () => true,
  startMock: async () => {
    throw new Error('not in these tests');
  },
};

/** The PreflightError `p` rejects with (anything else, or passing, fails the test). */
const failure = (p: Promise<unknown>): Promise<PreflightError> =>
  p.then(
    () => Promise.reject(new Error('preflight passed')),
    (e: unknown) => (e instanceof PreflightError ? e : Promise.reject(e)),
  );

/** Waits (bounded) until the mock has no open stream: the probe closed its connection. */
async function drained(mock: MockServer): Promise<number> {
  for (let i = 0; i < 100 && mock.stats().activeStreams > 0; i++) await new Promise((r) => setTimeout(r, 20));
  return mock.stats().activeStreams;
}

describe('against the embedded mock without a key', () => {
  let mock: MockServer;
  beforeAll(async () => {
    mock = await startMockServer({ port: 0, ttfeMs: 0, ttftMs: 0, tokens: 3, tokenIntervalMs: 0, pingIntervalMs: 0 });
  });
  afterAll(() => mock.close());

  it.each(['dify-workflow', 'dify-chat', 'openai-chat'])('%s: passes with no API key, having opened exactly one stream', async (target) => {
    const before = mock.stats().streamsStarted;
    const r = await preflight({ BASE_URL: mock.url, TARGET: target, ...(target === 'openai-chat' ? { MODEL: 'gpt-4' } : {}) }, 'build/sse.js', deps);
    expect(r.notes[1]).toMatch(new RegExp(`^one probe request sent \\(POST ${mock.url}/v1/\\S+\\): HTTP 200 text/event-stream, first event ".+", as TARGET=${target} reads it$`));
    expect(mock.stats().streamsStarted).toBe(before + 1);
    expect(await drained(mock)).toBe(0);
  });

  it('404: the URL and the ENDPOINT that built it', async () => {
    const e = await failure(preflight({ BASE_URL: mock.url, ENDPOINT: '/v1/nope' }, 'build/sse.js', deps));
    expect(e.problem).toMatch(new RegExp(`^POST ${mock.url}/v1/nope answered HTTP 404 \\(not found\\): ".*"; that URL is BASE_URL=${mock.url} \\+ ENDPOINT=/v1/nope$`));
    expect(e.probeSent).toBe(true);
  });
});

describe('against the embedded mock with --api-key', () => {
  let mock: MockServer;
  beforeAll(async () => {
    mock = await startMockServer({ port: 0, apiKey: KEY, ttfeMs: 0, ttftMs: 0, tokens: 3, tokenIntervalMs: 0, pingIntervalMs: 0 });
  });
  afterAll(() => mock.close());

  it('without API_KEY: the server wants a key, one request sent, no stream opened', async () => {
    const e = await failure(preflight({ BASE_URL: mock.url, TARGET: 'openai-chat' }, 'build/sse.js', deps));
    expect(formatPreflightError(e)).toMatch(
      new RegExp(`^preflight failed: the server wants a key: POST ${mock.url}/v1/chat/completions answered HTTP 401: ".*unauthorized.*", and API_KEY \\(or DIFY_API_KEY\\) is not set\\n {2}fix: export API_KEY=<the key> .*\\n\\(one probe request was sent to the target; no load was run\\)$`),
    );
    expect(mock.stats().streamsStarted).toBe(0);
  });

  it('with the wrong key: refused; with the right one: passes', async () => {
    const wrong = await failure(preflight({ BASE_URL: mock.url, API_KEY: 'another-test-key' }, 'build/sse.js', deps));
    expect(wrong.problem).toMatch(/^the server refused the API key: POST .* answered HTTP 401/);
    expect(wrong.problem).not.toContain('another-test-key');
    const r = await preflight({ BASE_URL: mock.url, DIFY_API_KEY: KEY }, 'build/sse.js', deps);
    expect(r.notes[1]).toMatch(/first event "workflow_started", as TARGET=dify-workflow reads it$/);
  });
});

describe('against small servers', () => {
  async function serve(handle: (req: IncomingMessage, res: ServerResponse) => void, run: (url: string) => Promise<void>): Promise<void> {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => handle(req, res));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  }
  const sse = (data: string) => (_req: IncomingMessage, res: ServerResponse) => void res.writeHead(200, { 'Content-Type': 'text/event-stream' }).end(`data: ${data}\n\n`);

  it('a keyless OpenAI-compatible server (vLLM, llama.cpp, Ollama): passes', async () => {
    await serve(sse('{"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}'), async (url) => {
      const r = await preflight({ BASE_URL: url, TARGET: 'openai-chat', MODEL: 'gpt-4' }, 'build/sse.js', deps);
      expect(r.notes[1]).toBe(`one probe request sent (POST ${url}/v1/chat/completions): HTTP 200 text/event-stream, first event "chat.completion.chunk", as TARGET=openai-chat reads it`);
    });
  });

  it('a Dify chat app probed as dify-workflow: "this looks like dify-chat"', async () => {
    await serve(sse('{"event":"message","answer":"Hi"}'), async (url) => {
      const e = await failure(preflight({ BASE_URL: url }, 'build/sse.js', deps));
      expect(e.problem).toBe('the first event does not fit TARGET=dify-workflow: this looks like dify-chat ("{\\"event\\":\\"message\\",\\"answer\\":\\"Hi\\"}")');
    });
  });

  it('a server error event', async () => {
    await serve(sse('{"event":"error","status":400,"code":"provider_quota_exceeded","message":"Your quota is used up."}'), async (url) => {
      const e = await failure(preflight({ BASE_URL: url, TARGET: 'dify-chat' }, 'build/sse.js', deps));
      expect(e.problem).toMatch(/^the server's first event is an error: provider_quota_exceeded: Your quota is used up\. /);
    });
  });

  it('2xx JSON instead of an event stream', async () => {
    await serve((_req, res) => void res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"answer":"blocking mode"}'), async (url) => {
      const e = await failure(preflight({ BASE_URL: url, TARGET: 'dify-chat' }, 'build/sse.js', deps));
      expect(e.problem).toBe(`POST ${url}/v1/chat-messages answered HTTP 200 with Content-Type application/json, not text/event-stream: "{\\"answer\\":\\"blocking mode\\"}"`);
    });
  });

  it('TLS to a server that does not speak it: the reason', async () => {
    await serve(sse('{}'), async (url) => {
      const e = await failure(preflight({ BASE_URL: url.replace(/^http:/, 'https:') }, 'build/sse.js', deps));
      expect(e.problem).toMatch(/^TLS with 127\.0\.0\.1:\d+ failed: .+/);
      expect(e.fix).toMatch(/--insecure-skip-tls-verify/);
    });
  });

  it('a refused connection: the reason, nothing received', async () => {
    const address = await freeAddress();
    const e = await failure(preflight({ BASE_URL: `http://${address}` }, 'build/sse.js', deps));
    expect(e.problem).toBe(`the connection to http://${address} was refused (connect ECONNREFUSED ${address})`);
    expect(formatPreflightError(e)).toMatch(/\(nothing was sent to the target\)$/);
  });
});
