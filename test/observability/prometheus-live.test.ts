/**
 * Pushes the fixture run to a real Prometheus through its remote-write receiver, in the
 * series k6's experimental-prometheus-rw output produces (k6_ prefix, _total / _rate /
 * trend-stat gauges in seconds, one series per generator and tag set, pushed every 5 s),
 * then runs every query of grafana/dashboards/sse-bench-prometheus.json and checks the
 * numbers. Skipped, with a message, where Debian's `prometheus` is absent.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand, type CommandResult } from '../../cli/run/k6-locate.ts';
import { evaluate, gateChecks } from '../../deploy/k6-operator/gate-checks.ts';
import { DASHBOARD_FILES, PROMETHEUS_TREND_STATS } from '../../grafana/dashboards.ts';
import { dashboardQueries, expandFilters, findQuery, readDashboard, type DashboardQuery, type Filters } from './dashboard-queries.ts';
import { FIXTURE_SAMPLES, FIXTURE_TESTID } from './k6-run-fixture.ts';
import { findBinary, startPrometheus, type LocalServer } from './local-servers.ts';
import { k6FlushSeries, k6Percentile, remoteWrite } from './prom-remote-write.ts';

const prometheus = findBinary('prometheus');
if (prometheus === '') console.warn('SKIP prometheus-live: no `prometheus` on PATH (Debian package `prometheus`)');

const STREAM: Filters = { scenario: 'stream', target: '.*', testid: '.*' };

/** What Grafana sends: template variables and $__rate_interval expanded. */
const expand = (expr: string, f: Filters): string => expandFilters(expr.split('$__rate_interval').join('1m'), f);

interface VectorItem {
  metric: Record<string, string>;
  value: [number, string];
}

/**
 * A Prometheus holding the fixture run, pushed as k6 would (10 min ago, every 5 s),
 * started before the enclosing suite and stopped after it.
 */
function prometheusWithFixture(): { readonly url: string; readonly t0: number } {
  const t0 = Math.floor(Date.now() / 1000) * 1000 - 600_000;
  let server: LocalServer | undefined;
  beforeAll(async () => {
    server = await startPrometheus(prometheus);
    await remoteWrite(`${server.url}/api/v1/write`, k6FlushSeries(FIXTURE_SAMPLES, t0, 5000, PROMETHEUS_TREND_STATS));
  }, 30_000);
  afterAll(async () => server?.stop());
  return {
    t0,
    get url() {
      if (!server) throw new Error('Prometheus is not running');
      return server.url;
    },
  };
}

describe('k6 percentile replay', () => {
  it('interpolates between ranks like k6’s TrendSink', () => {
    expect(k6Percentile([100, 200, 300], 0.95)).toBeCloseTo(290, 9);
    expect(k6Percentile([150, 250, 350, 450], 0.5)).toBe(300);
    expect(k6Percentile([7], 0.99)).toBe(7);
    expect(k6Percentile([], 0.5)).toBe(0);
  });
});

