/**
 * The Grafana dashboards, built from the suite's one metric definition
 * (lib/metric-defs.ts): one panel list, rendered twice — InfluxQL for k6's built-in
 * InfluxDB v1 output (`--out influxdb=…`) and PromQL for k6's remote-write output
 * (`--out experimental-prometheus-rw`). `npx tsx grafana/write-dashboards.ts` writes the
 * JSON files Grafana provisions; a test fails when they drift from this module.
 *
 * What each output really stores (see docs/observability.md):
 * - InfluxDB v1: one point per sample; measurement = metric name, tags = sample tags
 *   (minus vu/iter/url, stored as fields), field `value` (ms for time trends). Every
 *   aggregate (sum, percentile) is computed over raw samples, so it is exact across
 *   load generators.
 * - Prometheus remote write (names: lib/prometheus-rw.ts): `k6_` + name; counters `_total`;
 *   rates `_rate`; trends either one native histogram each (`k6_<name>_seconds`, with
 *   K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM=true and Prometheus' native-histograms
 *   feature) or one gauge per stat of K6_PROMETHEUS_RW_TREND_STATS (`_p50`, `_p95`, …);
 *   in seconds for time trends, cumulative since the generator started, one series per
 *   tag set and generator. Counters and histograms sum exactly across generators; trend-stat
 *   percentiles cannot be merged. So each latency query of the Prometheus dashboard is
 *   `merged or worst`: the percentile of every generator's samples in the last rate window
 *   from the native histograms where they exist, else (PromQL `or`) the worst generator's
 *   (`max`) cumulative trend stat; a `source` label added to each side names which one the
 *   legend shows. One set of panels then has data in either k6 mode.
 */
import { EXTENSION_EVENT_METRIC, METRICS, type MetricDef } from '../lib/metric-defs.ts';
import { K6_RW_PREFIX, NATIVE_HISTOGRAM_ENV, PROMETHEUS_NATIVE_HISTOGRAM_FLAG, rwNativeHistogramName } from '../lib/prometheus-rw.ts';

export type Backend = 'influxdb' | 'prometheus';
export const BACKENDS: readonly Backend[] = ['influxdb', 'prometheus'];

/** Dashboard filters: k6 tags every sample carries (`testid` only when the run passes `--tag testid=…`). */
export const FILTER_TAGS = ['scenario', 'target', 'testid'] as const;

/** The trend percentiles the panels show. */
export const PANEL_PERCENTILES = [50, 95, 99] as const;

/**
 * The value of K6_PROMETHEUS_RW_TREND_STATS the Prometheus dashboard needs (k6's default
 * is `p(99)` only). Set in deploy/compose/k6.env, the CI workflows, the k6-operator
 * manifest and the docs; tests check each copy against this one.
 */
export const PROMETHEUS_TREND_STATS = 'p(50),p(95),p(99),avg,min,max';

/** Provisioned datasource uids (grafana/provisioning/datasources/datasources.yml). */
export const DATASOURCE_UIDS: Readonly<Record<Backend, string>> = {
  influxdb: 'sse-bench-influxdb',
  prometheus: 'sse-bench-prometheus',
};

export const DASHBOARD_FILES: Readonly<Record<Backend, string>> = {
  influxdb: 'grafana/dashboards/sse-bench-influxdb.json',
  prometheus: 'grafana/dashboards/sse-bench-prometheus.json',
};

/** One plotted series, independent of the backend. */
export type SeriesSpec =
  /** A trend's percentile (`by`: one line per value of that tag). */
  | { readonly kind: 'percentile'; readonly metric: MetricDef; readonly p: number; readonly by?: string }
  /** A counter's increase per second, summed over every series (all generators). */
  | { readonly kind: 'perSecond'; readonly metric: string; readonly label: string; readonly by?: string }
  /** A counter's running total since the start of the run, summed over every series (all generators). */
  | { readonly kind: 'running'; readonly metric: string; readonly label: string; readonly by?: string }
  /** A rate metric's share of non-zero samples. */
  | { readonly kind: 'ratio'; readonly metric: MetricDef; readonly label: string };

