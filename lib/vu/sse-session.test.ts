import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { runtime } from '../../test/doubles/runtime.ts';
import { endRun, requests, setServer, startRun } from '../../test/k6-harness.ts';
import { loadConfig } from '../init/config.ts';
import { createSuiteMetrics } from '../init/metric-specs.ts';
import { K6_METRIC_FACTORY, metricsSink } from './metrics.ts';
import { createSession } from './sse-session.ts';
import { NO_SETTINGS } from './stream-tracker.ts';
import { createTarget } from './targets.ts';

let sum: (metric: string) => number;

let options: { throw?: boolean } = {};

beforeEach(() => {
  startRun(options);
  sum = (metric) => runtime().samples.filter((s) => s.metric === metric).reduce((a, s) => a + s.value, 0);
});
afterEach(endRun);

let failures: [string, string][] = [];

function session(env: Record<string, string>) {
  const target = createTarget(loadConfig(env));
  failures = [];
  const sink = metricsSink(createSuiteMetrics(K6_METRIC_FACTORY));
  const run = createSession(target.mode('stream', sink), NO_SETTINGS, sink, (type, reason) => failures.push([type, reason]));
  runtime().phase = 'vu';
  return { run, target };
}

test('closes after the terminal event without waiting for the server', () => {
  const { run, target } = session({ TARGET: 'openai-chat' });
  setServer(() => ({ kind: 'response', chunks: [{ at: 10, text: 'data: [DONE]\n\n' }, { at: 5000, text: 'data: {}\n\n' }], end: { kind: 'silence' } }));
  expect(run(target.request('q', 'u'))).toEqual({ success: true, errorType: null, reason: '' });
  expect(runtime().samples.find((s) => s.metric === 'http_req_duration')?.value).toBe(10);
  expect([sum('sse_streams_opened'), sum('sse_streams_closed')]).toEqual([1, 1]);
});

test('streams closed is counted even when sse.open throws', () => {
  const { run, target } = session({ TARGET: 'openai-chat' });
  setServer(() => ({ kind: 'response' }));
  const req = target.request('q', 'u');
  expect(() => run({ url: req.url, params: { ...req.params, timeout: 'soon' } })).toThrow(/invalid duration/);
  expect([sum('sse_streams_opened'), sum('sse_streams_closed')]).toEqual([1, 1]);
});

test('one session serves consecutive streams, each classified on its own', () => {
  const { run, target } = session({ TARGET: 'dify-workflow' });
  setServer((r) =>
    requests().length === 1
      ? { kind: 'refused' }
      : { kind: 'response', chunks: [{ at: 5, text: `data: {"event": "workflow_finished", "data": {"status": "succeeded", "user": "${JSON.parse(r.body).user}"}}\n\n` }] },
  );
  expect(run(target.request('q', 'u1')).errorType).toBe('connection_error');
  expect(run(target.request('q', 'u2'))).toEqual({ success: true, errorType: null, reason: '' });
  expect(failures).toEqual([['connection_error', 'Post "http://localhost:5001/v1/workflows/run": dial tcp localhost:5001: connect: connection refused']]);
});

describe("k6's throw option (--throw): sse.open throws on a connection failure", () => {
  beforeAll(() => {
    options = { throw: true };
  });
  afterAll(() => {
    options = {};
  });

  test.each([
    [{ kind: 'refused' } as const, 'connection_error'],
    [{ kind: 'response', headersAt: 5_000 } as const, 'timeout'],
  ])('%o: the exception reaches k6, and the stream is still counted as a %s failure', (script, errorType) => {
    const { run, target } = session({ TARGET: 'dify-workflow', STREAM_TIMEOUT: '2s' });
    setServer(() => script);
    expect(() => run(target.request('q', 'u'))).toThrow(/connection refused|awaiting headers/);
    expect(failures.map(([type]) => type)).toEqual([errorType]);
    const samples = runtime().samples.filter((s) => s.metric.startsWith('sse_'));
    expect(samples.map((s) => [s.metric, s.value, s.tags['error_type']])).toEqual([
      ['sse_streams_opened', 1, undefined],
      ['sse_stream_success', 0, undefined],
      ['sse_goodput', 0, undefined],
      ['sse_errors', 1, errorType],
      ['sse_streams_closed', 1, undefined],
    ]);
  });

  test('a throw after setup ran (a handler threw) is not counted as a connection failure', () => {
    const interpret = (): never => {
      throw new Error('bug in an interpreter');
    };
    const buggy = { interpret, detail: false, needsTerminal: true };
    const run = createSession(buggy, NO_SETTINGS, metricsSink(createSuiteMetrics(K6_METRIC_FACTORY)), () => {
      throw new Error('no failure expected');
    });
    runtime().phase = 'vu';
    setServer(() => ({ kind: 'response', chunks: [{ at: 5, text: 'data: {}\n\n' }] }));
    expect(() => run({ url: 'http://x/', params: {} })).toThrow('bug in an interpreter');
    expect([sum('sse_errors'), sum('sse_streams_opened'), sum('sse_streams_closed')]).toEqual([0, 1, 1]);
  });
});
