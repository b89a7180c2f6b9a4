/**
 * The preflight's flow with a recorded probe (no network): what is checked before the probe,
 * the one probe request it builds (exactly the run's first request), and what it does with
 * the answer. Each answer's wording is in probe-verdict.test.ts; the real probe against
 * local servers in target-probe.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/init/config.ts';
import type { K6Location } from '../run/k6-locate.ts';
import { formatPreflightError, isDefaultBaseUrl, preflight, PreflightError, probeRequest, type PreflightDeps } from './preflight.ts';
import type { ProbeObservation, ProbeRequest } from './target-probe.ts';

const K6_OK: K6Location = { ok: true, bin: '/opt/k6', version: 'v1.3.0', major: 1, env: { K6_NO_USAGE_REPORT: 'true', K6_ENABLE_COMMUNITY_EXTENSIONS: 'true' } };
const REFUSED: ProbeObservation = { kind: 'network', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5001' };
const sse = (data: string): ProbeObservation => ({ kind: 'response', status: 200, contentType: 'text/event-stream', location: '', excerpt: '', firstEvent: { name: '', data }, stop: 'event' });
const WORKFLOW_STARTED = sse('{"event":"workflow_started","task_id":"t","data":{}}');
const KEY = 'test-key-not-real';

interface Fake {
  deps: PreflightDeps;
  sent: ProbeRequest[];
  started: string[];
  located: number;
}

function fake(answer: ProbeObservation, k6: K6Location = K6_OK, scriptThere = true): Fake {
  const f: Fake = {
    sent: [],
    started: [],
    located: 0,
    deps: {
      locateK6: async () => {
        f.located++;
        return k6;
      },
      fileExists: () => scriptThere,
      sendProbe: async (req) => {
        f.sent.push(req);
        return answer;
      },
      startMock: async (host, port, options) => {
        f.started.push(`${host}:${port}${options.modelLog ? ' with its model log' : ''}`);
        return { url: `http://${host}:${port}`, close: async () => undefined };
      },
      readFile: (path) => {
        if (path === '/q.txt') return 'first question\nsecond question\n';
        throw new Error(`ENOENT: no such file, open '${path}'`);
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

describe('before the probe: nothing is sent', () => {
  it('a bad setting, before looking for k6', async () => {
    const f = fake(WORKFLOW_STARTED);
    const e = await failure(preflight({ TARGET: 'dify' }, 'build/sse.js', f.deps));
    expect(e.problem).toBe('setting TARGET: unknown target "dify"; accepted: dify-workflow, dify-chat, openai-chat, generic');
    expect(e.fix).toMatch(/^fix TARGET/);
    expect(f.located).toBe(0);
    expect(f.sent).toEqual([]);
    expect(formatPreflightError(e)).toMatch(/\n\(nothing was sent to the target\)$/);
  });

  it('an unreadable QUESTIONS_FILE', async () => {
    const f = fake(WORKFLOW_STARTED);
    const e = await failure(preflight({ QUESTIONS_FILE: '/missing.txt' }, 'build/sse.js', f.deps));
    expect(e.problem).toMatch(/^setting QUESTIONS_FILE: cannot read "\/missing\.txt"/);
    expect(f.sent).toEqual([]);
  });

  it('a malformed DATASET line, before anything is sent', async () => {
    const f = fake(WORKFLOW_STARTED);
    const e = await failure(preflight({ DATASET: '/d.jsonl' }, 'build/sse.js', { ...f.deps, readFile: () => '{"prompt": "ok"}\n{"prompt": 1}\n' }));
    expect(e.problem).toBe('setting DATASET: "/d.jsonl" line 2: "prompt" must be a non-empty string');
    expect(f.sent).toEqual([]);
  });

  it('no usable k6: the locator\'s problem and fix', async () => {
    const f = fake(WORKFLOW_STARTED, { ok: false, problem: 'k6 was not found (K6_BIN is unset and there is no k6 on PATH).', fix: 'Install k6 v1.3 …' });
    const e = await failure(preflight({}, 'build/sse.js', f.deps));
    expect(formatPreflightError(e)).toBe(
      'preflight failed: k6 was not found (K6_BIN is unset and there is no k6 on PATH).\n  fix: Install k6 v1.3 …\n(nothing was sent to the target)',
    );
    expect(f.sent).toEqual([]);
  });

  it('no built script', async () => {
    const f = fake(WORKFLOW_STARTED, K6_OK, false);
    const e = await failure(preflight({}, 'build/sse.js', f.deps));
    expect(e.problem).toBe('the k6 script build/sse.js does not exist');
    expect(e.fix).toMatch(/npm run build/);
    expect(f.sent).toEqual([]);
  });
});

describe('the probe request is the run\'s first request', () => {
  const loadConfigFor = loadConfig; // the loader the preflight and build/sse.js use
  const readQuestions = (path: string): string => {
    if (path === '/q.txt') return 'first question\nsecond question\n';
    throw new Error(`ENOENT: ${path}`);
  };
  const cfg = (env: NodeJS.ProcessEnv) => probeRequest(loadConfigFor(env), env, {}, readQuestions);

  it('dify-workflow: POST, JSON body with the first question and the probe user, no Authorization without a key', () => {
    const r = cfg({ BASE_URL: 'http://dify.local/v1' });
    expect(r.method).toBe('POST');
    expect(r.url).toBe('http://dify.local/v1/workflows/run');
    expect(r.headers).toEqual({ 'Content-Type': 'application/json' });
    expect(JSON.parse(r.body ?? '')).toEqual({ inputs: { question: expect.any(String) }, response_mode: 'streaming', user: 'sse-bench-0-0' });
    expect(r.timeoutMs).toBe(10_000);
    expect(r.insecureSkipTlsVerify).toBe(false);
  });

  it('openai-chat with a key and QUESTIONS_FILE: the bearer key and the file\'s question', () => {
    const r = cfg({ BASE_URL: 'http://llm.local', TARGET: 'openai-chat', MODEL: 'gpt-4', API_KEY: KEY, QUESTIONS_FILE: '/q.txt' });
    expect(r.url).toBe('http://llm.local/v1/chat/completions');
    expect(r.headers).toEqual({ 'Content-Type': 'application/json', Authorization: `Bearer ${KEY}` });
    const body = JSON.parse(r.body ?? '') as { model: string; stream: boolean; messages: { content: string }[] };
    expect(body.model).toBe('gpt-4');
    expect(body.stream).toBe(true);
    expect(['first question', 'second question']).toContain(body.messages[0]?.content);
  });

  it('generic: METHOD and BODY as set; TLS verification off with k6\'s flag or K6_INSECURE_SKIP_TLS_VERIFY', () => {
    const env = { BASE_URL: 'https://sse.local', TARGET: 'generic', ENDPOINT: '/events', METHOD: 'GET' };
    const r = cfg(env);
    expect([r.method, r.url, r.body]).toEqual(['GET', 'https://sse.local/events', undefined]);
    expect(probeRequest(loadConfigFor(env), env, { insecureSkipTlsVerify: true }, () => '').insecureSkipTlsVerify).toBe(true);
    const viaEnv = { ...env, K6_INSECURE_SKIP_TLS_VERIFY: 'true' };
    expect(probeRequest(loadConfigFor(viaEnv), viaEnv, {}, () => '').insecureSkipTlsVerify).toBe(true);
  });

  it('trusts SSL_CERT_FILE for https, as k6 does', () => {
    const env = { BASE_URL: 'https://dify.local', SSL_CERT_FILE: '/etc/ca.pem' };
    const read = (p: string): string => (p === '/etc/ca.pem' ? '-----BEGIN CERTIFICATE-----\n…' : '');
    expect(probeRequest(loadConfigFor(env), env, {}, read).ca).toBe('-----BEGIN CERTIFICATE-----\n…');
    expect(() => probeRequest(loadConfigFor(env), env, {}, () => { throw new Error('ENOENT'); })).toThrow(PreflightError);
  });
});

describe('after the probe', () => {
  it('sends exactly one request and passes a target that answers as TARGET reads it, with no key', async () => {
    const f = fake(WORKFLOW_STARTED);
    const r = await preflight({ BASE_URL: 'http://dify.local/v1' }, 'build/sse.js', f.deps);
    expect(f.sent).toHaveLength(1);
    expect(r.mock).toBeNull();
    expect(r.env).toEqual(K6_OK.env);
    expect(r.notes).toEqual([
      'target: dify-workflow at http://dify.local/v1',
      'one probe request sent (POST http://dify.local/v1/workflows/run): HTTP 200 text/event-stream, first event "workflow_started", as TARGET=dify-workflow reads it',
    ]);
  });

  it('stops at a 401 with the fix, saying one request was sent', async () => {
    const f = fake({ kind: 'response', status: 401, contentType: 'application/json', location: '', excerpt: '{"code":"unauthorized"}', firstEvent: null, stop: 'end' });
    const e = await failure(preflight({ BASE_URL: 'http://llm.local', TARGET: 'openai-chat' }, 'build/sse.js', f.deps));
    expect(f.sent).toHaveLength(1);
    expect(formatPreflightError(e)).toMatch(/^preflight failed: the server wants a key: POST http:\/\/llm\.local\/v1\/chat\/completions answered HTTP 401/);
    expect(formatPreflightError(e)).toMatch(/\n {2}fix: export API_KEY=.*\n\(one probe request was sent to the target; no load was run\)$/);
  });

  it('a refused connection at a non-default BASE_URL stops the run', async () => {
    const e = await failure(preflight({ BASE_URL: 'http://127.0.0.1:5204' }, 'build/sse.js', fake({ ...REFUSED, message: 'connect ECONNREFUSED 127.0.0.1:5204' }).deps));
    expect(e.problem).toBe('the connection to http://127.0.0.1:5204 was refused (connect ECONNREFUSED 127.0.0.1:5204)');
    expect(formatPreflightError(e)).toMatch(/\(nothing was sent to the target\)$/);
  });

  it('a connection reset after the request went out says the probe was sent', async () => {
    const e = await failure(preflight({ BASE_URL: 'http://dify.local' }, 'build/sse.js', fake({ kind: 'network', code: 'ECONNRESET', message: 'socket hang up' }).deps));
    expect(e.problem).toBe('the connection to http://dify.local failed: socket hang up (ECONNRESET)');
    expect(e.probeSent).toBe(true);
  });

  it('starts the embedded mock when BASE_URL is unset and nothing listens, and points k6 at it', async () => {
    const f = fake(REFUSED);
    const r = await preflight({}, 'build/sse.js', f.deps);
    expect(f.started).toEqual(['127.0.0.1:5001']);
    expect(r.mock?.url).toBe('http://127.0.0.1:5001');
    expect(r.env).toEqual({ ...K6_OK.env, BASE_URL: 'http://127.0.0.1:5001' });
    expect(r.notes).toEqual(['nothing listened on http://localhost:5001: started the embedded mock server at http://127.0.0.1:5001 for this run']);
  });

  it('BREAKDOWN=true: the embedded mock keeps its model log, which the time breakdown joins', async () => {
    const f = fake(REFUSED);
    await preflight({ BREAKDOWN: 'true' }, 'build/sse.js', f.deps);
    expect(f.started).toEqual(['127.0.0.1:5001 with its model log']);
  });

  it('an embedded mock that cannot start', async () => {
    const f = fake(REFUSED);
    f.deps.startMock = async () => {
      throw new Error('listen EADDRINUSE: address already in use 127.0.0.1:5001');
    };
    const e = await failure(preflight({}, 'build/sse.js', f.deps));
    expect(e.problem).toBe('could not start the embedded mock server on 127.0.0.1:5001 (listen EADDRINUSE: address already in use 127.0.0.1:5001)');
    expect(e.fix).toBe('free port 5001, or set BASE_URL to a running server');
  });
});

describe('helpers', () => {
  it('knows the default BASE_URL with or without a trailing slash', () => {
    expect(isDefaultBaseUrl({})).toBe(true);
    expect(isDefaultBaseUrl({ BASE_URL: ' ' })).toBe(true);
    expect(isDefaultBaseUrl({ BASE_URL: 'http://localhost:5001/' })).toBe(true);
    expect(isDefaultBaseUrl({ BASE_URL: 'http://127.0.0.1:5001' })).toBe(false);
  });
});