/** Units Grafana knows; time panels use ms (InfluxDB) or s (Prometheus). */
type PanelUnit = 'time' | 'reqps' | 'short' | 'percentunit';

export interface PanelSpec {
  readonly title: string;
  readonly description: string;
  readonly unit: PanelUnit;
  /** `activeStreams` panels are built specially: opened − closed across generators. */
  readonly series: readonly SeriesSpec[] | 'activeStreams';
}

const percentiles = (metric: MetricDef, by?: string): SeriesSpec[] =>
  PANEL_PERCENTILES.map((p) => (by === undefined ? { kind: 'percentile', metric, p } : { kind: 'percentile', metric, p, by }));

export const PANELS: readonly PanelSpec[] = [
  {
    title: 'Active streams',
    description: `${METRICS.streamsOpened.name} − ${METRICS.streamsClosed.name}, summed over every load generator`,
    unit: 'short',
    series: 'activeStreams',
  },
  {
    title: 'Connections/s',
    description: 'streams opened and closed per second, all load generators',
    unit: 'reqps',
    series: [
      { kind: 'perSecond', metric: METRICS.streamsOpened.name, label: 'opened/s' },
      { kind: 'perSecond', metric: METRICS.streamsClosed.name, label: 'closed/s' },
    ],
  },
  {
    title: 'Events/s',
    description: `SSE events per second (${EXTENSION_EVENT_METRIC}, counted by k6/x/sse), all load generators`,
    unit: 'short',
    series: [{ kind: 'perSecond', metric: EXTENSION_EVENT_METRIC, label: 'events/s' }],
  },
  { title: 'Open time', description: METRICS.openTime.description, unit: 'time', series: percentiles(METRICS.openTime) },
  { title: 'TTFE', description: METRICS.ttfe.description, unit: 'time', series: percentiles(METRICS.ttfe) },
  { title: 'TTFT', description: METRICS.ttft.description, unit: 'time', series: percentiles(METRICS.ttft) },
  {
    title: 'Stream duration',
    description: METRICS.streamDuration.description,
    unit: 'time',
    series: percentiles(METRICS.streamDuration),
  },
  {
    title: 'Longest gap per stream (stalls)',
    description: METRICS.gapMax.description,
    unit: 'time',
    series: percentiles(METRICS.gapMax),
  },
  {
    title: 'Mean gap per stream',
    description: METRICS.gapMean.description,
    unit: 'time',
    series: percentiles(METRICS.gapMean),
  },
  {
    title: 'Success rate',
    description: METRICS.streamSuccess.description,
    unit: 'percentunit',
    series: [{ kind: 'ratio', metric: METRICS.streamSuccess, label: 'success' }],
  },
  {
    title: 'Goodput',
    description: `${METRICS.goodput.description} (\`stream\` scenario)`,
    unit: 'percentunit',
    series: [{ kind: 'ratio', metric: METRICS.goodput, label: 'goodput' }],
  },
  {
    // a running total, not a rate: k6 pushes a series only when it changes, so a rare error type
    // has a single sample, which Prometheus' rate() cannot turn into a value
    title: 'Errors by type',
    description: `${METRICS.errors.description}; running total`,
    unit: 'short',
    series: [{ kind: 'running', metric: METRICS.errors.name, label: 'errors', by: 'error_type' }],
  },
  {
    title: 'Dify node time by node type',
    description: METRICS.difyNodeElapsed.description,
    unit: 'time',
    series: [{ kind: 'percentile', metric: METRICS.difyNodeElapsed, p: 95, by: 'node_type' }],
  },
  {
    title: 'Dify workflow time',
    description: METRICS.difyWorkflowElapsed.description,
    unit: 'time',
    series: percentiles(METRICS.difyWorkflowElapsed),
  },
  {
    title: 'Tokens/s',
    description: `per stream: ${METRICS.llmTokensPerSecond.description}; total: ${METRICS.llmOutputTokens.name} per second, all load generators`,
    unit: 'short',
    series: [
      { kind: 'percentile', metric: METRICS.llmTokensPerSecond, p: 50 },
      { kind: 'perSecond', metric: METRICS.llmOutputTokens.name, label: 'total tokens/s' },
    ],
  },
];

