import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { METRICS, METRIC_LIST, type MetricDef } from '../../lib/metric-defs.ts';
import {
  BACKENDS,
  DASHBOARD_FILES,
  DATASOURCE_UIDS,
  FILTER_TAGS,
  LATENCY_SOURCES,
  PANEL_PERCENTILES,
  PROMETHEUS_TREND_STATS,
  dashboardFileText,
} from '../../grafana/dashboards.ts';
import { NATIVE_HISTOGRAM_ENV, PROMETHEUS_NATIVE_HISTOGRAM_FLAG } from '../../lib/prometheus-rw.ts';
import { dashboardQueries, influxMeasurements, mapPromName, NATIVE_HISTOGRAM_STAT, promMetricNames, readDashboard } from './dashboard-queries.ts';

const EXTENSION_METRICS = ['sse_event'];
const byName = new Map<string, MetricDef>(METRIC_LIST.map((m) => [m.name, m]));
/** `p(50),p(95),avg` → the series suffixes k6 writes: p50, p95, avg. */
const trendSuffixes = (stats: string): string[] => stats.split(',').map((s) => s.trim().replace(/^p\((\d+)\)$/, 'p$1'));

describe('dashboard files', () => {
  it.each(BACKENDS)('%s: the committed JSON is what grafana/dashboards.ts builds (run `npx tsx grafana/write-dashboards.ts`)', (backend) => {
    expect(readFileSync(DASHBOARD_FILES[backend], 'utf8')).toBe(dashboardFileText(backend));
  });

  it('Prometheus has exactly the InfluxDB panels, in two titled rows; each latency query reads the native histogram, else the trend stat, and says which', () => {
    const influx = readDashboard(DASHBOARD_FILES.influxdb).panels;
    const prom = readDashboard(DASHBOARD_FILES.prometheus).panels;
    const influxTitles = influx.map((p) => p.title);
    expect(influxTitles).toEqual(
      expect.arrayContaining(['Active streams', 'Connections/s', 'Events/s', 'Open time', 'TTFE', 'TTFT', 'Stream duration', 'Longest gap per stream (stalls)', 'Mean gap per stream', 'Success rate', 'Errors by type', 'Dify node time by node type', 'Tokens/s']),
    );
    expect(influx.every((p) => p.type === 'timeseries')).toBe(true);
    const rows = prom.filter((p) => p.type === 'row').map((p) => p.title ?? '');
    expect(rows).toHaveLength(2);
    // the latency row names both k6 settings
    expect(rows[1]).toContain(`${NATIVE_HISTOGRAM_ENV}=true`);
    expect(rows[1]).toContain(PROMETHEUS_NATIVE_HISTOGRAM_FLAG);
    expect(rows[1]).toContain('worst generator');
    expect(rows[1]).toContain('K6_PROMETHEUS_RW_TREND_STATS');
    const promTitles = prom.filter((p) => p.type !== 'row').map((p) => p.title ?? '');
    expect([...promTitles].sort()).toEqual([...influxTitles].sort());
    const withPercentiles = new Set(
      dashboardQueries(readDashboard(DASHBOARD_FILES.influxdb))
        .filter((q) => q.text.includes('percentile('))
        .map((q) => q.panel),
    );
    expect(withPercentiles.size).toBe(9);
    const promLatency = dashboardQueries(readDashboard(DASHBOARD_FILES.prometheus)).filter((q) => q.text.includes('histogram_quantile'));
    expect(new Set(promLatency.map((q) => q.panel))).toEqual(withPercentiles);
    const ttfeP95 = promLatency.find((q) => q.panel === 'TTFE' && q.refId === 'B');
    expect(ttfeP95?.text).toBe(
      'label_replace(histogram_quantile(0.95, sum (rate(k6_sse_ttfe_seconds{scenario=~"$scenario", target=~"$target", testid=~"$testid"}[$__rate_interval]))), "source", "' +
        LATENCY_SOURCES.merged +
        '", "", "") or label_replace(max (k6_sse_ttfe_p95{scenario=~"$scenario", target=~"$target", testid=~"$testid"}), "source", "' +
        LATENCY_SOURCES.worst +
        '", "", "")',
    );
    expect(ttfeP95?.alias).toBe('p95 {{source}}');
    // panels sit below their row, two abreast, never overlapping
    const cells = prom.map((p) => `${p.gridPos?.x},${p.gridPos?.y}`);
    expect(new Set(cells).size).toBe(cells.length);
  });

  it.each(BACKENDS)('%s: filters by scenario, target and testid in every panel query', (backend) => {
    const d = readDashboard(DASHBOARD_FILES[backend]);
    expect(d.templating.list.map((v) => v.name)).toEqual(['DS', ...FILTER_TAGS]);
    for (const q of dashboardQueries(d).filter((q) => !q.panel.startsWith('variable'))) {
      for (const tag of FILTER_TAGS) expect(q.text, `${q.panel} ${q.refId}`).toContain(`$${tag}`);
    }
  });
});

