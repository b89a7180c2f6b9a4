/**
 * Native histograms end to end against a real Prometheus (Debian's `prometheus`, 2.42 here)
 * started with --enable-feature=native-histograms: two writers (generators) push the same
 * run as k6 does with K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM=true (protobuf + snappy,
 * client_golang buckets, schema 3; native-histogram.ts), and the test checks that
 * - the merged percentile of both writers is the percentile of the union of their samples,
 *   within one bucket (2^(1/8) − 1 ≈ 9.05 % for schema 3), for the whole run (gate.ts) and
 *   per rate window (the dashboard's "merged" panels), while the max of per-generator
 *   p95s — the gauge path — is far off;
 * - the gate passes on the merged histogram the run the gauge path fails, and exits 0/99;
 * - Prometheus without the flag refuses the histograms.
 * Skipped, with a message, where `prometheus` is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../cli/run/k6-locate.ts';
import { evaluate, gateChecks, NATIVE_LABEL, STATS_LABEL } from '../../deploy/k6-operator/gate-checks.ts';
import { DASHBOARD_FILES, LATENCY_SOURCES, PROMETHEUS_TREND_STATS } from '../../grafana/dashboards.ts';
import { METRICS, type MetricDef } from '../../lib/metric-defs.ts';
import { bucketGrowth, K6_NATIVE_HISTOGRAM_SCHEMA, PROMETHEUS_NATIVE_HISTOGRAM_FLAG } from '../../lib/prometheus-rw.ts';
import { dashboardQueries, expandFilters, findQuery, readDashboard, type Filters } from './dashboard-queries.ts';
import type { FixtureSample } from './k6-run-fixture.ts';
import { findBinary, startPrometheus, type LocalServer } from './local-servers.ts';
import { earlierPushQuery } from '../../deploy/k6-operator/gate-native.ts';
import { bucketIndex, bucketUpperBound, k6FlushNativeRun, k6StaleMarkers } from './native-histogram.ts';
import { k6FlushSeries, k6Percentile, remoteWrite } from './prom-remote-write.ts';

const prometheus = findBinary('prometheus');
if (prometheus === '') console.warn('SKIP native-histograms-live: no `prometheus` on PATH (Debian package `prometheus`)');

const NATIVE_RUN = 'nh';
const GAUGE_RUN = 'nh-gauges';
/** The native run's TTFE again, ended by k6's stale markers (K6_PROMETHEUS_RW_STALE_MARKERS=true). */
const STALE_RUN = 'nh-stale';
/** The native run's TTFE again, ended 30 s ago: its series are still within Prometheus' lookback. */
const RECENT_RUN = 'nh-recent';
const PUSH_MS = 5000;
const SCHEMA = K6_NATIVE_HISTOGRAM_SCHEMA;

/**
 * The run, as two generators record it. Generator 1: 1200 fast streams, one every 0.1 s
 * (at 0.05 s, 0.15 s, …), 50 → 150 ms. Generator 2: 48 slow streams, one every 2.5 s (at
 * 2.45 s, …): 2–3 s in the first minute, 0.4–0.5 s in the second. Both generators' last
 * sample before each 5 s push is at x.95 s, so their pushes share timestamps (k6 stamps a
 * push with its latest sample) and Prometheus extrapolates both series' rates alike.
 */
function generatorSamples(metric: MetricDef, testid: string): { g1: FixtureSample[]; g2: FixtureSample[] } {
  const sample = (instance: number, atMs: number, value: number): FixtureSample => ({
    metric: metric.name,
    kind: metric.kind,
    isTime: metric.isTime,
    atMs,
    value,
    tags: { instance_id: String(instance), scenario: 'stream', target: 'dify-workflow', testid, ...(metric.extraTags.includes('node_type') ? { node_type: 'llm' } : {}) },
  });
  return {
    g1: Array.from({ length: 1200 }, (_, k) => sample(1, 50 + 100 * k, 50 + (100 * k) / 1199)),
    g2: Array.from({ length: 48 }, (_, k) => sample(2, 2450 + 2500 * k, k < 24 ? 2000 + (1000 * k) / 23 : 400 + (100 * (k - 24)) / 23)),
  };
}

/** Every trend a "merged" dashboard panel reads. */
const PANEL_TRENDS: readonly MetricDef[] = [
  METRICS.openTime,
  METRICS.ttfe,
  METRICS.ttft,
  METRICS.streamDuration,
  METRICS.gapMax,
  METRICS.gapMean,
  METRICS.difyNodeElapsed,
  METRICS.difyWorkflowElapsed,
  METRICS.llmTokensPerSecond,
];