const isPercentile = (s: SeriesSpec): boolean => s.kind === 'percentile';
const hasPercentiles = (spec: PanelSpec): boolean => spec.series !== 'activeStreams' && spec.series.some(isPercentile);

/**
 * The `source` label each side of a Prometheus latency query carries (the legend shows it):
 * merged native histograms of every generator over the rate window, or the worst
 * generator's cumulative trend-stat gauge.
 */
export const LATENCY_SOURCES = {
  merged: 'all generators, last rate window (native histograms)',
  worst: 'worst generator, since its start (trend stats)',
} as const;

/** Prometheus dashboard sections: a row title and its panels, in order. */
export const PROMETHEUS_ROWS: readonly { readonly title: string; readonly panels: readonly PanelSpec[] }[] = [
  { title: 'Streams, events and errors: counters, exact over all generators', panels: PANELS.filter((p) => !hasPercentiles(p)) },
  {
    title: `Latency: merged percentiles per rate window where k6 writes native histograms (${NATIVE_HISTOGRAM_ENV}=true, Prometheus ${PROMETHEUS_NATIVE_HISTOGRAM_FLAG}), else the worst generator's trend stats (K6_PROMETHEUS_RW_TREND_STATS); the legend names the source`,
    panels: PANELS.filter(hasPercentiles),
  },
];

// ---------------------------------------------------------------- Grafana JSON model

export interface InfluxTarget {
  refId: string;
  datasource: DatasourceRef;
  query: string;
  rawQuery: true;
  resultFormat: 'time_series';
  alias: string;
}
export interface PromTarget {
  refId: string;
  datasource: DatasourceRef;
  expr: string;
  legendFormat: string;
  range: true;
}
export type Target = InfluxTarget | PromTarget;
interface DatasourceRef {
  type: Backend;
  uid: string;
}
export interface Transformation {
  id: string;
  options: Record<string, unknown>;
}
/** A Grafana row: a titled, full-width separator; the panels after it belong to it. */
export interface RowPanel {
  id: number;
  type: 'row';
  title: string;
  collapsed: false;
  gridPos: { h: 1; w: 24; x: 0; y: number };
  panels: [];
}
export interface Panel {
  id: number;
  type: 'timeseries';
  title: string;
  description: string;
  datasource: DatasourceRef;
  gridPos: { h: number; w: number; x: number; y: number };
  fieldConfig: { defaults: { unit: string; min?: number; max?: number }; overrides: [] };
  options: { legend: { displayMode: 'table'; placement: 'bottom'; calcs: string[] }; tooltip: { mode: 'multi'; sort: 'none' } };
  targets: Target[];
  transformations?: Transformation[];
}
export interface TemplateVariable {
  name: string;
  label: string;
  type: 'datasource' | 'query';
  query: string;
  datasource?: DatasourceRef;
  current: { text: string; value: string };
  includeAll?: boolean;
  allValue?: string;
  multi?: boolean;
  refresh: number;
  hide: 0;
  regex?: string;
  sort?: number;
}
export interface Dashboard {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  timezone: 'browser';
  schemaVersion: number;
  version: number;
  editable: boolean;
  graphTooltip: number;
  refresh: string;
  time: { from: string; to: string };
  annotations: { list: [] };
  templating: { list: TemplateVariable[] };
  panels: (Panel | RowPanel)[];
}

const DS_VARIABLE = 'DS';
const dsRef = (backend: Backend): DatasourceRef => ({ type: backend, uid: `\${${DS_VARIABLE}}` });

// ---------------------------------------------------------------- InfluxQL

