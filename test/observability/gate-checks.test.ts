import { describe, expect, it } from 'vitest';
import { PROMETHEUS_TREND_STATS } from '../../grafana/dashboards.ts';
import { gateCheck, gateChecks } from '../../deploy/k6-operator/gate-checks.ts';

const stats = PROMETHEUS_TREND_STATS.split(',');

describe('gate checks: k6 thresholds as PromQL over every generator', () => {
  it('a time trend percentile: the worst generator, limit converted from ms to s', () => {
    expect(gateCheck('sse_ttfe', 'p(95)<500', 'run-1', '6h', stats)).toEqual({
      threshold: 'sse_ttfe: p(95)<500',
      query: 'max(last_over_time(k6_sse_ttfe_p95{testid="run-1"}[6h]))',
      op: '<',
      limit: 0.5,
    });
    // a lower bound takes the lowest generator; a unitless trend keeps its limit
    expect(gateCheck('llm_tokens_per_second', 'avg>20', 'r', '1h', stats)).toMatchObject({
      query: 'min(last_over_time(k6_llm_tokens_per_second_avg{testid="r"}[1h]))',
      limit: 20,
    });
  });

  it('a rate: the worst generator; a counter: summed; sub-metrics become label matchers', () => {
    expect(gateCheck('sse_stream_success', 'rate>0.99', 'r', '6h', stats).query).toBe('min(last_over_time(k6_sse_stream_success_rate{testid="r"}[6h]))');
    expect(gateCheck('sse_errors{error_type:timeout}', 'count<10', 'r', '6h', stats)).toMatchObject({
      query: 'sum(last_over_time(k6_sse_errors_total{testid="r", error_type="timeout"}[6h]))',
      op: '<',
      limit: 10,
    });
  });

  it('refuses what remote write cannot answer, naming the fix', () => {
    expect(() => gateCheck('sse_ttfe', 'p(90)<500', 'r', '6h', stats)).toThrow('add p(90) to K6_PROMETHEUS_RW_TREND_STATS');
    expect(() => gateCheck('sse_ttfe', 'count>5', 'r', '6h', stats)).toThrow('not exported by remote write');
    expect(() => gateCheck('sse_errors', 'rate<1', 'r', '6h', stats)).toThrow('only count');
    expect(() => gateCheck('http_req_failed', 'rate<0.01', 'r', '6h', stats)).toThrow('not a metric of lib/metric-defs.ts');
    expect(() => gateCheck('sse_ttfe', 'p95 under 500', 'r', '6h', stats)).toThrow('cannot gate on');
  });

  it('expands every expression of every key, including k6’s object form', () => {
    const checks = gateChecks({ sse_ttfe: ['p(95)<500', { threshold: 'p(99)<900' }], sse_stream_success: ['rate>0.99'] }, 'r', '6h', stats);
    expect(checks.map((c) => c.threshold)).toEqual(['sse_ttfe: p(95)<500', 'sse_ttfe: p(99)<900', 'sse_stream_success: rate>0.99']);
  });
});
