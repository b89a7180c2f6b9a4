/**
 * Reads the committed dashboard JSON files the way Grafana does, independently of
 * grafana/dashboards.ts: every query text (panel targets and template variables) and
 * the metric names those queries reference, mapped back to k6 metric names.
 */
import { readFileSync } from 'node:fs';
import type { MetricKind } from '../../lib/metric-defs.ts';
import { RECORDED_METRICS } from '../../lib/metric-defs.ts';

export interface DashboardQuery {
  readonly panel: string;
  readonly refId: string;
  readonly text: string;
  readonly alias: string;
}

interface JsonTarget {
  refId?: string;
  query?: string;
  expr?: string;
  alias?: string;
  legendFormat?: string;
}
interface JsonPanel {
  type?: string;
  title?: string;
  gridPos?: { x: number; y: number; w: number; h: number };
  targets?: JsonTarget[];
  panels?: JsonPanel[];
}
interface JsonVariable {
  name: string;
  type: string;
  query: string | { query?: string };
}
export interface DashboardJson {
  uid: string;
  title: string;
  panels: JsonPanel[];
  templating: { list: JsonVariable[] };
}

export function readDashboard(path: string): DashboardJson {
  return JSON.parse(readFileSync(path, 'utf8')) as DashboardJson;
}

/** Every panel query (rows' nested panels included) and every query variable. */
export function dashboardQueries(d: DashboardJson): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  const visit = (panels: readonly JsonPanel[]): void => {
    for (const p of panels) {
      for (const t of p.targets ?? []) {
        const text = t.query ?? t.expr;
        if (text !== undefined) out.push({ panel: p.title ?? '', refId: t.refId ?? '', text, alias: t.alias ?? t.legendFormat ?? '' });
      }
      visit(p.panels ?? []);
    }
  };
  visit(d.panels);
  for (const v of d.templating.list) {
    if (v.type !== 'query') continue;
    const text = typeof v.query === 'string' ? v.query : (v.query.query ?? '');
    out.push({ panel: `variable ${v.name}`, refId: v.name, text, alias: '' });
  }
  return out;
}

/** Measurements an InfluxQL query reads: `FROM "name"` (also `FROM name`). */
export function influxMeasurements(query: string): string[] {
  return [...query.matchAll(/\bFROM\s+"?([A-Za-z_][A-Za-z0-9_]*)"?/gi)].map((m) => m[1] ?? '');
}

/** Metric names (`k6_…`) a PromQL expression selects. */
export function promMetricNames(expr: string): string[] {
  return [...expr.matchAll(/\b(k6_[A-Za-z0-9_]+)/g)].map((m) => m[1] ?? '');
}

export type PromMapping = { ok: true; metric: string; kind: MetricKind; stat: string } | { ok: false; problem: string };

/** Trend stat suffixes k6's remote-write output can produce (K6_PROMETHEUS_RW_TREND_STATS). */
const TREND_SUFFIX = /^(p\d+|avg|min|max|med|count|sum)$/;

/** `stat` of a trend's native histogram in a PromMapping. */
export const NATIVE_HISTOGRAM_STAT = 'native histogram';

/**
 * Maps a remote-write series name back to a suite metric, following k6's naming:
 * `k6_<name>_total` (counter), `k6_<name>_rate` (rate), `k6_<name>_<stat>` (trend stat
 * gauge), and a trend's native histogram: `k6_<name>_seconds` for a time trend, `k6_<name>`
 * for a unitless one.
 */
export function mapPromName(series: string): PromMapping {
  if (!series.startsWith('k6_')) return { ok: false, problem: `${series}: no k6_ prefix` };
  const rest = series.slice(3);
  for (const m of RECORDED_METRICS) {
    if (m.kind === 'trend' && rest === (m.isTime ? `${m.name}_seconds` : m.name)) return { ok: true, metric: m.name, kind: m.kind, stat: NATIVE_HISTOGRAM_STAT };
    if (!rest.startsWith(`${m.name}_`)) continue;
    const suffix = rest.slice(m.name.length + 1);
    const expected = m.kind === 'counter' ? suffix === 'total' : m.kind === 'rate' ? suffix === 'rate' : TREND_SUFFIX.test(suffix);
    if (expected) return { ok: true, metric: m.name, kind: m.kind, stat: suffix };
  }
  return { ok: false, problem: `${series}: not k6_<metric>_<suffix> of any suite metric with its type's suffix` };
}

/** The query of panel `panel` with `refId`; throws when the dashboard has none. */
export function findQuery(queries: readonly DashboardQuery[], panel: string, refId = 'A'): DashboardQuery {
  const q = queries.find((x) => x.panel === panel && x.refId === refId);
  if (q === undefined) throw new Error(`no query ${panel}/${refId} in the dashboard`);
  return q;
}

/** Values for the dashboard's filter variables, as regexes (Grafana sends `.*` for "All"). */
export interface Filters {
  scenario: string;
  target: string;
  testid: string;
}

/** Expands `$scenario`, `$target`, `$testid` the way Grafana does before sending a query. */
export const expandFilters = (text: string, f: Filters): string =>
  text.replace(/\$(scenario|target|testid)\b/g, (_: string, tag: keyof Filters) => f[tag]);