const influxFilter = FILTER_TAGS.map((tag) => `"${tag}" =~ /^$${tag}$/`).join(' AND ');

function influxSelect(select: string, measurement: string, by: string | undefined, fill: 'none' | '0'): string {
  const groupBy = by === undefined ? '' : `, "${by}"`;
  return `SELECT ${select} FROM "${measurement}" WHERE $timeFilter AND ${influxFilter} GROUP BY time($__interval)${groupBy} fill(${fill})`;
}

/** `$tag_<by>` is Grafana's InfluxDB alias pattern for a GROUP BY tag's value. */
const withTag = (label: string, by: string | undefined): string => (by === undefined ? label : `$tag_${by} ${label}`);

function influxQuery(s: SeriesSpec): { query: string; alias: string } {
  switch (s.kind) {
    case 'percentile':
      return { query: influxSelect(`percentile("value", ${s.p})`, s.metric.name, s.by, 'none'), alias: withTag(`p${s.p}`, s.by) };
    case 'perSecond':
      // sum of the samples in each interval ÷ the interval in seconds
      return { query: influxSelect('sum("value") * 1000 / $__interval_ms', s.metric, s.by, '0'), alias: withTag(s.label, s.by) };
    case 'running':
      return { query: influxSelect('cumulative_sum(sum("value"))', s.metric, s.by, '0'), alias: withTag(s.label, s.by) };
    case 'ratio':
      return { query: influxSelect('mean("value")', s.metric.name, undefined, 'none'), alias: s.label };
  }
}

/** Running totals of opened and closed streams; Grafana subtracts them (InfluxQL cannot join measurements). */
export const INFLUX_ACTIVE_ALIASES = { opened: 'opened', closed: 'closed' } as const;

function influxActiveStreams(ds: DatasourceRef): { targets: InfluxTarget[]; transformations: Transformation[] } {
  const running = (metric: MetricDef, refId: string, alias: string): InfluxTarget => ({
    refId,
    datasource: ds,
    ...influxQuery({ kind: 'running', metric: metric.name, label: alias }),
    rawQuery: true,
    resultFormat: 'time_series',
  });
  return {
    targets: [
      running(METRICS.streamsOpened, 'A', INFLUX_ACTIVE_ALIASES.opened),
      running(METRICS.streamsClosed, 'B', INFLUX_ACTIVE_ALIASES.closed),
    ],
    transformations: [
      { id: 'joinByField', options: { mode: 'outer' } },
      {
        id: 'calculateField',
        options: {
          mode: 'binary',
          binary: { left: INFLUX_ACTIVE_ALIASES.opened, operator: '-', right: INFLUX_ACTIVE_ALIASES.closed },
          alias: 'active streams',
          replaceFields: true,
        },
      },
    ],
  };
}

// ---------------------------------------------------------------- PromQL

const promFilter = `{${FILTER_TAGS.map((tag) => `${tag}=~"$${tag}"`).join(', ')}}`;
/** k6's remote-write name for a metric (`suffix`: `total`, `rate`, or a trend stat such as `p95`). */
export const promName = (metric: string, suffix: string): string => `${K6_RW_PREFIX}${metric}_${suffix}`;
const sumBy = (by: string | undefined): string => (by === undefined ? 'sum' : `sum by (${by})`);
const legendWithTag = (label: string, by: string | undefined): string => (by === undefined ? label : `{{${by}}} ${label}`);

/** The label a latency query's two sides set to tell their source (LATENCY_SOURCES). */
export const SOURCE_LABEL = 'source';
const withSource = (expr: string, source: string): string => `label_replace(${expr}, "${SOURCE_LABEL}", "${source}", "", "")`;

