/**
 * End-to-end: CANCEL_RATE under a real k6 (each k6 found), against the embedded mock (Dify
 * workflow and chat, OpenAI) and the fake Dify relaying it: about CANCEL_RATE of the streams are
 * stopped the target's way, their stop latency is measured, they count apart from errors, and the
 * threshold gate (thresholds/default.json) passes. Skipped, with a visible message, without such a k6.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startMockServer, type MockServer } from '../../mock/server.ts';
import type { MockOptions } from '../../mock/options.ts';
import { startFakeDify, type FakeDify } from '../fake-dify/console.ts';
import { describeEachK6, realK6s } from './real-k6.ts';
import { runK6, type FoundK6, type K6Run } from './run-k6.ts';

const k6s = await realK6s('CANCEL_RATE under real k6');

const N = 40;
/** Streams of ~30 tokens 5 ms apart: a stop after 5 tokens comes long before the end. */
const LONG: Partial<MockOptions> = { pingIntervalMs: 0, tokens: 30, tokenIntervalMs: 5, ttfeMs: 5, ttftMs: 10, seed: 'cancel-e2e', stopDelayMs: 20 };

const run = (k6: FoundK6, baseUrl: string, vars: Record<string, string>): Promise<K6Run> =>
  runK6(
    k6,
    'build/sse.js',
    { BASE_URL: baseUrl, PROFILE: 'smoke', SCENARIOS: 'stream', VUS: '4', ITERATIONS: String(N), THRESHOLDS: 'default', STREAM_TIMEOUT: '5s', CANCEL_RATE: '0.3', CANCEL_AFTER: '5', ...vars },
    90_000,
  );

const metric = (r: K6Run, name: string, stat: string): number => Number(r.report!.summary.metrics[name]?.values[stat] ?? NaN);

/** The figures every cancel run must show: ~30 % stopped, the rest succeeded, no error, gate passed. */
function expectCancelled(r: K6Run): number {
  expect(r.code).toBe(0); // thresholds/default.json passed: cancelled streams are not failures
  const cancelled = metric(r, 'sse_streams_cancelled', 'count');
  expect(cancelled).toBeGreaterThanOrEqual(0.15 * N);
  expect(cancelled).toBeLessThanOrEqual(0.45 * N);
  expect(metric(r, 'sse_stream_cancelled', 'rate')).toBeCloseTo(cancelled / N, 10);
  expect(metric(r, 'sse_stream_success', 'rate')).toBe(1);
  expect(metric(r, 'sse_stream_success', 'passes')).toBe(N - cancelled);
  expect(r.report!.summary.metrics['sse_errors']?.values['count'] ?? 0).toBe(0);
  expect(metric(r, 'sse_stop_latency', 'count')).toBe(cancelled);
  expect(r.report!.cancelled?.streams).toBe(cancelled); // the reports' own section
  return cancelled;
}

describeEachK6('CANCEL_RATE=0.3', k6s, (k6) => {
  let mock: MockServer;
  beforeAll(async () => {
    mock = await startMockServer({ ...LONG, host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => mock?.close());

  it.each(['dify-workflow', 'dify-chat'])('%s: Dify stop requests, answered by the stopped end events after --stop-delay-ms (20 ms)', async (target) => {
    const before = mock.stats();
    const r = await run(k6, mock.url, { TARGET: target });
    const cancelled = expectCancelled(r);
    expect(mock.stats().streamsStopped - before.streamsStopped).toBe(cancelled); // every stop reached its stream
    expect(metric(r, 'sse_stop_latency', 'min')).toBeGreaterThanOrEqual(20);
    expect(metric(r, 'sse_stop_latency', 'med')).toBeLessThan(20 + 40);
    expect(metric(r, 'sse_stop_failed', 'count') || 0).toBe(0);
  });

  it('openai-chat: the client closes; the mock stopped generating (tokensAfterClientLeft 0)', async () => {
    const before = mock.stats();
    const r = await run(k6, mock.url, { TARGET: 'openai-chat' });
    const cancelled = expectCancelled(r);
    expect(mock.stats().streamsAborted - before.streamsAborted).toBe(cancelled);
    expect(mock.stats().tokensAfterClientLeft).toBe(before.tokensAfterClientLeft);
    expect(metric(r, 'sse_stop_latency', 'max')).toBeLessThan(20);
  });

  it('openai-chat against a server that keeps generating: the mock reports the tokens made after its client left', async () => {
    const gen = await startMockServer({ ...LONG, afterClientLeft: 'generate', host: '127.0.0.1', port: 0 });
    try {
      const r = await run(k6, gen.url, { TARGET: 'openai-chat' });
      const cancelled = expectCancelled(r);
      for (let i = 0; i < 200 && gen.stats().tokensAfterClientLeft < cancelled * 20; i++) await new Promise((res) => setTimeout(res, 10));
      // Each stopped stream had written ~5 of its 30 tokens (more in flight): the rest were generated for nobody.
      expect(gen.stats().tokensAfterClientLeft).toBeGreaterThanOrEqual(cancelled * 20);
      expect(gen.stats().tokensAfterClientLeft).toBeLessThanOrEqual(cancelled * 25);
    } finally {
      await gen.close();
    }
  });

  it('dify-workflow through the fake Dify: its stop ends the relayed run with workflow_finished stopped', async () => {
    const dify: FakeDify = await startFakeDify();
    try {
      dify.addCredential('mock', mock.url);
      dify.addPublishedWorkflow('app-cancel-e2e');
      const before = mock.stats();
      const r = await run(k6, `${dify.url}/v1`, { API_KEY: 'app-cancel-e2e' });
      const cancelled = expectCancelled(r);
      expect(dify.calls.filter((c) => /^POST \/v1\/workflows\/tasks\/[^/]+\/stop$/.test(c)).length).toBe(cancelled);
      expect(mock.stats().streamsStopped).toBe(before.streamsStopped); // the fake dropped the model call, as Dify does
    } finally {
      await dify.close();
    }
  });
});
