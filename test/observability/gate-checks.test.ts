import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../cli/run/k6-locate.ts';
import { PROMETHEUS_TREND_STATS } from '../../grafana/dashboards.ts';
import { gateCheck, gateChecks, NATIVE_LABEL, STATS_LABEL } from '../../deploy/k6-operator/gate-checks.ts';
import { describeMerged, earlierPushQuery, lastPushes, laterPushesQuery, MERGED, mergedExpr, visiblePushQuery } from '../../deploy/k6-operator/gate-native.ts';

const stats = PROMETHEUS_TREND_STATS.split(',');

describe('gate checks: k6 thresholds as PromQL over every generator', () => {
  it('a time trend percentile: the merged native histogram first, then the worst generator’s gauge; limit from ms to s', () => {
    expect(gateCheck('sse_ttfe', 'p(95)<500', 'run-1', '6h', stats)).toEqual({
      threshold: 'sse_ttfe: p(95)<500',
      op: '<',
      limit: 0.5,
      sources: [
        { kind: 'native', label: NATIVE_LABEL, selector: 'k6_sse_ttfe_seconds{testid="run-1"}', window: '6h', template: `histogram_quantile(0.95, ${MERGED})` },
        { kind: 'instant', label: STATS_LABEL, query: 'max(last_over_time(k6_sse_ttfe_p95{testid="run-1"}[6h]))' },
      ],
      noData: 'no native histogram k6_sse_ttfe_seconds{testid="run-1"}; no k6_sse_ttfe_p95{testid="run-1"}',
    });
  });

  it('a unitless trend: histogram without a unit suffix, limit kept; a lower bound takes the lowest generator', () => {
    const c = gateCheck('llm_tokens_per_second', 'avg>20', 'r', '1h', stats);
    expect(c.limit).toBe(20);
    expect(c.sources).toEqual([
      { kind: 'native', label: NATIVE_LABEL, selector: 'k6_llm_tokens_per_second{testid="r"}', window: '1h', template: `histogram_sum(${MERGED}) / histogram_count(${MERGED})` },
      { kind: 'instant', label: STATS_LABEL, query: 'min(last_over_time(k6_llm_tokens_per_second_avg{testid="r"}[1h]))' },
    ]);
    expect(gateCheck('sse_ttft', 'med<900', 'r', '1h', stats).sources[0]).toMatchObject({ template: `histogram_quantile(0.5, ${MERGED})` });
    expect(gateCheck('sse_ttft', 'p(99.9)<900', 'r', '1h', stats).sources[0]).toMatchObject({ template: `histogram_quantile(0.999, ${MERGED})` });
  });

  it('a percentile the gauges do not export is still answered by native histograms, and says so when neither has data', () => {
    const c = gateCheck('sse_ttfe{scenario:stream}', 'p(90)<500', 'r', '6h', stats);
    expect(c.sources).toEqual([{ kind: 'native', label: NATIVE_LABEL, selector: 'k6_sse_ttfe_seconds{testid="r", scenario="stream"}', window: '6h', template: `histogram_quantile(0.9, ${MERGED})` }]);
    expect(c.noData).toBe('no native histogram k6_sse_ttfe_seconds{testid="r", scenario="stream"}; p(90) is not in K6_PROMETHEUS_RW_TREND_STATS (--trend-stats)');
  });

  it('min and max come from the gauges only', () => {
    expect(gateCheck('sse_ttfe', 'max<2000', 'r', '6h', stats).sources).toEqual([
      { kind: 'instant', label: STATS_LABEL, query: 'max(last_over_time(k6_sse_ttfe_max{testid="r"}[6h]))' },
    ]);
    expect(() => gateCheck('sse_ttfe', 'max<2000', 'r', '6h', ['p(95)'])).toThrow('max needs the trend-stat gauges');
  });

  it('a rate: the worst generator; a counter: summed; sub-metrics become label matchers', () => {
    expect(gateCheck('sse_stream_success', 'rate>0.99', 'r', '6h', stats).sources).toEqual([
      { kind: 'instant', label: 'worst generator’s rate', query: 'min(last_over_time(k6_sse_stream_success_rate{testid="r"}[6h]))' },
    ]);
    expect(gateCheck('sse_errors{error_type:timeout}', 'count<10', 'r', '6h', stats)).toMatchObject({
      sources: [{ kind: 'instant', query: 'sum(last_over_time(k6_sse_errors_total{testid="r", error_type="timeout"}[6h]))' }],
      op: '<',
      limit: 10,
    });
  });

  it('refuses what remote write cannot answer, naming the fix', () => {
    expect(() => gateCheck('sse_ttfe', 'count>5', 'r', '6h', stats)).toThrow('not exported by remote write');
    expect(() => gateCheck('sse_errors', 'rate<1', 'r', '6h', stats)).toThrow('only count');
    expect(() => gateCheck('sse_stream_success', 'count>1', 'r', '6h', stats)).toThrow('gated on rate');
    expect(() => gateCheck('http_req_failed', 'rate<0.01', 'r', '6h', stats)).toThrow('not a metric of lib/metric-defs.ts');
    expect(() => gateCheck('sse_ttfe', 'p95 under 500', 'r', '6h', stats)).toThrow('cannot gate on');
  });

  it('the CLI checks the threshold file with the script’s validation before querying (exit 1)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sse-bench-gate-'));
    try {
      writeFileSync(join(dir, 'bad.json'), JSON.stringify({ sse_ttfe: ['p95<500'] }));
      // port 9 (discard): never reached, the file is refused first
      const r = await runCommand(process.execPath, ['--import', 'tsx', 'deploy/k6-operator/gate.ts', '--prometheus', 'http://127.0.0.1:9', '--testid', 'r', '--thresholds', join(dir, 'bad.json')], process.env, 20_000);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('"sse_ttfe": "p95<500" is not a threshold expression');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('expands every expression of every key, including k6’s object form', () => {
    const checks = gateChecks({ sse_ttfe: ['p(95)<500', { threshold: 'p(99)<900' }], sse_stream_success: ['rate>0.99'] }, 'r', '6h', stats);
    expect(checks.map((c) => c.threshold)).toEqual(['sse_ttfe: p(95)<500', 'sse_ttfe: p(99)<900', 'sse_stream_success: rate>0.99']);
  });
});

