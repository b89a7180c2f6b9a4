/**
 * Real k6 → real Prometheus and InfluxDB: build/sse.js runs against the embedded mock (some
 * streams fail with HTTP 500, so the error panels have data) under each k6 found, twice:
 * - trend stats: `--out experimental-prometheus-rw` with K6_PROMETHEUS_RW_TREND_STATS, and
 *   `--out influxdb` in the same run;
 * - native histograms: K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM=true into a Prometheus with
 *   the native-histograms feature.
 * Then every panel query of both committed dashboards runs over the run's time range, as
 * Grafana sends it: each must return data, and each latency query of the Prometheus
 * dashboard must say (its `source` label) that it read the histogram or the trend stat the
 * run wrote. Skipped, with a message, without `prometheus`, `influxd` or a real k6.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DASHBOARD_FILES, LATENCY_SOURCES, PROMETHEUS_TREND_STATS, SOURCE_LABEL } from '../../grafana/dashboards.ts';
import { defaultOptions } from '../../mock/options.ts';
import { startMockServer, type MockServer } from '../../mock/server.ts';
import { NATIVE_HISTOGRAM_ENV, PROMETHEUS_NATIVE_HISTOGRAM_FLAG } from '../../lib/prometheus-rw.ts';
import { describeEachK6, realK6s } from '../e2e/real-k6.ts';
import { runK6, type FoundK6, type K6Run } from '../e2e/run-k6.ts';
import { dashboardQueries, expandFilters, readDashboard, type DashboardQuery } from './dashboard-queries.ts';
import { findBinary, startInfluxd, startPrometheus, type LocalServer } from './local-servers.ts';

const prometheus = findBinary('prometheus');
const influxd = findBinary('influxd');
const missing = [prometheus === '' ? 'prometheus' : '', influxd === '' ? 'influxd' : ''].filter((m) => m !== '');
if (missing.length > 0) console.warn(`SKIP k6-outputs-live: no ${missing.join(', ')} on PATH`);
const k6s = missing.length > 0 ? [] : await realK6s('real k6 → Prometheus/InfluxDB dashboard tests');

/** k6 pushes every second (default 5 s), so a short run has many points in each rate window. */
const PUSH_INTERVAL = '1s';
/** What Grafana would send as $__rate_interval for 1 s pushes at this zoom (≥ 4 pushes). */
const RATE_INTERVAL = '10s';
const RUN_VARS = {
  PROFILE: 'open',
  SCENARIOS: 'stream',
  RATE: '8',
  DURATION: '8s',
  THRESHOLDS: 'none',
  STREAM_TIMEOUT: '5s',
  SLO_TTFE: '1s',
};

type Mode = 'stats' | 'native';