const { g1, g2 } = generatorSamples(METRICS.ttfe, NATIVE_RUN);
const seconds = (samples: readonly FixtureSample[]): number[] => samples.map((s) => s.value / 1000).sort((a, b) => a - b);

/** The bucket (lower, upper] of the sample at 1-based rank ⌈q·n⌉: where Prometheus' histogram_quantile must land. */
function rankBucket(sorted: readonly number[], q: number): [number, number] {
  const value = sorted[Math.ceil(q * sorted.length) - 1] ?? NaN;
  const i = bucketIndex(value, SCHEMA);
  return [bucketUpperBound(i - 1, SCHEMA), bucketUpperBound(i, SCHEMA)];
}

/** A histogram quantile is right when it lies in the rank's bucket, within one bucket's growth of the exact (k6) percentile. */
function expectMergedQuantile(value: number, sorted: readonly number[], q: number): void {
  const [lower, upper] = rankBucket(sorted, q);
  expect(value).toBeGreaterThan(lower);
  expect(value).toBeLessThanOrEqual(upper * (1 + 1e-12));
  expect(Math.abs(value / k6Percentile(sorted, q) - 1)).toBeLessThanOrEqual(bucketGrowth(SCHEMA));
}

describe('the expected error of schema 3', () => {
  it('is one bucket’s growth, 2^(1/8) − 1', () => {
    expect(bucketGrowth(SCHEMA)).toBeCloseTo(0.0905077, 6);
    // the test data is spread over many buckets, so the check is not trivially met
    expect(new Set(seconds([...g1, ...g2]).map((v) => bucketIndex(v, SCHEMA))).size).toBeGreaterThan(15);
  });
});