describe.skipIf(prometheus === '')('dashboard queries against a real Prometheus (remote write)', () => {
  const prom = prometheusWithFixture();
  const queries = dashboardQueries(readDashboard(DASHBOARD_FILES.prometheus));
  const panelQuery = (panel: string, refId = 'A'): DashboardQuery => findQuery(queries, panel, refId);

  async function instant(expr: string, atS: number): Promise<VectorItem[]> {
    const params = new URLSearchParams({ query: expr, time: String((prom.t0 + atS * 1000) / 1000) });
    const res = await fetch(`${prom.url}/api/v1/query?${params}`);
    const body = (await res.json()) as { status: string; error?: string; data?: { resultType: string; result: VectorItem[] } };
    if (body.status !== 'success') throw new Error(`${expr}\n→ ${body.error ?? res.status}`);
    return body.data?.result ?? [];
  }
  const scalarAt = async (q: DashboardQuery, atS: number, f: Filters = STREAM): Promise<number> => {
    const r = await instant(expand(q.text, f), atS);
    expect(r, q.text).toHaveLength(1);
    return Number(r[0]?.value[1]);
  };


  it('every dashboard query is valid PromQL and the panels find data', async () => {
    for (const q of queries.filter((x) => !x.panel.startsWith('variable'))) {
      const r = await instant(expand(q.text, { scenario: '.*', target: '.*', testid: '.*' }), 185);
      if (!q.text.includes('rate(')) expect(r.length, `${q.panel} ${q.refId}: ${q.text}`).toBeGreaterThan(0);
    }
  });

  it('template variables: the label values label_values(…) lists', async () => {
    for (const q of queries.filter((x) => x.panel.startsWith('variable'))) {
      const m = /^label_values\((\w+), (\w+)\)$/.exec(q.text);
      expect(m, q.text).not.toBeNull();
      const res = await fetch(`${prom.url}/api/v1/label/${m?.[2]}/values?${new URLSearchParams({ 'match[]': m?.[1] ?? '' })}`);
      const values = ((await res.json()) as { data: string[] }).data;
      expect(values.length, q.text).toBeGreaterThan(0);
      if (m?.[2] === 'scenario') expect(values).toEqual(['burst', 'stream']);
      if (m?.[2] === 'testid') expect(values).toEqual([FIXTURE_TESTID]);
    }
  });

  it('active streams = Σ opened − Σ closed over both generators, at each moment', async () => {
    const q = panelQuery('Active streams');
    expect(await scalarAt(q, 30)).toBe(5); // nothing closed yet: `or vector(0)`
    expect(await scalarAt(q, 70)).toBe(5); // opened 7, closed 2
    expect(await scalarAt(q, 185)).toBe(2); // opened 9, closed 7
    expect(await scalarAt(q, 185, { ...STREAM, scenario: '.*' })).toBe(102); // + 100 burst streams
    expect(await instant(expand(q.text, { ...STREAM, testid: 'other' }), 185)).toEqual([]);
  });

  it('trend percentiles: the worst generator’s value, in seconds', async () => {
    // TTFE generator 1: 100, 200, 300 ms; generator 2: 150, 250, 350, 450 ms
    expect(await scalarAt(panelQuery('TTFE', 'A'), 185)).toBeCloseTo(0.3, 9); // p50: max(0.2, 0.3)
    expect(await scalarAt(panelQuery('TTFE', 'B'), 185)).toBeCloseTo(0.435, 9); // p95: max(0.29, 0.435)
    expect(await scalarAt(panelQuery('TTFE', 'C'), 185)).toBeCloseTo(0.447, 9); // p99: max(0.298, 0.447)
    expect(await scalarAt(panelQuery('Tokens/s', 'A'), 185)).toBeCloseTo(40, 9); // p50: max(25, 40), not seconds
  });

  it('success rate: mean of the generators’ rates, and exactly from the counters; goodput: mean of the generators’ rates', async () => {
    expect(await scalarAt(panelQuery('Success rate', 'A'), 185)).toBeCloseTo((2 / 3 + 2 / 4) / 2, 9);
    expect(await scalarAt(panelQuery('Success rate', 'B'), 185)).toBeCloseTo(4 / 7, 9);
    expect(await scalarAt(panelQuery('Goodput', 'A'), 185)).toBeCloseTo((2 / 3 + 1 / 4) / 2, 9);
  });

  it('Dify node time p95 by node type, and errors by type', async () => {
    const nodes = await instant(expand(panelQuery('Dify node time by node type').text, STREAM), 185);
    expect(Object.fromEntries(nodes.map((n) => [n.metric.node_type, Number(n.value[1])]))).toEqual({ llm: 0.385, code: expect.closeTo(0.00595, 9) });
    const errors = await instant(expand(panelQuery('Errors by type').text, STREAM), 185);
    expect(Object.fromEntries(errors.map((e) => [e.metric.error_type, Number(e.value[1])]))).toEqual({ http_5xx: 1, timeout: 2 });
  });
});

describe.skipIf(prometheus === '')('deploy/k6-operator/gate.ts against a real Prometheus', () => {
  const prom = prometheusWithFixture();
  const stats = PROMETHEUS_TREND_STATS.split(',');


  it('evaluates thresholds/default.json on the worst generator and counters summed over generators', async () => {
    const defaults = JSON.parse(readFileSync('thresholds/default.json', 'utf8')) as Record<string, string[]>;
    const checks = gateChecks(
      { ...defaults, 'sse_errors{error_type:timeout}': ['count<3', 'count<2'], sse_streams_opened: ['count>=109'] },
      FIXTURE_TESTID,
      '1h',
      stats,
    );
    const results = Object.fromEntries((await evaluate(prom.url, checks)).map((r) => [r.threshold, [r.value, r.ok]]));
    expect(results).toEqual({
      'sse_ttfe: p(95)<500': [expect.closeTo(0.435, 9), true], // max(0.29, 0.435) s < 0.5 s
      'sse_stream_success: rate>0.99': [0.5, false], // min(2/3, 2/4)
      'sse_streams_closed: count>0': [7, true], // 3 + 4 ended streams, summed over generators
      'sse_errors{error_type:timeout}: count<3': [2, true],
      'sse_errors{error_type:timeout}: count<2': [2, false],
      'sse_streams_opened: count>=109': [109, true], // 9 stream + 100 burst, both generators
    });
    const none = await evaluate(prom.url, gateChecks({ sse_ttfe: ['p(95)<500'] }, 'no-such-run', '1h', stats));
    expect(none[0]).toMatchObject({ value: null, ok: false });
  });

  it('the CLI exits 99 when a threshold is crossed, 0 when all pass', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sse-bench-gate-'));
    try {
      const run = (file: string): Promise<CommandResult> =>
        runCommand(process.execPath, ['--import', 'tsx', 'deploy/k6-operator/gate.ts', '--prometheus', prom.url, '--testid', FIXTURE_TESTID, '--window', '1h', '--thresholds', file], process.env, 20_000);
      writeFileSync(join(dir, 'pass.json'), JSON.stringify({ sse_ttfe: ['p(99)<450'], sse_stream_success: ['rate>0.4'] }));
      writeFileSync(join(dir, 'fail.json'), JSON.stringify({ sse_ttfe: ['p(99)<440'] }));
      const pass = await run(join(dir, 'pass.json'));
      expect(pass.code, pass.stdout + pass.stderr).toBe(0);
      const fail = await run(join(dir, 'fail.json'));
      expect(fail.code, fail.stdout + fail.stderr).toBe(99);
      expect(fail.stdout).toContain('✗ sse_ttfe: p(99)<440');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