describe('every metric a panel queries exists in lib/metric-defs.ts', () => {
  it('InfluxDB: every FROM "…" is a suite metric or the extension counter, read from the `value` field', () => {
    const queries = dashboardQueries(readDashboard(DASHBOARD_FILES.influxdb));
    const seen = new Set<string>();
    for (const q of queries) {
      const names = influxMeasurements(q.text);
      expect(names.length, `${q.panel}: ${q.text}`).toBeGreaterThan(0);
      for (const name of names) {
        expect(byName.has(name) || EXTENSION_METRICS.includes(name), `${q.panel}: unknown measurement ${name}`).toBe(true);
        seen.add(name);
      }
      if (!q.panel.startsWith('variable')) expect(q.text).toContain('"value"');
    }
    expect(seen.size).toBeGreaterThanOrEqual(12);
  });

  it('InfluxDB: GROUP BY tags are tags the grouped metric carries', () => {
    for (const q of dashboardQueries(readDashboard(DASHBOARD_FILES.influxdb))) {
      const grouped = [...q.text.matchAll(/GROUP BY time\([^)]*\), "([a-z_]+)"/g)].map((m) => m[1] ?? '');
      for (const tag of grouped) {
        for (const name of influxMeasurements(q.text)) expect(byName.get(name)?.extraTags, `${name} by ${tag}`).toContain(tag);
      }
    }
  });

  it('Prometheus: every k6_… series maps to a suite metric with the suffix k6 gives its type', () => {
    const queries = dashboardQueries(readDashboard(DASHBOARD_FILES.prometheus));
    const stats = trendSuffixes(PROMETHEUS_TREND_STATS);
    const seen = new Set<string>();
    for (const q of queries) {
      const names = promMetricNames(q.text);
      expect(names.length, `${q.panel}: ${q.text}`).toBeGreaterThan(0);
      for (const series of names) {
        const m = mapPromName(series);
        if (!m.ok) throw new Error(`${q.panel}: ${m.problem}`);
        // a trend stat the dashboard reads must be one K6_PROMETHEUS_RW_TREND_STATS exports
        if (m.kind === 'trend' && m.stat !== NATIVE_HISTOGRAM_STAT) expect(stats, `${series} needs ${m.stat} in K6_PROMETHEUS_RW_TREND_STATS`).toContain(m.stat);
        // a query that reads a trend reads both its native histogram and its trend-stat gauge
        if (m.kind === 'trend') expect(q.text, series).toMatch(/histogram_quantile\(.* or label_replace\(max/);
        seen.add(m.metric);
      }
      for (const tag of [...q.text.matchAll(/(?:max|sum) by \(([a-z_]+)\)/g)].map((x) => x[1] ?? '')) {
        for (const series of names) expect(byName.get(mapPromName(series).ok ? (mapPromName(series) as { metric: string }).metric : '')?.extraTags).toContain(tag);
      }
    }
    expect(seen.size).toBeGreaterThanOrEqual(12);
  });

  it('mapPromName follows k6 remote-write naming and rejects what k6 never writes', () => {
    expect(mapPromName('k6_sse_streams_opened_total')).toEqual({ ok: true, metric: 'sse_streams_opened', kind: 'counter', stat: 'total' });
    expect(mapPromName('k6_sse_ttfe_p95')).toEqual({ ok: true, metric: 'sse_ttfe', kind: 'trend', stat: 'p95' });
    expect(mapPromName('k6_sse_stream_success_rate')).toMatchObject({ ok: true, metric: 'sse_stream_success' });
    expect(mapPromName('k6_sse_event_total')).toMatchObject({ ok: true, metric: 'sse_event' });
    expect(mapPromName('k6_sse_ttfe_total').ok).toBe(false); // a trend is never _total
    expect(mapPromName('k6_sse_streams_opened').ok).toBe(false); // a counter always is
    expect(mapPromName('k6_sse_ttfe_seconds_p95').ok).toBe(false); // no unit suffix on trend stats
    // native histograms: the base unit for time trends, nothing for unitless ones
    expect(mapPromName('k6_sse_ttfe_seconds')).toEqual({ ok: true, metric: 'sse_ttfe', kind: 'trend', stat: NATIVE_HISTOGRAM_STAT });
    expect(mapPromName('k6_llm_tokens_per_second')).toEqual({ ok: true, metric: 'llm_tokens_per_second', kind: 'trend', stat: NATIVE_HISTOGRAM_STAT });
    expect(mapPromName('k6_sse_ttfe').ok).toBe(false);
    expect(mapPromName('k6_llm_tokens_per_second_seconds').ok).toBe(false);
    expect(mapPromName('k6_sse_streams_opened_seconds').ok).toBe(false);
    expect(mapPromName('sse_ttfe_p95').ok).toBe(false);
    expect(mapPromName('k6_sse_nonexistent_total').ok).toBe(false);
  });

  it('the panels cover the time trends at p50/p95/p99 (gauges and merged histograms) and the active-streams counters', () => {
    const prom = dashboardQueries(readDashboard(DASHBOARD_FILES.prometheus)).map((q) => q.text).join('\n');
    const filter = `{${FILTER_TAGS.map((t) => `${t}=~"$${t}"`).join(', ')}}`;
    for (const m of [METRICS.openTime, METRICS.ttfe, METRICS.ttft, METRICS.streamDuration, METRICS.gapMax, METRICS.gapMean]) {
      for (const p of PANEL_PERCENTILES) {
        expect(prom).toContain(`k6_${m.name}_p${p}`);
        // windowed and merged: the quantile of the sum over every generator's series of the per-second increase
        expect(prom).toContain(`histogram_quantile(${p / 100}, sum (rate(k6_${m.name}_seconds${filter}[$__rate_interval])))`);
      }
    }
    expect(prom).toContain(`sum (k6_${METRICS.streamsOpened.name}_total`);
    expect(prom).toContain(`sum (k6_${METRICS.streamsClosed.name}_total`);
  });
});

describe('provisioning and compose stack', () => {
  const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as {
    services: Record<string, { image?: string; command?: string[]; volumes?: string[]; env_file?: string; environment?: Record<string, string | null> }>;
  };
  const hostPaths = (service: string): string[] =>
    (compose.services[service]?.volumes ?? []).map((v) => v.split(':')[0] ?? '').filter((p) => p.startsWith('./'));

  it('starts InfluxDB 1.8, Prometheus with the remote-write receiver and native histograms, and Grafana', () => {
    expect(compose.services.influxdb?.image).toBe('influxdb:1.8');
    expect(compose.services.prometheus?.image).toMatch(/^prom\/prometheus:v2\./);
    expect(Number(/v2\.(\d+)/.exec(compose.services.prometheus?.image ?? '')?.[1])).toBeGreaterThanOrEqual(40); // native histograms: 2.40+
    expect(compose.services.prometheus?.command).toContain('--web.enable-remote-write-receiver');
    expect(compose.services.prometheus?.command).toContain(PROMETHEUS_NATIVE_HISTOGRAM_FLAG);
    expect(compose.services.grafana?.image).toMatch(/^grafana\/grafana:/);
  });

  it('every file or directory the compose file mounts exists', () => {
    const paths = Object.keys(compose.services).flatMap(hostPaths).filter((p) => p !== './build' && p !== './reports');
    expect(paths.length).toBeGreaterThanOrEqual(4);
    for (const p of paths) expect(existsSync(p), p).toBe(true);
    expect(existsSync(compose.services.k6?.env_file ?? '')).toBe(true);
  });

  it('Grafana gets both provisioning folders and the dashboards directory the provider reads', () => {
    const grafana = compose.services.grafana?.volumes ?? [];
    const provider = parse(readFileSync('grafana/provisioning/dashboards/dashboards.yml', 'utf8')) as { providers: { options: { path: string } }[] };
    const mountedAt = (host: string): string | undefined => grafana.find((v) => v.startsWith(`${host}:`))?.split(':')[1];
    expect(mountedAt('./grafana/provisioning/datasources')).toBe('/etc/grafana/provisioning/datasources');
    expect(mountedAt('./grafana/provisioning/dashboards')).toBe('/etc/grafana/provisioning/dashboards');
    expect(mountedAt('./grafana/dashboards')).toBe(provider.providers[0]?.options.path);
  });

  it('the provisioned datasources have the uids the dashboards default to and point at the compose services', () => {
    const ds = parse(readFileSync('grafana/provisioning/datasources/datasources.yml', 'utf8')) as {
      datasources: { uid: string; type: string; url: string; jsonData?: { dbName?: string } }[];
    };
    for (const backend of BACKENDS) {
      const entry = ds.datasources.find((d) => d.type === backend);
      expect(entry?.uid).toBe(DATASOURCE_UIDS[backend]);
      expect(Object.keys(compose.services)).toContain(new URL(entry?.url ?? 'http://x').hostname);
      const dsVar = readDashboard(DASHBOARD_FILES[backend]).templating.list.find((v) => v.type === 'datasource');
      expect(dsVar?.query).toBe(backend);
    }
    expect(ds.datasources.find((d) => d.type === 'influxdb')?.jsonData?.dbName).toBe('k6');
  });

  it('k6 writes Trends as native histograms in the compose stack, and the docs give both settings', () => {
    // NAME=value lines, as `set -a; . k6.env` and compose's env_file read them (quotes removed)
    const envFile = new Map([...readFileSync('deploy/compose/k6.env', 'utf8').matchAll(/^(\w+)=(.*)$/gm)].map((m) => [m[1], (m[2] ?? '').replace(/^"(.*)"$/, '$1')]));
    expect(envFile.get(NATIVE_HISTOGRAM_ENV)).toBe('true');
    for (const doc of ['docs/observability.md', 'docs/distributed.md', 'README.md']) {
      const text = readFileSync(doc, 'utf8');
      expect(text, doc).toContain(`${NATIVE_HISTOGRAM_ENV}=true`);
      expect(text, doc).toContain(PROMETHEUS_NATIVE_HISTOGRAM_FLAG);
    }
  });

  it('K6_PROMETHEUS_RW_TREND_STATS is the dashboard’s value in the env file, the compose k6 service and the docs', () => {
    const envFile = readFileSync('deploy/compose/k6.env', 'utf8');
    expect(envFile).toContain(`K6_PROMETHEUS_RW_TREND_STATS="${PROMETHEUS_TREND_STATS}"`);
    expect(compose.services.k6?.env_file).toBe('deploy/compose/k6.env');
    expect(readFileSync('docs/observability.md', 'utf8')).toContain(`K6_PROMETHEUS_RW_TREND_STATS="${PROMETHEUS_TREND_STATS}"`);
  });
});