function promQuery(s: SeriesSpec): { expr: string; legendFormat: string } {
  switch (s.kind) {
    case 'percentile': {
      // histograms add up bucket by bucket: the sum over generators is the histogram of all their samples
      const merged = `histogram_quantile(${s.p / 100}, ${sumBy(s.by)} (rate(${rwNativeHistogramName(s.metric)}${promFilter}[$__rate_interval])))`;
      // one gauge per generator and tag set; percentiles cannot be merged: the worst
      const worst = `${s.by === undefined ? 'max' : `max by (${s.by})`} (${promName(s.metric.name, `p${s.p}`)}${promFilter})`;
      return {
        expr: `${withSource(merged, LATENCY_SOURCES.merged)} or ${withSource(worst, LATENCY_SOURCES.worst)}`,
        legendFormat: legendWithTag(`p${s.p} {{${SOURCE_LABEL}}}`, s.by),
      };
    }
    case 'perSecond':
      return {
        expr: `${sumBy(s.by)} (rate(${promName(s.metric, 'total')}${promFilter}[$__rate_interval]))`,
        legendFormat: legendWithTag(s.label, s.by),
      };
    case 'running':
      return { expr: `${sumBy(s.by)} (${promName(s.metric, 'total')}${promFilter})`, legendFormat: legendWithTag(s.label, s.by) };
    case 'ratio':
      return { expr: `avg (${promName(s.metric.name, 'rate')}${promFilter})`, legendFormat: `${s.label} (mean of generators)` };
  }
}

/** Active streams across generators; `or vector(0)` keeps the result when nothing has closed yet. */
export const PROM_ACTIVE_STREAMS_EXPR =
  `sum (${promName(METRICS.streamsOpened.name, 'total')}${promFilter})` +
  ` - (sum (${promName(METRICS.streamsClosed.name, 'total')}${promFilter}) or vector(0))`;

/** Exact success share across generators from counters: 1 − failed streams ÷ ended streams. */
export const PROM_SUCCESS_FROM_COUNTERS_EXPR =
  `1 - (sum (${promName(METRICS.errors.name, 'total')}${promFilter}) or vector(0))` +
  ` / sum (${promName(METRICS.streamsClosed.name, 'total')}${promFilter})`;

// ---------------------------------------------------------------- dashboards

const REF_IDS = 'ABCDEFGHIJ';
const refId = (i: number): string => REF_IDS[i] ?? `Q${i}`;

function panelTargets(spec: PanelSpec, backend: Backend): { targets: Target[]; transformations?: Transformation[] } {
  const ds = dsRef(backend);
  if (spec.series === 'activeStreams') {
    if (backend === 'influxdb') return influxActiveStreams(ds);
    return { targets: [{ refId: 'A', datasource: ds, expr: PROM_ACTIVE_STREAMS_EXPR, legendFormat: 'active streams', range: true }] };
  }
  const targets: Target[] = spec.series.map((s, i) =>
    backend === 'influxdb'
      ? { refId: refId(i), datasource: ds, ...influxQuery(s), rawQuery: true, resultFormat: 'time_series' }
      : { refId: refId(i), datasource: ds, ...promQuery(s), range: true },
  );
  // The exact success share from counters (no Rate is exact across generators); goodput has no counter to derive it from.
  if (backend === 'prometheus' && spec.series.some((s) => s.kind === 'ratio' && s.metric === METRICS.streamSuccess)) {
    targets.push({
      refId: refId(targets.length),
      datasource: ds,
      expr: PROM_SUCCESS_FROM_COUNTERS_EXPR,
      legendFormat: '1 − errors/closed (all generators)',
      range: true,
    });
  }
  return { targets };
}

const unitFor = (unit: PanelUnit, backend: Backend): string => (unit !== 'time' ? unit : backend === 'influxdb' ? 'ms' : 's');

const PANEL_HEIGHT = 8;

function panel(spec: PanelSpec, backend: Backend, id: number, gridPos: Panel['gridPos']): Panel {
  const { targets, transformations } = panelTargets(spec, backend);
  const defaults: Panel['fieldConfig']['defaults'] = { unit: unitFor(spec.unit, backend) };
  if (spec.unit === 'percentunit') Object.assign(defaults, { min: 0, max: 1 });
  return {
    id,
    type: 'timeseries',
    title: spec.title,
    description: spec.description,
    datasource: dsRef(backend),
    gridPos,
    fieldConfig: { defaults, overrides: [] },
    options: {
      legend: { displayMode: 'table', placement: 'bottom', calcs: ['lastNotNull', 'max'] },
      tooltip: { mode: 'multi', sort: 'none' },
    },
    targets,
    ...(transformations === undefined ? {} : { transformations }),
  };
}

