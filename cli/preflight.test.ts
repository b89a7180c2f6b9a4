import { describe, expect, it } from 'vitest';
import type { K6Location } from './k6-locate.ts';
import { formatPreflightError, isDefaultBaseUrl, looksLikeMockStats, preflight, PreflightError, type PreflightDeps, type ProbeResult } from './preflight.ts';

const K6_OK: K6Location = { ok: true, bin: '/opt/k6', version: 'v1.3.0', env: { K6_NO_USAGE_REPORT: 'true', K6_ENABLE_COMMUNITY_EXTENSIONS: 'true' } };
const MOCK_STATS = '{"activeStreams":0,"streamsStarted":0,"streamsFinished":0,"streamsAborted":0,"eventsSent":0,"memory":{}}';
const REFUSED: ProbeResult = { error: 'connect ECONNREFUSED 127.0.0.1:5001', code: 'ECONNREFUSED' };

interface Fake {
  deps: PreflightDeps;
  probes: string[];
  started: string[];
  located: number;
}

function fake(routes: Record<string, ProbeResult>, k6: K6Location = K6_OK, scriptThere = true): Fake {
  const f: Fake = {
    probes: [],
    started: [],
    located: 0,
    deps: {
      locateK6: async () => {
        f.located++;
        return k6;
      },
      fileExists: () => scriptThere,
      probe: async (url) => {
        f.probes.push(url);
        return routes[url] ?? { status: 404, body: '' };
      },
      startMock: async (host, port) => {
        f.started.push(`${host}:${port}`);
        return { url: `http://${host}:${port}`, close: async () => undefined };
      },
    },
  };
  return f;
}

async function failure(p: Promise<unknown>): Promise<PreflightError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof PreflightError) return e;
    throw e;
  }
  throw new Error('preflight passed');
}

describe('preflight failures: one message with the fix, nothing sent', () => {
  it('a bad setting, before looking for k6', async () => {
    const f = fake({});
    const e = await failure(preflight({ TARGET: 'dify' }, 'build/sse.js', f.deps));
    expect(e.problem).toBe('setting TARGET: unknown target "dify"; accepted: dify-workflow, dify-chat, openai-chat, generic');
    expect(e.fix).toMatch(/^fix TARGET/);
    expect(f.located).toBe(0);
    expect(f.probes).toEqual([]);
  });

  it('no usable k6: the locator\'s problem and fix', async () => {
    const f = fake({}, { ok: false, problem: 'k6 was not found (K6_BIN is unset and there is no k6 on PATH).', fix: 'Install k6 v1.3 …' });
    const e = await failure(preflight({}, 'build/sse.js', f.deps));
    expect(formatPreflightError(e)).toBe(
      'preflight failed: k6 was not found (K6_BIN is unset and there is no k6 on PATH).\n  fix: Install k6 v1.3 …\n(nothing was sent to the target)',
    );
    expect(f.probes).toEqual([]);
  });

  it('no built script', async () => {
    const e = await failure(preflight({}, 'build/sse.js', fake({}, K6_OK, false).deps));
    expect(e.problem).toBe('the k6 script build/sse.js does not exist');
    expect(e.fix).toMatch(/npm run build/);
  });

  it('a real target without an API key: refused before any request', async () => {
    const f = fake({});
    const e = await failure(preflight({ BASE_URL: 'https://dify.example.com/v1', TARGET: 'dify-chat' }, 'build/sse.js', f.deps));
    expect(e.problem).toBe('no API key for dify-chat at https://dify.example.com/v1: API_KEY (or DIFY_API_KEY) is not set');
    expect(e.fix).toMatch(/^export API_KEY=.*leave BASE_URL unset to run against the embedded mock server$/);
    expect(f.probes).toEqual([]);
  });

  it('an unreachable target', async () => {
    const f = fake({ 'http://10.1.2.3:8080': { error: 'connect ETIMEDOUT 10.1.2.3:8080', code: 'ETIMEDOUT' } });
    const e = await failure(preflight({ BASE_URL: 'http://10.1.2.3:8080', API_KEY: 'k' }, 'build/sse.js', f.deps));
    expect(e.problem).toBe('the target http://10.1.2.3:8080 is unreachable (connect ETIMEDOUT 10.1.2.3:8080)');
    expect(e.fix).toBe('start the server or fix BASE_URL, or leave BASE_URL unset to run against the embedded mock server');
  });

  it('the default address held by something that is not our mock, without a key', async () => {
    const f = fake({ 'http://localhost:5001': { status: 404, body: '' }, 'http://localhost:5001/stats': { status: 404, body: '' } });
    const e = await failure(preflight({}, 'build/sse.js', f.deps));
    expect(e.problem).toMatch(/not the sse-bench mock$/);
    expect(f.started).toEqual([]);
  });

  it('an embedded mock that cannot start', async () => {
    const f = fake({ 'http://localhost:5001': REFUSED });
    f.deps.startMock = async () => {
      throw new Error('listen EADDRINUSE: address already in use 127.0.0.1:5001');
    };
    const e = await failure(preflight({}, 'build/sse.js', f.deps));
    expect(e.problem).toBe('could not start the embedded mock server on 127.0.0.1:5001 (listen EADDRINUSE: address already in use 127.0.0.1:5001)');
    expect(e.fix).toBe('free port 5001, or set BASE_URL to a running server');
  });

  it('a Dify health check that answers 5xx', async () => {
    const f = fake({ 'http://dify.local': { status: 404, body: '' }, 'http://dify.local/health': { status: 503, body: '' } });
    const e = await failure(preflight({ BASE_URL: 'http://dify.local', API_KEY: 'k' }, 'build/sse.js', f.deps));
    expect(e.problem).toBe("the target's health check http://dify.local/health answered HTTP 503");
  });
});

