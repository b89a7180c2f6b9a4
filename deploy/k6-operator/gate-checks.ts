/**
 * The checks of deploy/k6-operator/gate.ts (the CLI). Gates a distributed run (k6-operator runners, or any k6 processes pushing with
 * `--out experimental-prometheus-rw`) on the series all generators wrote to Prometheus:
 * k6-operator does not aggregate thresholds across runners, so each runner's own verdict
 * covers only its share. This evaluates the suite's threshold file on the aggregated
 * series instead and exits like k6: 0 = all pass, 99 = a threshold crossed, 1 = error.
 *
 * Each threshold (parsed by lib/init/thresholds.ts) is answered from the first source with data:
 * - counter `count`            → sum over generators of each series' final value (exact)
 * - rate `rate`                → the worst generator (min for `>`, max for `<`)
 * - trend `p(N)`, `med`, `avg` → 1. the merged native histogram of the whole run
 *   (K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM=true; see gate-native.ts): every sample of
 *   every generator, exact up to the histogram's bucket width (k6: schema 3, ±9 %);
 *   2. else the trend-stat gauges (K6_PROMETHEUS_RW_TREND_STATS) of the worst generator:
 *   max for `<`, min for `>`. If every generator's p95 is under X, at most 5 % of all
 *   samples are above X, so the whole run's p95 is under X too: never passes a failed run,
 *   but can fail a run whose p95 of the whole is well under X (see docs/distributed.md).
 * - trend `min`, `max`         → the trend-stat gauges only (a histogram has no exact extremes)
 * Sub-metric keys (`sse_errors{error_type:timeout}`) become label matchers.
 */
import { RECORDED_METRICS } from '../../lib/metric-defs.ts';
import { rwCounterName, rwNativeHistogramName, rwRateName, rwTrendStatName } from '../../lib/prometheus-rw.ts';
import { parseMetricKey } from '../../lib/report/summary-data.ts';
import { parseThresholdExpression } from '../../lib/init/thresholds.ts';
import { describeMerged, earlierPushQuery, lastPushes, laterPushesQuery, MERGED, mergedExpr, visiblePushQuery, type LastPush } from './gate-native.ts';

/** Where a check's value comes from; `sources` are tried in order, the first with data decides. */
export type GateSource =
  | { readonly kind: 'instant'; readonly label: string; readonly query: string }
  /** A merged native histogram: `template` with MERGED replaced by the whole run's histogram of `selector`. */
  | { readonly kind: 'native'; readonly label: string; readonly selector: string; readonly window: string; readonly template: string };

export interface GateCheck {
  readonly threshold: string;
  readonly op: string;
  readonly limit: number;
  readonly sources: readonly GateSource[];
  /** Said when no source has data. */
  readonly noData: string;
}

const OPS: Readonly<Record<string, (a: number, b: number) => boolean>> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '==': (a, b) => a === b,
  '===': (a, b) => a === b,
  '!=': (a, b) => a !== b,
};

const KINDS = new Map(RECORDED_METRICS.map((m) => [m.name, m]));

export const NATIVE_LABEL = 'merged native histograms';
export const STATS_LABEL = 'worst generator’s trend stats';

/** The PromQL template of a trend statistic over the merged histogram, or null when a histogram cannot answer it. */
function nativeTemplate(stat: string, percentile: number | null): string | null {
  // toPrecision: 99.9 / 100 is 0.9990000000000001 in binary floating point
  if (percentile !== null) return `histogram_quantile(${Number((percentile / 100).toPrecision(12))}, ${MERGED})`;
  if (stat === 'med') return `histogram_quantile(0.5, ${MERGED})`;
  if (stat === 'avg') return `histogram_sum(${MERGED}) / histogram_count(${MERGED})`;
  return null;
}

/** The check for one threshold expression on one metric key. */
export function gateCheck(key: string, expression: string, testid: string, window: string, trendStats: readonly string[]): GateCheck {
  const { metric: name, tags } = parseMetricKey(key);
  const def = KINDS.get(name);
  if (def === undefined) throw new Error(`${key}: not a metric of lib/metric-defs.ts`);
  const e = parseThresholdExpression(expression);
  if (e === null || e.aggregation === 'value') {
    throw new Error(`${key}: cannot gate on ${JSON.stringify(expression)} (expected e.g. p(95)<500, rate>0.99, count<10)`);
  }
  const { aggregation: stat, op } = e;
  const matchers = `{${[['testid', testid], ...Object.entries(tags)].map(([k, v]) => `${k}="${v}"`).join(', ')}}`;
  const last = (series: string): string => `last_over_time(${series}${matchers}[${window}])`;
  const worst = op.startsWith('<') ? 'max' : 'min';
  const check = (sources: GateSource[], noData: string, limit = e.limit): GateCheck => ({ threshold: `${key}: ${expression}`, op, limit, sources, noData });

  if (def.kind === 'counter') {
    if (stat !== 'count') throw new Error(`${key}: only count can be gated for a counter across generators, not ${stat}`);
    const series = rwCounterName(name);
    return check([{ kind: 'instant', label: 'counters summed over generators', query: `sum(${last(series)})` }], `no ${series}${matchers}`);
  }
  if (def.kind === 'rate') {
    if (stat !== 'rate') throw new Error(`${key}: a rate metric is gated on rate, not ${stat}`);
    const series = rwRateName(name);
    return check([{ kind: 'instant', label: 'worst generator’s rate', query: `${worst}(${last(series)})` }], `no ${series}${matchers}`);
  }
  if (stat === 'count' || stat === 'rate') throw new Error(`${key}: ${stat} of a trend is not exported by remote write`);
  const sources: GateSource[] = [];
  const histogram = rwNativeHistogramName(def);
  const template = nativeTemplate(stat, e.percentile);
  if (template !== null) sources.push({ kind: 'native', label: NATIVE_LABEL, selector: `${histogram}${matchers}`, window, template });
  const exported = trendStats.includes(stat);
  if (exported) sources.push({ kind: 'instant', label: STATS_LABEL, query: `${worst}(${last(rwTrendStatName(name, stat))})` });
  if (sources.length === 0) {
    throw new Error(`${key}: ${stat} needs the trend-stat gauges (a native histogram has no exact ${stat}); add ${stat} to K6_PROMETHEUS_RW_TREND_STATS and run without K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM`);
  }
  const noData = [
    ...(template === null ? [] : [`no native histogram ${histogram}${matchers}`]),
    exported ? `no ${rwTrendStatName(name, stat)}${matchers}` : `${stat} is not in K6_PROMETHEUS_RW_TREND_STATS (--trend-stats)`,
  ].join('; ');
  // thresholds are in ms, remote write stores seconds (gauges and histograms alike)
  return check(sources, noData, def.isTime ? e.limit / 1000 : e.limit);
}

