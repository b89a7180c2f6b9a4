/**
 * End-to-end: the bundled build/sse.js under a real k6 with k6/x/sse, against the
 * embedded mock server on 127.0.0.1, once per k6 found (test/e2e/real-k6.ts: K6_BIN's list,
 * else every k6 / k6-* on PATH). Skipped, with a visible message, when no such k6 is found —
 * as on machines where k6 cannot be installed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeAddress } from '../../cli/run/k6-run.ts';
import { startMockServer, type MockServer } from '../../mock/server.ts';
import { sseRequest } from '../../mock/sse-test-client.ts';
import type { MockOptions } from '../../mock/options.ts';
import type { ErrorType } from '../../lib/error-types.ts';
import { describeEachK6, realK6s } from './real-k6.ts';
import { runK6, type FoundK6 } from './run-k6.ts';

const k6s = await realK6s('real-k6 end-to-end tests');

const SCRIPT = 'build/sse.js';
const RUN_TIMEOUT_MS = 60_000;
const ITERATIONS = 4;

/** A quiet, fast stream: no pings, a handful of tokens. */
const FAST: Partial<MockOptions> = { pingIntervalMs: 0, tokens: 8, tokenIntervalMs: 2, ttfeMs: 5, ttftMs: 10, seed: 'e2e' };

async function withMock<T>(options: Partial<MockOptions>, fn: (mock: MockServer) => Promise<T>): Promise<T> {
  const mock = await startMockServer({ ...options, host: '127.0.0.1', port: 0 });
  try {
    return await fn(mock);
  } finally {
    await mock.close();
  }
}

/** Events one stream of the mock carries, counted by a spec-compliant parser (ping excluded when disabled). */
async function eventsInOneStream(mock: MockServer): Promise<number> {
  const body = { inputs: { question: 'count' }, response_mode: 'streaming', user: 'e2e' };
  return (await sseRequest(`${mock.url}/v1/workflows/run`, { body })).events.length;
}

function run(k6: FoundK6, baseUrl: string, vars: Record<string, string> = {}) {
  return runK6(
    k6,
    SCRIPT,
    { BASE_URL: baseUrl, PROFILE: 'smoke', SCENARIOS: 'stream', VUS: '2', ITERATIONS: String(ITERATIONS), THRESHOLDS: 'none', STREAM_TIMEOUT: '3s', ...vars },
    RUN_TIMEOUT_MS,
  );
}

describeEachK6('build/sse.js', k6s, (k6) => {
  let mock: MockServer;
  beforeAll(async () => {
    mock = await startMockServer({ ...FAST, ttfeMs: 150, ttftMs: 160, host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => mock?.close());

  it('measures a 150 ms TTFE within 10 ms and counts every event', async () => {
    const expectedEvents = await eventsInOneStream(mock);
    const { code, report } = await run(k6, mock.url);
    expect(code).toBe(0);
    const metrics = report!.summary.metrics;
    expect(Math.abs(Number(metrics['sse_ttfe']!.values['med']) - 150)).toBeLessThanOrEqual(10);
    expect(metrics['sse_events_per_stream']!.values['min']).toBe(expectedEvents);
    expect(metrics['sse_events_per_stream']!.values['max']).toBe(expectedEvents);
    expect(report!.figures['totalConnections']).toBe(ITERATIONS);
    expect(report!.figures['successRate']).toBe(1);
  });

  it.each(['dify-chat', 'openai-chat'])('streams the %s target to its terminal event', async (target) => {
    const { code, report } = await run(k6, mock.url, { TARGET: target });
    expect(code).toBe(0);
    expect(report!.figures['successRate']).toBe(1);
  });

  it('fails thresholds/default.json with exit code 99 when TTFE is 700 ms', async () => {
    await withMock({ ...FAST, ttfeMs: 700, ttftMs: 710 }, async (slow) => {
      const { code } = await run(k6, slow.url, { THRESHOLDS: 'default' });
      expect(code).toBe(99);
    });
  });

  const faults: ReadonlyArray<[MockOptions['fault'], ErrorType | null]> = [
    ['http_500', 'http_5xx'],
    ['http_429', 'http_4xx'],
    ['http_401', 'http_4xx'],
    ['non_sse', 'invalid_response'],
    ['reset', 'protocol_error'],
    ['stall', 'timeout'],
    ['invalid_json', 'invalid_json'],
    ['error_event', 'server_error_event'],
    ['workflow_failed', 'server_error_event'],
    ['no_terminal', 'early_termination'],
    ['unknown_field', null],
    ['crlf', null],
  ];
  it.each(faults)('classifies mock fault %s as %s and ends by itself', async (fault, errorType) => {
    await withMock({ ...FAST, fault }, async (faulty) => {
      const { code, report } = await run(k6, faulty.url);
      expect(code).toBe(0);
      const errors = report!.errorsByType;
      const total = Object.values(errors).reduce((a, b) => a + b, 0);
      if (errorType === null) {
        expect(total).toBe(0);
        expect(report!.figures['successRate']).toBe(1);
      } else {
        expect(errors[errorType]).toBe(ITERATIONS);
        expect(total).toBe(ITERATIONS);
      }
      expect(faulty.stats().activeStreams).toBe(0);
    });
  });

  it('classifies a refused connection as connection_error', async () => {
    const { report } = await run(k6, `http://${await freeAddress()}`); // a port the OS just freed: nothing listens
    expect(report!.errorsByType.connection_error).toBe(ITERATIONS);
  });

  it('ends a stream at STREAM_TIMEOUT when the deadline passes mid-stream', async () => {
    await withMock({ ...FAST, tokens: 1000, tokenIntervalMs: 10 }, async (longStreams) => {
      const { report } = await run(k6, longStreams.url, { STREAM_TIMEOUT: '1s' });
      expect(report!.errorsByType.timeout).toBe(ITERATIONS);
    });
  });
});
