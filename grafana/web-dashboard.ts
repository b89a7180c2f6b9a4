/**
 * sse-bench's view for k6's built-in web dashboard (`K6_WEB_DASHBOARD=true`): an "SSE" tab
 * built from lib/metric-defs.ts, first, then k6's stock tabs unchanged. Written to
 * grafana/k6-web-dashboard.json by `npm run dashboards` (a test fails when the committed
 * file drifts from this module); `npm run bench -- --dashboard` points k6 at it with
 * XK6_DASHBOARD_CONFIG, and a plain `k6 run` uses it the same way (docs/bench-cli.md).
 *
 * What the dashboard can show (its queries are JMESPath over per-period sample vectors):
 * - counters as `rate` (per second in each period) or `count`; trends as avg, min, med, max,
 *   p90, p95, p99; rate metrics as `rate` (the 0–1 share, labelled "/s" by the UI);
 * - sub-metrics by tag only for the tags named in K6_WEB_DASHBOARD_TAGS (default `group`):
 *   `--dashboard` adds `error_type` so errors can be split by type;
 * - no arithmetic: active streams (opened − closed) cannot be computed, so the tab charts
 *   streams opened/s and closed/s side by side (their totals are in the Summary tab).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXTENSION_EVENT_METRIC, METRICS, RECORDED_METRICS, type MetricDef, type MetricKind } from '../lib/metric-defs.ts';
import { buildTab, serie, type DashboardConfig, type DashboardTab, type PanelSpec } from './web-dashboard-model.ts';
import { STOCK_TABS } from './web-dashboard-stock.ts';

/** The committed configuration, relative to the repository root. */
export const WEB_DASHBOARD_FILE = 'grafana/k6-web-dashboard.json';

/** Absolute path of the committed configuration (XK6_DASHBOARD_CONFIG needs no particular working directory). */
export function webDashboardPath(): string {
  return join(dirname(fileURLToPath(import.meta.url)), 'k6-web-dashboard.json');
}

export const SSE_TAB_ID = 'sse';

/** Aggregates the dashboard computes per metric type (xk6-dashboard's names, parentheses dropped). */
export const DASHBOARD_AGGREGATES: Readonly<Record<MetricKind, readonly string[]>> = {
  trend: ['avg', 'min', 'med', 'max', 'p90', 'p95', 'p99'],
  counter: ['count', 'rate'],
  rate: ['rate'],
};

/** The tag `--dashboard` asks k6 to split sub-metrics by, besides k6's default `group`. */
const ERROR_TAG = 'error_type';

/** K6_WEB_DASHBOARD_TAGS for `--dashboard`: k6's default `group`, plus sse_errors' `error_type`. */
export const WEB_DASHBOARD_TAGS = `group,${ERROR_TAG}`;

function recorded(name: string): MetricDef {
  const def = RECORDED_METRICS.find((m) => m.name === name);
  if (!def) throw new Error(`web dashboard: ${name} is not a metric of lib/metric-defs.ts`);
  return def;
}

/**
 * A query for one aggregate of a metric: untagged (`name[?!tags && agg]`, one vector), or one
 * vector per value of `by` (`name[?tags.by && agg]`). Throws for an aggregate the metric's
 * type does not have or a tag it does not carry: a query that can never match is a bug.
 */
export function query(metric: MetricDef, aggregate: string, by?: string): string {
  if (!DASHBOARD_AGGREGATES[metric.kind].includes(aggregate)) {
    throw new Error(`web dashboard: ${metric.name} is a ${metric.kind}; it has no "${aggregate}" (${DASHBOARD_AGGREGATES[metric.kind].join(', ')})`);
  }
  if (by === undefined) return `${metric.name}[?!tags && ${aggregate}]`;
  if (!metric.extraTags.includes(by)) throw new Error(`web dashboard: ${metric.name} carries no "${by}" tag`);
  return `${metric.name}[?tags.${by} && ${aggregate}]`;
}

const events = recorded(EXTENSION_EVENT_METRIC);
const { streamsOpened, streamsClosed, ttfe, ttft, gapMean, gapMax, streamSuccess, goodput, errors, llmOutputTokens, llmTokensPerSecond } = METRICS;

const stat = (title: string, summary: string, q: string): PanelSpec => ({ title, kind: 'stat', summary, series: [serie(q)] });

/** p50 and p95 of a trend, one legend each (each query selects one vector). */
const medianAndP95 = (metric: MetricDef, label = ''): ReturnType<typeof serie>[] => [
  serie(query(metric, 'med'), `${label}p50`),
  serie(query(metric, 'p95'), `${label}p95`),
];

