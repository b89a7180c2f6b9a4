/**
 * The argument k6 (v1.x) passes to `handleSummary(data)`, typed from k6's own
 * exporter (internal/js/summary.go, `summarizeMetricsToObject`), plus small readers
 * for it. Pure: no k6 import, so reports are testable in Node.
 *
 * Shape, as k6 builds it:
 * - `metrics[name]` for every metric that got samples or has thresholds (k6 marks a
 *   metric with thresholds as observed, so `sse_errors{error_type:timeout}` appears
 *   with `count: 0` when a threshold names it). Sub-metrics are keyed
 *   `parent{tag:value,…}` exactly as the threshold key was written.
 * - `values`: counter → `count`, `rate` (per second of test run); gauge → `value`,
 *   `min`, `max`; rate → `rate` (0..1), `passes`, `fails`; trend → one entry per
 *   `options.summaryTrendStats` name (`avg`, `med`, `p(95)`, `count`, …). Time trends
 *   (`contains: 'time'`) are in milliseconds.
 * - `thresholds[expression] = { ok }` only on metrics that have thresholds.
 */

const METRIC_TYPES = ['counter', 'gauge', 'rate', 'trend'] as const;
const CONTAINS = ['default', 'time', 'data'] as const;
export type SummaryMetricType = (typeof METRIC_TYPES)[number];
export type SummaryContains = (typeof CONTAINS)[number];

export interface SummaryThresholdResult {
  readonly ok: boolean;
}

export interface SummaryMetric {
  readonly type: SummaryMetricType;
  readonly contains: SummaryContains;
  readonly values: Readonly<Record<string, number>>;
  readonly thresholds?: Readonly<Record<string, SummaryThresholdResult>>;
}

export interface SummaryCheck {
  readonly name: string;
  readonly path: string;
  readonly id: string;
  readonly passes: number;
  readonly fails: number;
}

export interface SummaryGroup {
  readonly name: string;
  readonly path: string;
  readonly id: string;
  readonly groups: readonly SummaryGroup[];
  readonly checks: readonly SummaryCheck[];
}

export interface SummaryData {
  readonly root_group: SummaryGroup;
  readonly options: {
    readonly summaryTrendStats: readonly string[];
    readonly summaryTimeUnit: string;
    readonly noColor: boolean;
  };
  readonly state: {
    readonly isStdOutTTY: boolean;
    readonly isStdErrTTY: boolean;
    /** Wall time of the test run (setup to teardown), in milliseconds. */
    readonly testRunDurationMs: number;
  };
  readonly metrics: Readonly<Record<string, SummaryMetric>>;
  /** Whatever `setup()` returned; absent when there is no setup. */
  readonly setup_data?: unknown;
}

/** A metric key split into its metric name and sub-metric tags (`{}` for the metric itself). */
export interface MetricKey {
  readonly metric: string;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * `sse_errors{error_type:timeout}` → `{ metric: 'sse_errors', tags: { error_type: 'timeout' } }`.
 * Whitespace around names and values is ignored, as k6 ignores it.
 */
export function parseMetricKey(key: string): MetricKey {
  const open = key.indexOf('{');
  if (open < 0 || !key.endsWith('}')) return { metric: key.trim(), tags: {} };
  const tags: Record<string, string> = {};
  for (const pair of key.slice(open + 1, -1).split(',')) {
    const colon = pair.indexOf(':');
    if (colon < 0) continue;
    tags[pair.slice(0, colon).trim()] = pair.slice(colon + 1).trim();
  }
  return { metric: key.slice(0, open).trim(), tags };
}

/** One statistic of one metric (or sub-metric) key; `null` when the key or the statistic is absent. */
export function metricValue(data: SummaryData, key: string, stat: string): number | null {
  const value = data.metrics[key]?.values[stat];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Sub-metrics of `metric` tagged with exactly one tag `tag`: tag value → metric. */
export function subMetricsByTag(data: SummaryData, metric: string, tag: string): Map<string, SummaryMetric> {
  const found = new Map<string, SummaryMetric>();
  for (const [key, value] of Object.entries(data.metrics)) {
    const parsed = parseMetricKey(key);
    const names = Object.keys(parsed.tags);
    const tagValue = parsed.tags[tag];
    if (parsed.metric === metric && names.length === 1 && tagValue !== undefined) found.set(tagValue, value);
  }
  return found;
}

/** A JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface SummaryProblem {
  /** Dotted path of the bad field, e.g. `summary.metrics.sse_ttfe.values.avg`. */
  readonly field: string;
  readonly problem: string;
}

/**
 * Why `value` is not a k6 summary object, or `null` when it is one. Checks what the
 * reports read; extra fields are allowed.
 */
export function summaryDataProblem(value: unknown, path = 'summary'): SummaryProblem | null {
  const bad = (field: string, problem = 'expected an object'): SummaryProblem => ({ field: `${path}${field}`, problem });
  if (!isRecord(value)) return bad('');
  const state = value['state'];
  if (!isRecord(state)) return bad('.state');
  if (typeof state['testRunDurationMs'] !== 'number') return bad('.state.testRunDurationMs', 'expected a number');
  const options = value['options'];
  if (!isRecord(options)) return bad('.options');
  if (!Array.isArray(options['summaryTrendStats'])) return bad('.options.summaryTrendStats', 'expected an array');
  if (!isRecord(value['root_group'])) return bad('.root_group');
  const metrics = value['metrics'];
  if (!isRecord(metrics)) return bad('.metrics');
  for (const [name, metric] of Object.entries(metrics)) {
    const at = `.metrics.${name}`;
    if (!isRecord(metric)) return bad(at);
    if (!(METRIC_TYPES as readonly unknown[]).includes(metric['type'])) return bad(`${at}.type`, `expected one of ${METRIC_TYPES.join(', ')}`);
    if (!(CONTAINS as readonly unknown[]).includes(metric['contains'])) return bad(`${at}.contains`, `expected one of ${CONTAINS.join(', ')}`);
    const values = metric['values'];
    if (!isRecord(values)) return bad(`${at}.values`);
    for (const [stat, v] of Object.entries(values)) {
      if (typeof v !== 'number') return bad(`${at}.values.${stat}`, 'expected a number');
    }
    const thresholds = metric['thresholds'];
    if (thresholds === undefined) continue;
    if (!isRecord(thresholds)) return bad(`${at}.thresholds`);
    for (const [expr, result] of Object.entries(thresholds)) {
      if (!isRecord(result) || typeof result['ok'] !== 'boolean') return bad(`${at}.thresholds.${expr}.ok`, 'expected a boolean');
    }
  }
  return null;
}