describe('preflight success', () => {
  it('starts the embedded mock when BASE_URL is unset and nothing listens, and points k6 at it', async () => {
    const f = fake({ 'http://localhost:5001': REFUSED });
    const r = await preflight({}, 'build/sse.js', f.deps);
    expect(f.started).toEqual(['127.0.0.1:5001']);
    expect(r.mock?.url).toBe('http://127.0.0.1:5001');
    expect(r.env).toEqual({ ...K6_OK.env, BASE_URL: 'http://127.0.0.1:5001' });
    expect(r.notes).toEqual(['nothing listened on http://localhost:5001: started the embedded mock server at http://127.0.0.1:5001 for this run']);
  });

  it('uses a mock that is already running, without a key', async () => {
    const f = fake({ 'http://localhost:5001': { status: 404, body: '' }, 'http://localhost:5001/stats': { status: 200, body: MOCK_STATS } });
    const r = await preflight({ BASE_URL: 'http://localhost:5001/' }, 'build/sse.js', f.deps);
    expect(r.mock).toBeNull();
    expect(r.env).toEqual(K6_OK.env);
    expect(f.started).toEqual([]);
  });

  it('accepts a real target with a key; a 404 /health (not routed) is no failure', async () => {
    const f = fake({ 'http://dify.local/v1': { status: 404, body: '' }, 'http://dify.local/health': { status: 404, body: '' } });
    const r = await preflight({ BASE_URL: 'http://dify.local/v1', DIFY_API_KEY: 'app-123' }, 'build/sse.js', f.deps);
    expect(r.config.apiKey).toBe('app-123');
    expect(f.probes).toEqual(['http://dify.local/v1', 'http://dify.local/stats', 'http://dify.local/health']);
    expect(r.notes).toEqual(['target: dify-workflow at http://dify.local/v1']);
  });

  it('skips the health check for OpenAI-compatible targets', async () => {
    const f = fake({ 'http://llm.local': { status: 401, body: '' } });
    await preflight({ BASE_URL: 'http://llm.local', TARGET: 'openai-chat', API_KEY: 'sk-x' }, 'build/sse.js', f.deps);
    expect(f.probes).toEqual(['http://llm.local', 'http://llm.local/stats']);
  });
});

describe('helpers', () => {
  it('knows the default BASE_URL with or without a trailing slash', () => {
    expect(isDefaultBaseUrl({})).toBe(true);
    expect(isDefaultBaseUrl({ BASE_URL: ' ' })).toBe(true);
    expect(isDefaultBaseUrl({ BASE_URL: 'http://localhost:5001/' })).toBe(true);
    expect(isDefaultBaseUrl({ BASE_URL: 'http://127.0.0.1:5001' })).toBe(false);
  });
  it('recognises the mock by its /stats body', () => {
    expect(looksLikeMockStats(MOCK_STATS)).toBe(true);
    expect(looksLikeMockStats('{"status":"ok"}')).toBe(false);
    expect(looksLikeMockStats('<html>')).toBe(false);
  });
});