describe('the whole run’s merged native histogram (gate-native.ts)', () => {
  it('finds last pushes: visible ones exactly, the others from a per-minute subquery, checked against their raw samples', () => {
    const sel = 'k6_sse_ttfe_seconds{testid="r"}';
    expect(visiblePushQuery(sel)).toBe('timestamp(k6_sse_ttfe_seconds{testid="r"})');
    expect(earlierPushQuery(sel, '6h')).toBe('max_over_time(timestamp(k6_sse_ttfe_seconds{testid="r"})[6h:1m])');
    const g1 = { instance_id: '1', testid: 'r' };
    const g2 = { instance_id: '2', testid: 'r' };
    // generator 1 is still visible (its subquery time is older); generator 2 is not: check it
    expect(lastPushes([{ labels: g1, atS: 1000.95 }], [{ labels: { testid: 'r', instance_id: '1' }, atS: 960 }, { labels: g2, atS: 900.5 }])).toEqual({
      known: [{ labels: g1, atS: 1000.95 }],
      unsure: [{ labels: g2, atS: 900.5 }],
    });
    // every raw sample from the subquery's push up to now, at least a second
    expect(laterPushesQuery('k6_sse_ttfe_seconds', { labels: g2, atS: 900.5 }, 1000)).toBe('k6_sse_ttfe_seconds{instance_id="2", testid="r"}[101s]');
    expect(laterPushesQuery('k6_sse_ttfe_seconds', { labels: g2, atS: 1000 }, 1000)).toBe('k6_sse_ttfe_seconds{instance_id="2", testid="r"}[1s]');
  });

  it('sums every series at its own last push, with exact, escaped label matchers', () => {
    const expr = mergedExpr('k6_sse_ttfe_seconds', [
      { labels: { testid: 'r', instance_id: '2', scenario: 'stream' }, atS: 1700000000.94 },
      { labels: { testid: 'r', instance_id: '1', node_type: 'say "hi"\\' }, atS: 1700000005 },
    ]);
    expect(expr).toBe(
      'sum(k6_sse_ttfe_seconds{instance_id="2", scenario="stream", testid="r"} @ 1700000000.940' +
        ' or k6_sse_ttfe_seconds{instance_id="1", node_type="say \\"hi\\"\\\\", testid="r"} @ 1700000005.000)',
    );
    expect(() => mergedExpr('k6_sse_ttfe_seconds', [])).toThrow('no series');
    expect(describeMerged('k6_sse_ttfe_seconds{testid="r"}', 2)).toBe('sum(k6_sse_ttfe_seconds{testid="r"} at the last push of each of its 2 series)');
  });
});