/** The measurement / series a tag variable lists its values from (every suite sample has these tags). */
const VARIABLE_SOURCE = METRICS.streamsOpened.name;

function tagVariable(tag: string, backend: Backend): TemplateVariable {
  return {
    name: tag,
    label: tag,
    type: 'query',
    datasource: dsRef(backend),
    query:
      backend === 'influxdb'
        ? `SHOW TAG VALUES FROM "${VARIABLE_SOURCE}" WITH KEY = "${tag}"`
        : `label_values(${promName(VARIABLE_SOURCE, 'total')}, ${tag})`,
    current: { text: 'All', value: '$__all' },
    includeAll: true,
    // `.*` also matches series without the tag (a run without `--tag testid=…`)
    allValue: '.*',
    multi: true,
    refresh: 2,
    hide: 0,
    sort: 1,
  };
}

const TITLES: Readonly<Record<Backend, string>> = {
  influxdb: 'sse-bench — SSE streams (InfluxDB v1)',
  prometheus: 'sse-bench — SSE streams (Prometheus remote write)',
};

/** Panels two abreast; each row starts on a new line below the panels before it. */
function layout(backend: Backend, sections: readonly { readonly title?: string; readonly panels: readonly PanelSpec[] }[]): (Panel | RowPanel)[] {
  const out: (Panel | RowPanel)[] = [];
  let y = 0;
  for (const section of sections) {
    if (section.title !== undefined) {
      out.push({ id: out.length + 1, type: 'row', title: section.title, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] });
      y += 1;
    }
    section.panels.forEach((spec, i) => {
      out.push(panel(spec, backend, out.length + 1, { h: PANEL_HEIGHT, w: 12, x: (i % 2) * 12, y: y + Math.floor(i / 2) * PANEL_HEIGHT }));
    });
    y += Math.ceil(section.panels.length / 2) * PANEL_HEIGHT;
  }
  return out;
}

export function buildDashboard(backend: Backend): Dashboard {
  return {
    uid: `sse-bench-${backend}`,
    title: TITLES[backend],
    description:
      backend === 'influxdb'
        ? 'k6 run --out influxdb=http://localhost:8086/k6 build/sse.js'
        : `${NATIVE_HISTOGRAM_ENV}=true k6 run --out experimental-prometheus-rw build/sse.js (Prometheus with ${PROMETHEUS_NATIVE_HISTOGRAM_FLAG}); without native histograms: K6_PROMETHEUS_RW_TREND_STATS="${PROMETHEUS_TREND_STATS}"`,
    tags: ['k6', 'sse', 'sse-bench'],
    timezone: 'browser',
    schemaVersion: 39,
    version: 1,
    editable: true,
    graphTooltip: 1,
    refresh: '10s',
    time: { from: 'now-30m', to: 'now' },
    annotations: { list: [] },
    templating: {
      list: [
        {
          name: DS_VARIABLE,
          label: 'Data source',
          type: 'datasource',
          query: backend,
          current: { text: backend, value: DATASOURCE_UIDS[backend] },
          refresh: 1,
          hide: 0,
          regex: '',
        },
        ...FILTER_TAGS.map((tag) => tagVariable(tag, backend)),
      ],
    },
    panels: backend === 'influxdb' ? layout(backend, [{ panels: PANELS }]) : layout(backend, PROMETHEUS_ROWS),
  };
}

/** The exact text of a dashboard file (what write-dashboards.ts writes). */
export const dashboardFileText = (backend: Backend): string => `${JSON.stringify(buildDashboard(backend), null, 2)}\n`;