/** Every check of a k6 thresholds object (`{ metric: [expr, …] }`). */
export function gateChecks(thresholds: Readonly<Record<string, readonly (string | { threshold: string })[]>>, testid: string, window: string, trendStats: readonly string[]): GateCheck[] {
  return Object.entries(thresholds).flatMap(([key, list]) =>
    list.map((t) => gateCheck(key, typeof t === 'string' ? t : t.threshold, testid, window, trendStats)),
  );
}

export interface CheckResult extends GateCheck {
  /** null: no source had data (the run wrote none of the series). */
  readonly value: number | null;
  readonly ok: boolean;
  /** The label of the source that answered, or null. */
  readonly source: string | null;
  /** What was evaluated, readable (a merged histogram is described, not spelled out), or the reason for no data. */
  readonly shown: string;
}

interface VectorItem {
  metric: Record<string, string>;
  value: [number, string];
}
/** A raw range-vector series: float samples and/or native histograms, as [time s, …]. */
interface MatrixItem {
  metric: Record<string, string>;
  values?: [number, string][];
  histograms?: [number, unknown][];
}

/** One query evaluated at `atS` (POST: a merged-histogram query can be long). */
async function query<T>(prometheusUrl: string, expr: string, atS: number): Promise<T[]> {
  const res = await fetch(`${prometheusUrl.replace(/\/$/, '')}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query: expr, time: atS.toFixed(3) }) }).catch((err: unknown) => {
    throw new Error(`cannot query ${prometheusUrl}: ${err instanceof Error ? err.message : String(err)}`);
  });
  const body = (await res.json()) as { status: string; error?: string; data?: { result: T[] } };
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error ?? res.status}`);
  return body.data?.result ?? [];
}

const pushesOf = (items: readonly VectorItem[]): LastPush[] => items.map((r) => ({ labels: r.metric, atS: Number(r.value[1]) }));

/** Each series' last push within the window (gate-native.ts, steps 1–3). */
async function findLastPushes(prometheusUrl: string, histogram: string, selector: string, window: string, nowS: number): Promise<LastPush[]> {
  const visible = pushesOf(await query<VectorItem>(prometheusUrl, visiblePushQuery(selector), nowS));
  const earlier = pushesOf(await query<VectorItem>(prometheusUrl, earlierPushQuery(selector, window), nowS));
  const { known, unsure } = lastPushes(visible, earlier);
  for (const push of unsure) {
    const [raw] = await query<MatrixItem>(prometheusUrl, laterPushesQuery(histogram, push, nowS), nowS);
    const times = [...(raw?.histograms ?? []), ...(raw?.values ?? [])].map(([t]) => t);
    known.push({ labels: push.labels, atS: Math.max(push.atS, ...times) });
  }
  return known;
}

/** A source's value and what was evaluated, or null when the run wrote none of its series. */
async function answer(prometheusUrl: string, source: GateSource, nowS: number): Promise<{ value: number; shown: string } | null> {
  if (source.kind === 'instant') {
    const first = (await query<VectorItem>(prometheusUrl, source.query, nowS))[0];
    return first === undefined ? null : { value: Number(first.value[1]), shown: source.query };
  }
  const histogram = source.selector.slice(0, source.selector.indexOf('{'));
  const pushes = await findLastPushes(prometheusUrl, histogram, source.selector, source.window, nowS);
  if (pushes.length === 0) return null;
  const first = (await query<VectorItem>(prometheusUrl, source.template.split(MERGED).join(mergedExpr(histogram, pushes)), nowS))[0];
  return first === undefined ? null : { value: Number(first.value[1]), shown: source.template.split(MERGED).join(describeMerged(source.selector, pushes.length)) };
}

/** Evaluates every check at `nowS` (seconds; default: now), each from the first of its sources with data. */
export async function evaluate(prometheusUrl: string, checks: readonly GateCheck[], nowS: number = Date.now() / 1000): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const c of checks) {
    let result: CheckResult = { ...c, value: null, ok: false, source: null, shown: c.noData };
    for (const source of c.sources) {
      const a = await answer(prometheusUrl, source, nowS);
      if (a === null) continue;
      result = { ...c, value: a.value, ok: OPS[c.op]?.(a.value, c.limit) ?? false, source: source.label, shown: a.shown };
      break;
    }
    results.push(result);
  }
  return results;
}