const ACTIVE_STREAMS_NOTE =
  `Active streams = ${streamsOpened.name} − ${streamsClosed.name}. The dashboard's queries select series but cannot subtract them, ` +
  'so both rates are charted: while opened/s stays above closed/s, streams pile up. The totals are in the Summary tab (Counters); ' +
  'npm run bench prints active streams in its live block, and the Grafana dashboards chart them.';

export function buildSseTab(): DashboardTab {
  return buildTab(SSE_TAB_ID, 'SSE', 'Server-Sent Events streams as sse-bench measures them (lib/metric-defs.ts). Each point is one period (K6_WEB_DASHBOARD_PERIOD, default 10 s).', [
    {
      panels: [
        stat('Connections/s', `${streamsOpened.name} per second: ${streamsOpened.description}`, query(streamsOpened, 'rate')),
        stat('Events/s', `${EXTENSION_EVENT_METRIC} per second: ${events.description}`, query(events, 'rate')),
        stat('TTFE p95', `${ttfe.name}: ${ttfe.description}`, query(ttfe, 'p95')),
        stat('TTFT p95', `${ttft.name}: ${ttft.description}`, query(ttft, 'p95')),
        stat('Stream Success', `${streamSuccess.name} (0–1): ${streamSuccess.description}`, query(streamSuccess, 'rate')),
        stat('Failed Streams/s', `${errors.name} per second: ${errors.description}`, query(errors, 'rate')),
      ],
    },
    {
      title: 'Streams',
      summary: ACTIVE_STREAMS_NOTE,
      panels: [
        {
          title: 'Streams opened and closed per second',
          summary: ACTIVE_STREAMS_NOTE,
          fullWidth: true,
          series: [serie(query(streamsOpened, 'rate'), 'opened/s (connections/s)'), serie(query(streamsClosed, 'rate'), 'closed/s')],
        },
        { title: 'Events per second', summary: `${EXTENSION_EVENT_METRIC}: ${events.description}`, series: [serie(query(events, 'rate'), 'events/s')] },
        {
          title: 'Failed streams per second by error type',
          summary:
            `${errors.name}: ${errors.description}. One line per error_type needs K6_WEB_DASHBOARD_TAGS=${WEB_DASHBOARD_TAGS} ` +
            '(npm run bench -- --dashboard sets it); the reason of each type is in the k6 log and the bench final block.',
          series: [serie(query(errors, 'rate'), 'all types'), serie(query(errors, 'rate', ERROR_TAG))],
        },
        {
          title: 'Stream success and goodput',
          summary: `Shares of streams in each period, 0–1 (the dashboard labels rates "/s"). ${streamSuccess.name}: ${streamSuccess.description}. ${goodput.name}: ${goodput.description}.`,
          series: [serie(query(streamSuccess, 'rate'), 'success'), serie(query(goodput, 'rate'), 'goodput (met SLO_*)')],
        },
      ],
    },
    {
      title: 'Latency',
      summary: 'Percentiles of the samples recorded in each period.',
      panels: [
        { title: 'Time to first event (TTFE)', summary: `${ttfe.name}: ${ttfe.description}`, series: medianAndP95(ttfe) },
        { title: 'Time to first token (TTFT)', summary: `${ttft.name}: ${ttft.description}`, series: medianAndP95(ttft) },
        {
          title: 'Gaps between events',
          summary: `${gapMean.name}: ${gapMean.description}. ${gapMax.name}: ${gapMax.description}.`,
          series: [...medianAndP95(gapMean, 'mean gap '), ...medianAndP95(gapMax, 'longest gap ')],
        },
      ],
    },
    {
      title: 'LLM tokens',
      panels: [
        { title: 'Output tokens per second', summary: `${llmOutputTokens.name} per second, all streams: ${llmOutputTokens.description}`, series: [serie(query(llmOutputTokens, 'rate'), 'tokens/s')] },
        { title: 'Tokens per second per stream', summary: `${llmTokensPerSecond.name}: ${llmTokensPerSecond.description}`, series: medianAndP95(llmTokensPerSecond) },
      ],
    },
  ]);
}

/** The whole configuration: the SSE tab first (the page opens on it), then k6's stock tabs. */
export function buildWebDashboardConfig(): DashboardConfig {
  return { title: 'sse-bench — k6 dashboard', tabs: [buildSseTab(), ...STOCK_TABS] };
}

/** The committed file's text (2-space indented, trailing newline). */
export function webDashboardFileText(): string {
  return `${JSON.stringify(buildWebDashboardConfig(), null, 2)}\n`;
}

/** Every query of a configuration, with where it is (for tests and error messages). */
export function queriesOf(config: DashboardConfig): { where: string; query: string }[] {
  return config.tabs.flatMap((t) => t.sections.flatMap((s) => s.panels.flatMap((p) => p.series.map((q) => ({ where: `${t.title} › ${p.title}`, query: q.query })))));
}
