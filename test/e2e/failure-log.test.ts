/**
 * End-to-end with real k6: the failure lines build/sse.js logs (lib/vu/failure-log.ts, one per VU
 * and error type) as k6 really writes them to stderr, in its default logfmt and with
 * `--log-format=json`, read back by the bench CLI's collector (cli/bench/failure-collector.ts).
 * Skipped, with a visible message, without k6 with k6/x/sse (or without build/sse.js).
 */
import { existsSync } from 'node:fs';
import { expect, it } from 'vitest';
import { FailureCollector } from '../../cli/bench/failure-collector.ts';
import { freeAddress } from '../../cli/run/k6-run.ts';
import type { ErrorType } from '../../lib/error-types.ts';
import { NO_BODY_NOTE } from '../../lib/vu/failure-log.ts';
import type { MockOptions } from '../../mock/options.ts';
import { startMockServer } from '../../mock/server.ts';
import { describeEachK6, realK6s } from './real-k6.ts';
import { runK6, type FoundK6 } from './run-k6.ts';

const k6s = await realK6s('failure-log tests');
const hasBuild = existsSync('build/sse.js');
if (k6s.length > 0 && !hasBuild) console.warn('[e2e] SKIPPED failure-log tests: build/sse.js is missing (npm run build)');

const VUS = 2;
const ITERATIONS = 6;
/** Looks like a key to the script, but is not one. */
const KEY = 'e2e-fixture-not-a-key-0123456789';

async function reasonsOf(k6: FoundK6, baseUrl: string, k6Args: string[] = [], target = 'dify-workflow'): Promise<{ collector: FailureCollector; stderr: string }> {
  const vars = { TARGET: target, BASE_URL: baseUrl, API_KEY: KEY, PROFILE: 'smoke', SCENARIOS: 'stream', VUS: String(VUS), ITERATIONS: String(ITERATIONS), THRESHOLDS: 'none', STREAM_TIMEOUT: '5s' };
  const run = await runK6(k6, 'build/sse.js', vars, 60_000, k6Args);
  expect(run.code, run.stderr).toBe(0);
  const collector = new FailureCollector(KEY);
  for (const line of run.stderr.split('\n')) collector.line(line);
  expect(run.stderr).not.toContain(KEY);
  return { collector, stderr: run.stderr };
}

/** Each VU that failed logs its first failure of a type once: 1..VUS lines for one type. */
function expectOnePerVu(collector: FailureCollector, type: ErrorType, reason: RegExp, stderr: string): void {
  const group = collector.reasons[type];
  expect(group, stderr).toBeDefined();
  const lines = group!.reasons.reduce((n, r) => n + r.count, 0) + group!.more;
  expect(lines).toBeGreaterThanOrEqual(1);
  expect(lines).toBeLessThanOrEqual(VUS);
  for (const r of group!.reasons) expect(r.reason).toMatch(reason);
  expect(Object.keys(collector.reasons)).toEqual([type]);
}

describeEachK6("failure reasons from k6's log", hasBuild ? k6s : [], (k6) => {
  // Dify ends its error JSON with a newline, so xk6-sse hands the body over; the OpenAI dialect
  // (vLLM, FastAPI) does not, so the script sees no body and the reason says why (mock/http.ts).
  const escaped = NO_BODY_NOTE.replace(/[()]/g, '\\$&');
  const faults: ReadonlyArray<[MockOptions['fault'], string, ErrorType, RegExp]> = [
    ['http_401', 'dify-workflow', 'http_4xx', /^status 401: \{"code": ?"unauthorized", ?"message": ?"Mock fault: http_401"/],
    ['http_401', 'openai-chat', 'http_4xx', new RegExp(`^status 401 ${escaped}$`)],
    ['http_500', 'openai-chat', 'http_5xx', new RegExp(`^status 500 ${escaped}$`)],
    ['error_event', 'dify-workflow', 'server_error_event', /error/],
  ];
  it.each(faults)('mock fault %s, target %s: logged once per VU as %s, read back with its reason', { timeout: 90_000 }, async (fault, target, type, reason) => {
    const mock = await startMockServer({ host: '127.0.0.1', port: 0, pingIntervalMs: 0, tokens: 6, tokenIntervalMs: 5, fault, seed: 'failure-log' });
    try {
      const { collector, stderr } = await reasonsOf(k6, mock.url, [], target);
      expectOnePerVu(collector, type, reason, stderr);
    } finally {
      await mock.close();
    }
  });

  it("a refused connection gives Go's error text, in logfmt and in JSON log lines", { timeout: 120_000 }, async () => {
    const url = `http://${await freeAddress()}`; // a port the OS just freed: nothing listens
    const text = await reasonsOf(k6, url);
    expectOnePerVu(text.collector, 'connection_error', /connection refused/, text.stderr);
    const json = await reasonsOf(k6, url, ['--log-format=json']);
    expect(json.stderr).toMatch(/^\{.*"msg":"sse-bench failure error_type=connection_error: /m);
    expectOnePerVu(json.collector, 'connection_error', /connection refused/, json.stderr);
  });
});
