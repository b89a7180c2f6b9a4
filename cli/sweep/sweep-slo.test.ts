import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseReportJson, type ReportJson } from '../../lib/report/report-json.ts';
import { UsageError } from '../args.ts';
import { checkDropped, checkSlos, parseSloFlag, resolveSlos, sloLabel, sloThresholds, streamSloVars } from './sweep-slo.ts';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
/** report-b: sse_ttfe p(95)<500 passed (77 ms, 148 samples), sse_stream_success rate>0.99 failed (0.98). */
const reportB = parseReportJson(fixture('report-b.json'), 'report-b.json');

describe('parseSloFlag', () => {
  it('splits metric and expression, also for sub-metric keys with colons in their tags', () => {
    expect(parseSloFlag('sse_ttfe:p(95)<500')).toEqual({ metric: 'sse_ttfe', expression: 'p(95)<500' });
    expect(parseSloFlag(' sse_ttft : p(99) < 2000 ')).toEqual({ metric: 'sse_ttft', expression: 'p(99) < 2000' });
    expect(parseSloFlag('sse_errors{error_type:timeout}:count<10')).toEqual({ metric: 'sse_errors{error_type:timeout}', expression: 'count<10' });
  });

  it('rejects with the threshold parser\'s message, naming --slo', () => {
    expect(() => parseSloFlag('sse_ttfe')).toThrow(new UsageError(`--slo: expected <metric>:<threshold expression>, e.g. 'sse_ttfe:p(95)<500' or 'sse_stream_success:rate>0.99', got "sse_ttfe"`));
    expect(() => parseSloFlag('sse_ttfe:')).toThrow(UsageError);
    expect(() => parseSloFlag('sse_ttfb:p(95)<500')).toThrow(/^--slo "sse_ttfb:p\(95\)<500": unknown metric "sse_ttfb"; accepted: the suite's metrics/);
    expect(() => parseSloFlag('sse_ttfe:rate>0.5')).toThrow('--slo "sse_ttfe:rate>0.5": "sse_ttfe": "rate>0.5" uses rate, which a trend metric has not; accepted: avg, min, max, med, p(N)');
    expect(() => parseSloFlag('sse_ttfe:p(95)<fast')).toThrow(/is not a threshold expression/);
    expect(() => parseSloFlag('http_req_failed:rate<0.01')).toThrow(/never emitted by k6\/x\/sse/);
  });
});

describe('resolveSlos / sloThresholds', () => {
  it('defaults to the default threshold set', () => {
    expect(resolveSlos([])).toEqual([
      { metric: 'sse_ttfe', expression: 'p(95)<500' },
      { metric: 'sse_stream_success', expression: 'rate>0.99' },
      { metric: 'sse_streams_closed', expression: 'count>0' },
    ]);
  });

  it('groups the SLOs by metric as a k6 thresholds object', () => {
    const slos = resolveSlos(['sse_ttfe:p(95)<200', 'sse_ttfe:p(99)<400', 'sse_stream_success:rate>0.99']);
    expect(sloThresholds(slos)).toEqual({ sse_ttfe: ['p(95)<200', 'p(99)<400'], sse_stream_success: ['rate>0.99'] });
  });
});

describe('streamSloVars', () => {
  it('sets SLO_TTFE / SLO_TTFT / SLO_TPOT from upper bounds on their metrics, the tightest one', () => {
    const slos = resolveSlos(['sse_ttfe:p(95)<500', 'sse_ttfe:p(99)<=300', 'sse_ttft:p(95)<2000', 'llm_time_per_output_token:avg<50', 'sse_stream_success:rate>0.99']);
    expect(streamSloVars(slos)).toEqual({ SLO_TTFE: '300ms', SLO_TTFT: '2000ms', SLO_TPOT: '50ms' });
  });

  it('ignores lower bounds, counts, other metrics, and sub-metrics keep their metric', () => {
    expect(streamSloVars(resolveSlos(['sse_ttfe:p(95)>10', 'sse_open_time:p(95)<100', 'sse_ttfe{scenario:stream}:med<150.5']))).toEqual({ SLO_TTFE: '150.5ms' });
    expect(streamSloVars(resolveSlos([]))).toEqual({ SLO_TTFE: '500ms' });
  });
});

describe('checkSlos', () => {
  it("takes k6's verdict and observed value from the step's report", () => {
    const checks = checkSlos(resolveSlos(['sse_ttfe:p(95)<500', 'sse_stream_success:rate>0.99']), reportB);
    expect(checks).toEqual([
      { metric: 'sse_ttfe', expression: 'p(95)<500', ok: true, observed: 77 },
      { metric: 'sse_stream_success', expression: 'rate>0.99', ok: false, observed: 0.98 },
    ]);
  });

  it('fails an SLO k6 did not evaluate, and a latency SLO without samples', () => {
    expect(checkSlos([{ metric: 'sse_ttft', expression: 'p(95)<900' }], reportB)).toEqual([
      { metric: 'sse_ttft', expression: 'p(95)<900', ok: false, observed: null, note: 'not evaluated by k6' },
    ]);
    const metrics = { ...reportB.summary.metrics, sse_ttfe: { type: 'trend' as const, contains: 'time' as const, values: { 'p(95)': 0, count: 0 }, thresholds: { 'p(95)<500': { ok: true } } } };
    const empty: ReportJson = { ...reportB, summary: { ...reportB.summary, metrics } };
    expect(checkSlos([{ metric: 'sse_ttfe', expression: 'p(95)<500' }], empty)[0]).toMatchObject({ ok: false, note: 'no samples' });
  });

  it('open model: dropped iterations fail the step', () => {
    expect(checkDropped(reportB)).toEqual({ metric: 'dropped_iterations', expression: 'count==0', ok: true, observed: 0 });
    const dropped: ReportJson = { ...reportB, figures: { ...reportB.figures, droppedIterations: 7 } };
    expect(checkDropped(dropped)).toMatchObject({ ok: false, observed: 7 });
  });

  it('labels an SLO as metric and expression', () => {
    expect(sloLabel({ metric: 'sse_ttft', expression: 'p(99) < 2000' })).toBe('sse_ttft p(99)<2000');
  });
});
