import { describe, expect, it } from 'vitest';
import { metricValue, parseMetricKey, subMetricsByTag, summaryDataProblem } from './summary-data.ts';
import { k6Summary } from './summary-data.fixture.ts';

describe('parseMetricKey', () => {
  it('splits a sub-metric key into metric and tags', () => {
    expect(parseMetricKey('sse_errors{error_type:timeout}')).toEqual({ metric: 'sse_errors', tags: { error_type: 'timeout' } });
    expect(parseMetricKey('http_req_duration{ scenario: burst , status:200}')).toEqual({
      metric: 'http_req_duration',
      tags: { scenario: 'burst', status: '200' },
    });
  });

  it('keeps colons inside tag values (URLs)', () => {
    expect(parseMetricKey('http_reqs{url:http://127.0.0.1:5001/x}').tags).toEqual({ url: 'http://127.0.0.1:5001/x' });
  });

  it('returns a plain metric with no tags', () => {
    expect(parseMetricKey('sse_ttfe')).toEqual({ metric: 'sse_ttfe', tags: {} });
  });
});

describe('metricValue', () => {
  const data = k6Summary();
  it('reads a statistic', () => {
    expect(metricValue(data, 'sse_ttfe', 'p(95)')).toBe(48.25);
    expect(metricValue(data, 'sse_errors{error_type:timeout}', 'count')).toBe(4);
  });
  it('is null for an absent metric or statistic', () => {
    expect(metricValue(data, 'nope', 'avg')).toBeNull();
    expect(metricValue(data, 'sse_ttfe', 'p(99.9)')).toBeNull();
  });
});

describe('subMetricsByTag', () => {
  it('finds every single-tag sub-metric of a metric', () => {
    const subs = subMetricsByTag(k6Summary(), 'sse_errors', 'error_type');
    expect(subs.size).toBe(9);
    expect(subs.get('http_5xx')?.values['count']).toBe(2);
  });
  it('ignores sub-metrics with more tags', () => {
    const data = k6Summary();
    const metrics = { ...data.metrics, 'sse_errors{error_type:timeout,scenario:burst}': { type: 'counter' as const, contains: 'default' as const, values: { count: 99, rate: 1 } } };
    expect(subMetricsByTag({ ...data, metrics }, 'sse_errors', 'error_type').get('timeout')?.values['count']).toBe(4);
  });
});

describe('summaryDataProblem', () => {
  it('accepts k6 summary data', () => {
    expect(summaryDataProblem(k6Summary())).toBeNull();
  });
  it('names the bad field', () => {
    const data = JSON.parse(JSON.stringify(k6Summary()));
    data.metrics['sse_errors{error_type:timeout}'].values.count = 'four';
    expect(summaryDataProblem(data)).toEqual({ field: 'summary.metrics.sse_errors{error_type:timeout}.values.count', problem: 'expected a number' });
    expect(summaryDataProblem({ ...k6Summary(), state: {} })).toEqual({ field: 'summary.state.testRunDurationMs', problem: 'expected a number' });
    expect(summaryDataProblem(null, 'x')).toEqual({ field: 'x', problem: 'expected an object' });
    const badType = JSON.parse(JSON.stringify(k6Summary()));
    badType.metrics.sse_ttfe.type = 'histogram';
    expect(summaryDataProblem(badType)?.field).toBe('summary.metrics.sse_ttfe.type');
    const badOk = JSON.parse(JSON.stringify(k6Summary()));
    badOk.metrics.sse_ttfe.thresholds['p(95)<500'] = { ok: 'yes' };
    expect(summaryDataProblem(badOk)?.field).toBe('summary.metrics.sse_ttfe.thresholds.p(95)<500.ok');
  });
});