describeEachK6('every dashboard panel has data from real k6', k6s, (k6: FoundK6) => {
  let mock: MockServer | undefined;
  let prom: LocalServer | undefined;
  let influx: LocalServer | undefined;
  const runs = new Map<Mode, { testid: string; startS: number; endS: number; result: K6Run }>();

  beforeAll(async () => {
    mock = await startMockServer({
      host: '127.0.0.1',
      port: 0,
      ttfeMs: 20,
      ttftMs: 40,
      tokens: 10,
      tokenIntervalMs: 10,
      pingIntervalMs: 0,
      seed: 'outputs',
      faultRates: { ...defaultOptions().faultRates, http_500: 0.15 },
    });
    prom = await startPrometheus(prometheus, [PROMETHEUS_NATIVE_HISTOGRAM_FLAG]);
    influx = await startInfluxd(influxd, 'k6');
    const write = `${prom.url}/api/v1/write`;
    const run = async (mode: Mode): Promise<void> => {
      const testid = `${k6.version}-${mode}`;
      const startS = Date.now() / 1000;
      const env: Record<string, string> = {
        K6_PROMETHEUS_RW_SERVER_URL: write,
        K6_PROMETHEUS_RW_PUSH_INTERVAL: PUSH_INTERVAL,
        ...(mode === 'native' ? { [NATIVE_HISTOGRAM_ENV]: 'true' } : { K6_PROMETHEUS_RW_TREND_STATS: PROMETHEUS_TREND_STATS }),
      };
      const outs = ['--out', 'experimental-prometheus-rw', ...(mode === 'stats' ? ['--out', `influxdb=${influx?.url}/k6`] : [])];
      const result = await runK6(k6, 'build/sse.js', { BASE_URL: mock?.url ?? '', ...RUN_VARS }, 60_000, [...outs, '--tag', `testid=${testid}`], env);
      runs.set(mode, { testid, startS, endS: Date.now() / 1000, result });
    };
    // both runs at once: the load is light (8 streams/s each)
    await Promise.all([run('stats'), run('native')]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([mock?.close(), prom?.stop(), influx?.stop()]);
  });

  const runOf = (mode: Mode) => {
    const r = runs.get(mode);
    if (!r) throw new Error(`no ${mode} run`);
    expect(r.result.code, r.result.stderr).toBe(0);
    return r;
  };

  async function promRange(expr: string, startS: number, endS: number): Promise<{ metric: Record<string, string>; values: [number, string][] }[]> {
    const params = new URLSearchParams({ query: expr, start: String(startS), end: String(endS), step: '1' });
    const res = await fetch(`${prom?.url}/api/v1/query_range?${params}`);
    const body = (await res.json()) as { status: string; error?: string; data?: { result: { metric: Record<string, string>; values: [number, string][] }[] } };
    if (body.status !== 'success') throw new Error(`${expr}\n→ ${body.error ?? res.status}`);
    return body.data?.result ?? [];
  }

  const promPanels = dashboardQueries(readDashboard(DASHBOARD_FILES.prometheus)).filter((q) => !q.panel.startsWith('variable'));

  it.each(['stats', 'native'] as const)('Prometheus, %s: every query of every panel returns data, latency labelled with its source', async (mode) => {
    const r = runOf(mode);
    const empty: string[] = [];
    for (const q of promPanels) {
      const expr = expandFilters(q.text.split('$__rate_interval').join(RATE_INTERVAL), { scenario: '.*', target: '.*', testid: r.testid });
      const series = await promRange(expr, Math.floor(r.startS), Math.ceil(r.endS) + 5);
      const points = series.flatMap((s) => s.values).filter(([, v]) => Number.isFinite(Number(v)));
      if (points.length === 0) empty.push(`${q.panel} ${q.refId}: ${q.text}`);
      if (q.text.includes('histogram_quantile')) {
        const sources = new Set(series.map((s) => s.metric[SOURCE_LABEL]));
        expect([...sources], `${q.panel} ${q.refId}`).toEqual([mode === 'native' ? LATENCY_SOURCES.merged : LATENCY_SOURCES.worst]);
      }
    }
    expect(empty).toEqual([]);
    expect(promPanels.length).toBeGreaterThanOrEqual(30);
  });

  it('InfluxDB (the trend-stats run): every query of every panel returns data', async () => {
    const r = runOf('stats');
    const iso = (s: number): string => new Date(s * 1000).toISOString();
    const influxQueries: DashboardQuery[] = dashboardQueries(readDashboard(DASHBOARD_FILES.influxdb)).filter((q) => !q.panel.startsWith('variable'));
    const empty: string[] = [];
    for (const q of influxQueries) {
      const text = expandFilters(
        q.text
          .split('$timeFilter')
          .join(`time >= '${iso(Math.floor(r.startS))}' AND time < '${iso(Math.ceil(r.endS) + 5)}'`)
          .split('$__interval_ms')
          .join('1000')
          .split('$__interval')
          .join('1s'),
        { scenario: '.*', target: '.*', testid: r.testid },
      );
      const res = await fetch(`${influx?.url}/query?${new URLSearchParams({ db: 'k6', epoch: 'ms', q: text })}`);
      const body = (await res.json()) as { results: { series?: { values: [number, number | null][] }[]; error?: string }[] };
      const result = body.results[0];
      if (result?.error !== undefined) throw new Error(`${text}\n→ ${result.error}`);
      const points = (result?.series ?? []).flatMap((s) => s.values).filter(([, v]) => v !== null);
      if (points.length === 0) empty.push(`${q.panel} ${q.refId}: ${q.text}`);
    }
    expect(empty).toEqual([]);
    expect(influxQueries.length).toBeGreaterThanOrEqual(30);
  });
});
