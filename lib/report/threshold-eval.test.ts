import { describe, expect, it } from 'vitest';
import { loadConfig } from '../init/config.ts';
import { evaluateThresholds, k6Percentile, thresholdsPass, type EvalSample } from './threshold-eval.ts';
import { loadThresholds, THRESHOLD_SETS, validateThresholds } from '../init/thresholds.ts';

const sample = (metric: string, value: number, tags: Record<string, string> = {}): EvalSample => ({ metric, value, tags });
const set = (name: 'default' | 'strict') => loadThresholds(loadConfig({ THRESHOLDS: name }), () => '');

describe("k6's end-of-test semantics", () => {
  it('an empty Trend is 0 everywhere: p(95)<500 passes with no sample', () => {
    expect(evaluateThresholds({ sse_ttfe: ['p(95)<500', 'avg>1'] }, [], 60_000)).toEqual([
      { key: 'sse_ttfe', expression: 'p(95)<500', ok: true, value: 0, skipped: false },
      { key: 'sse_ttfe', expression: 'avg>1', ok: false, value: 0, skipped: false },
    ]);
  });

  it('an empty Rate has no rate: k6 skips the threshold, which passes (grafana/k6#4283)', () => {
    expect(evaluateThresholds({ sse_stream_success: ['rate>0.99'] }, [], 60_000)).toEqual([
      { key: 'sse_stream_success', expression: 'rate>0.99', ok: true, value: null, skipped: true },
    ]);
  });

  it('an empty Counter counts 0: count>0 fails', () => {
    expect(evaluateThresholds({ sse_streams_closed: ['count>0'] }, [], 60_000)[0]).toMatchObject({ ok: false, value: 0 });
  });

  it('computes each aggregation from samples, sub-metrics by tag', () => {
    const samples = [
      sample('sse_ttfe', 10),
      sample('sse_ttfe', 20),
      sample('sse_ttfe', 30),
      sample('sse_stream_success', 1),
      sample('sse_stream_success', 0),
      sample('sse_errors', 1, { error_type: 'timeout' }),
      sample('sse_errors', 1, { error_type: 'http_5xx' }),
      sample('vus', 3),
      sample('vus', 2),
    ];
    const v = evaluateThresholds(
      { sse_ttfe: ['p(95)<29', 'med==20', 'min>=10', 'max<=30'], sse_stream_success: ['rate==0.5'], 'sse_errors{error_type:timeout}': ['count<2', 'rate>0.01'], vus: ['value==2'] },
      samples,
      10_000,
    );
    expect(v.map((x) => [x.expression, x.value, x.ok])).toEqual([
      ['p(95)<29', 29, false],
      ['med==20', 20, true],
      ['min>=10', 10, true],
      ['max<=30', 30, true],
      ['rate==0.5', 0.5, true],
      ['count<2', 1, true],
      ['rate>0.01', 0.1, true],
      ['value==2', 2, true],
    ]);
    expect(k6Percentile([5], 0.95)).toBe(5);
  });
});

describe('the bundled threshold sets fail a run on its own terms', () => {
  const opened = (n: number) => Array.from({ length: n }, () => sample('sse_streams_opened', 1));
  /** 10 streams opened, every one cut off by the end of the test: no stream ended, no TTFE, no success sample. */
  const noStreamEnded = opened(10);
  /** 10 streams, each refused: ended, failed. */
  const allFailed = [
    ...opened(10),
    ...Array.from({ length: 10 }, () => [sample('sse_streams_closed', 1), sample('sse_stream_success', 0), sample('sse_errors', 1, { error_type: 'connection_error' })]).flat(),
  ];
  const healthy = [
    ...opened(10),
    ...Array.from({ length: 10 }, () => [sample('sse_streams_closed', 1), sample('sse_stream_success', 1), sample('sse_ttfe', 42)]).flat(),
  ];

  it('without a counter condition, a run where no stream ended passes (the gap)', () => {
    const ttfeAndSuccessOnly = validateThresholds({ sse_ttfe: ['p(95)<500'], sse_stream_success: ['rate>0.99'] }, 'test');
    expect(thresholdsPass(evaluateThresholds(ttfeAndSuccessOnly, noStreamEnded, 60_000))).toBe(true);
  });

  it.each(['default', 'strict'] as const)('%s: fails a run where no stream ended, and one where every stream failed; passes a healthy one', (name) => {
    const thresholds = set(name);
    const failedOf = (samples: readonly EvalSample[]) => evaluateThresholds(thresholds, samples, 60_000).filter((v) => !v.ok).map((v) => `${v.key}: ${v.expression}`);
    expect(failedOf(noStreamEnded)).toEqual(['sse_streams_closed: count>0']);
    expect(failedOf(allFailed)).toEqual(['sse_stream_success: rate>0.99']);
    expect(failedOf(healthy)).toEqual([]);
    expect(THRESHOLD_SETS[name]).toMatchObject({ sse_streams_closed: ['count>0'] });
  });
});