describe.skipIf(prometheus === '')('native histograms of two generators in a real Prometheus', () => {
  const t0 = Math.floor(Date.now() / 1000) * 1000 - 600_000;
  let server: LocalServer | undefined;
  const url = (): string => {
    if (!server) throw new Error('Prometheus is not running');
    return server.url;
  };

  beforeAll(async () => {
    server = await startPrometheus(prometheus, [PROMETHEUS_NATIVE_HISTOGRAM_FLAG]);
    const write = `${server.url}/api/v1/write`;
    // two writers, as two k6 generators: each pushes its own series
    for (const pick of ['g1', 'g2'] as const) {
      await remoteWrite(write, k6FlushNativeRun(PANEL_TRENDS.flatMap((m) => generatorSamples(m, NATIVE_RUN)[pick]), t0, PUSH_MS));
    }
    // the same TTFE samples from generators without native histograms: trend-stat gauges
    const gauges = generatorSamples(METRICS.ttfe, GAUGE_RUN);
    for (const samples of [gauges.g1, gauges.g2]) await remoteWrite(write, k6FlushSeries(samples, t0, PUSH_MS, PROMETHEUS_TREND_STATS));
    // and as native histograms ended by stale markers, and from a run that ended 30 s ago
    const stale = generatorSamples(METRICS.ttfe, STALE_RUN);
    for (const samples of [stale.g1, stale.g2]) {
      const series = k6FlushNativeRun(samples, t0, PUSH_MS);
      await remoteWrite(write, series);
      await remoteWrite(write, k6StaleMarkers(series, t0 + 119_950));
    }
    const recent = generatorSamples(METRICS.ttfe, RECENT_RUN);
    for (const samples of [recent.g1, recent.g2]) await remoteWrite(write, k6FlushNativeRun(samples, t0 + 450_000, PUSH_MS));
  }, 30_000);
  afterAll(async () => server?.stop());

  async function instant(expr: string, atS: number): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
    const res = await fetch(`${url()}/api/v1/query?${new URLSearchParams({ query: expr, time: String((t0 + atS * 1000) / 1000) })}`);
    const body = (await res.json()) as { status: string; error?: string; data?: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    if (body.status !== 'success') throw new Error(`${expr}\n→ ${body.error ?? res.status}`);
    return body.data?.result ?? [];
  }
  const scalarAt = async (expr: string, atS: number): Promise<number> => {
    const r = await instant(expr, atS);
    expect(r, expr).toHaveLength(1);
    return Number(r[0]?.value[1]);
  };

  const queries = dashboardQueries(readDashboard(DASHBOARD_FILES.prometheus));
  const only = (testid: string): Filters => ({ scenario: 'stream', target: '.*', testid });
  const panelExpr = (panel: string, refId: string, f: Filters): string => expandFilters(findQuery(queries, panel, refId).text.split('$__rate_interval').join('1m'), f);

  it('the gate’s whole-run p95 of both writers is the p95 of their union; the max of per-generator p95s is not', async () => {
    const union = seconds([...g1, ...g2]);
    const stats = PROMETHEUS_TREND_STATS.split(',');
    const [native] = await evaluate(url(), gateChecks({ sse_ttfe: ['p(95)<500'] }, NATIVE_RUN, '1h', stats));
    expect(native?.source).toBe(NATIVE_LABEL);
    expectMergedQuantile(native?.value ?? NaN, union, 0.95);
    expect(k6Percentile(union, 0.95)).toBeCloseTo(0.1486, 3); // 95 % of all streams are fast
    expect(native?.ok).toBe(true);

    // the same run without native histograms: the worst generator's p95, generator 2's 2.9 s
    const worst = Math.max(k6Percentile(seconds(g1), 0.95), k6Percentile(seconds(g2), 0.95));
    expect(worst).toBeCloseTo(2.8978, 3);
    const [gauges] = await evaluate(url(), gateChecks({ sse_ttfe: ['p(95)<500'] }, GAUGE_RUN, '1h', stats));
    expect(gauges).toMatchObject({ source: STATS_LABEL, ok: false });
    expect(gauges?.value).toBeCloseTo(worst, 9);
    expect(worst / k6Percentile(union, 0.95)).toBeGreaterThan(15);
    // and the dashboard's gauge panel shows that same worst generator at the end
    expect(await scalarAt(panelExpr('TTFE', 'B', only(GAUGE_RUN)), 121)).toBeCloseTo(worst, 9);
  });

  it('the gate finds every series’ last push: long ended, ended by stale markers, or still within the lookback', async () => {
    const nowS = (t0 + 600_000) / 1000;
    const p95 = async (testid: string): Promise<number | null> =>
      (await evaluate(url(), gateChecks({ sse_ttfe: ['p(95)<500'] }, testid, '1h', []), nowS))[0]?.value ?? null;
    const reference = await p95(NATIVE_RUN);
    expect(reference).not.toBeNull();
    // after a stale marker the per-minute subquery alone sees an earlier push (the last is at 119.95 s)
    const earlier = await instant(earlierPushQuery(`k6_sse_ttfe_seconds{testid="${STALE_RUN}"}`, '1h'), 600);
    const lastPushS = (t0 + 119_950) / 1000;
    expect(earlier).toHaveLength(2);
    for (const r of earlier) {
      // the last minute step before the marker (where it falls depends on the wall clock; never
      // within the 1 ms between push and marker: steps are whole minutes, the push is at x.950 s)
      expect(Number(r.value[1])).toBeLessThan(lastPushS);
      expect(Number(r.value[1])).toBeGreaterThanOrEqual(lastPushS - 60);
    }
    // the raw samples after it give the last one: the same whole run as without markers
    expect(await p95(STALE_RUN)).toBe(reference);
    expect(await p95(RECENT_RUN)).toBe(reference);
  });

  it('whole-run median, p99 and mean from the merged histogram', async () => {
    const union = seconds([...g1, ...g2]);
    const results = await evaluate(url(), gateChecks({ sse_ttfe: ['med<110', 'p(99)<3000', 'avg<200'] }, NATIVE_RUN, '1h', []));
    expect(results.map((r) => r.source)).toEqual([NATIVE_LABEL, NATIVE_LABEL, NATIVE_LABEL]);
    expectMergedQuantile(results[0]?.value ?? NaN, union, 0.5);
    expectMergedQuantile(results[1]?.value ?? NaN, union, 0.99);
    // the mean is exact: histograms carry the sum of the samples
    expect(results[2]?.value).toBeCloseTo(union.reduce((a, b) => a + b, 0) / union.length, 9);
    expect(results.map((r) => r.ok)).toEqual([true, true, true]);
  });

  it('the dashboard’s latency panels on native histograms: percentiles of both writers in the last minute only', async () => {
    // k6 stamps each push with the latest sample: both series push at 4.95 s, 9.95 s, …
    const pushes = [...new Set([...g1, ...g2].map((s) => Math.floor(s.atMs / PUSH_MS) * PUSH_MS + 4950))];
    const inWindow = (endS: number): number[] => {
      // rate() over [end − 1m, end] is the increase from the first push in it to the last
      const within = pushes.filter((p) => p >= endS * 1000 - 60_000 && p <= endS * 1000);
      const [first, last] = [Math.min(...within), Math.max(...within)];
      return seconds([...g1, ...g2].filter((s) => s.atMs > first && s.atMs <= last));
    };
    for (const [endS, slowFirstMinute] of [
      [60.5, true],
      [120.5, false],
    ] as const) {
      const window = inWindow(endS);
      const p95 = await scalarAt(panelExpr('TTFE', 'B', only(NATIVE_RUN)), endS);
      const p99 = await scalarAt(panelExpr('TTFE', 'C', only(NATIVE_RUN)), endS);
      expectMergedQuantile(p95, window, 0.95);
      expectMergedQuantile(p99, window, 0.99);
      // the slow streams of the first minute leave the window in the second
      if (slowFirstMinute) expect(p99).toBeGreaterThan(2);
      else expect(p99).toBeLessThan(0.55);
    }
    // whereas the cumulative gauge still reports the first minute at the end
    expect(await scalarAt(panelExpr('TTFE', 'C', only(GAUGE_RUN)), 121)).toBeGreaterThan(2.9);
  });

  it('every merged panel’s histogram query is valid PromQL and finds its data, by node type too', async () => {
    const merged = queries.filter((q) => q.text.includes('histogram_quantile'));
    expect(merged.length).toBeGreaterThanOrEqual(20);
    for (const q of merged) {
      const r = await instant(expandFilters(q.text.split('$__rate_interval').join('1m'), only(NATIVE_RUN)), 120.5);
      expect(r.length, `${q.panel} ${q.refId}`).toBe(1);
      expect(r[0]?.metric.source, `${q.panel} ${q.refId}`).toBe(LATENCY_SOURCES.merged);
      expect(Number(r[0]?.value[1]), `${q.panel} ${q.refId}`).toBeGreaterThan(0);
      // the same query on the run without native histograms: the worst generator's gauge
      const g = await instant(expandFilters(q.text.split('$__rate_interval').join('1m'), only(GAUGE_RUN)), 120.5);
      if (q.panel === 'TTFE') expect(g.map((x) => x.metric.source), `${q.panel} ${q.refId}`).toEqual([LATENCY_SOURCES.worst]);
    }
    const nodes = await instant(panelExpr('Dify node time by node type', 'A', only(NATIVE_RUN)), 120.5);
    expect(nodes.map((n) => n.metric.node_type)).toEqual(['llm']);
    // a unitless trend keeps its unit: tokens per second, not seconds
    const tokens = await scalarAt(panelExpr('Tokens/s', 'A', only(NATIVE_RUN)), 120.5);
    expectMergedQuantile(tokens, [...g1, ...g2].filter((s) => s.atMs > 64_950 && s.atMs <= 119_950).map((s) => s.value).sort((a, b) => a - b), 0.5);
  });

  it('the gate CLI passes the native run and fails the gauge run of the same samples', async () => {
    const run = (testid: string) =>
      runCommand(process.execPath, ['--import', 'tsx', 'deploy/k6-operator/gate.ts', '--prometheus', url(), '--testid', testid, '--window', '1h', '--thresholds', 'default'], process.env, 20_000);
    const native = await run(NATIVE_RUN);
    // sse_stream_success has no series in this Prometheus: only TTFE can pass
    expect(native.stdout).toMatch(new RegExp(`✓ sse_ttfe: p\\(95\\)<500  \\(0\\.1[45]\\d+ < 0\\.5, ${NATIVE_LABEL}\\)  histogram_quantile\\(0\\.95, sum\\(k6_sse_ttfe_seconds\\{testid="${NATIVE_RUN}"\\} at the last push of each of its 2 series\\)\\)`));
    expect(native.code, native.stdout + native.stderr).toBe(99);
    expect(native.stdout).toContain('✗ sse_stream_success: rate>0.99  (no data)');
    const gauges = await run(GAUGE_RUN);
    expect(gauges.stdout).toMatch(/✗ sse_ttfe: p\(95\)<500 {2}\(2\.89\d+ < 0\.5, worst generator’s trend stats\)/);
    expect(gauges.code).toBe(99);
  });
});

describe.skipIf(prometheus === '')('Prometheus without the native-histograms feature', () => {
  it(`refuses native histograms: ${PROMETHEUS_NATIVE_HISTOGRAM_FLAG} is required`, async () => {
    const server = await startPrometheus(prometheus);
    try {
      const push = remoteWrite(`${server.url}/api/v1/write`, k6FlushNativeRun(g2, Date.now() - 300_000, PUSH_MS));
      await expect(push).rejects.toThrow(/native histograms are disabled/);
    } finally {
      await server.stop();
    }
  });
});
