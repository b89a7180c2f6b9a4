/**
 * The checks of deploy/k6-operator/gate.ts (the CLI). Gates a distributed run (k6-operator runners, or any k6 processes pushing with
 * `--out experimental-prometheus-rw`) on the series all generators wrote to Prometheus:
 * k6-operator does not aggregate thresholds across runners, so each runner's own verdict
 * covers only its share. This evaluates the suite's threshold file on the aggregated
 * series instead and exits like k6: 0 = all pass, 99 = a threshold crossed, 1 = error.
 *
 * Each threshold becomes one PromQL instant query over the run (`last_over_time` of each
 * series = its final value), combined across generators so the verdict is safe:
 * - counter `count`            → sum over generators (exact)
 * - trend stat (`p(95)`, `avg`…) → the worst generator: max for `<`, min for `>`. If every
 *   generator's p95 is under X, at most 5 % of all samples are above X, so the whole run's
 *   p95 is under X too. Needs the stat in K6_PROMETHEUS_RW_TREND_STATS.
 * - rate `rate`                 → the worst generator (min for `>`, max for `<`)
 * Sub-metric keys (`sse_errors{error_type:timeout}`) become label matchers.
 */
import { RECORDED_METRICS } from '../../lib/metric-defs.ts';
import { parseMetricKey } from '../../lib/summary-data.ts';
import { parseThresholdExpression } from '../../lib/thresholds.ts';

export interface GateCheck {
  readonly threshold: string;
  readonly query: string;
  readonly op: string;
  readonly limit: number;
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

/** The PromQL check for one threshold expression on one metric key. */
export function gateCheck(key: string, expression: string, testid: string, window: string, trendStats: readonly string[]): GateCheck {
  const { metric: name, tags } = parseMetricKey(key);
  const def = KINDS.get(name);
  if (def === undefined) throw new Error(`${key}: not a metric of lib/metric-defs.ts`);
  const e = parseThresholdExpression(expression);
  if (e === null || e.aggregation === 'value') {
    throw new Error(`${key}: cannot gate on ${JSON.stringify(expression)} (expected e.g. p(95)<500, rate>0.99, count<10)`);
  }
  const { aggregation: stat, op } = e;
  const selector = `{${[['testid', testid], ...Object.entries(tags)].map(([k, v]) => `${k}="${v}"`).join(', ')}}`;
  const last = (series: string): string => `last_over_time(${series}${selector}[${window}])`;
  const worst = op.startsWith('<') ? 'max' : 'min';
  let query: string;
  let limit = e.limit;
  if (def.kind === 'counter') {
    if (stat !== 'count') throw new Error(`${key}: only count can be gated for a counter across generators, not ${stat}`);
    query = `sum(${last(`k6_${name}_total`)})`;
  } else if (def.kind === 'rate') {
    if (stat !== 'rate') throw new Error(`${key}: a rate metric is gated on rate, not ${stat}`);
    query = `${worst}(${last(`k6_${name}_rate`)})`;
  } else {
    if (stat === 'count' || stat === 'rate') throw new Error(`${key}: ${stat} of a trend is not exported by remote write`);
    const k6Stat = stat.startsWith('p(') ? `p${stat.slice(2, -1).replace('.', '')}` : stat;
    if (!trendStats.includes(stat)) throw new Error(`${key}: add ${stat} to K6_PROMETHEUS_RW_TREND_STATS to gate on it`);
    query = `${worst}(${last(`k6_${name}_${k6Stat}`)})`;
    if (def.isTime) limit /= 1000; // thresholds are in ms, remote write stores seconds
  }
  return { threshold: `${key}: ${expression}`, query, op, limit };
}

/** Every check of a k6 thresholds object (`{ metric: [expr, …] }`). */
export function gateChecks(thresholds: Readonly<Record<string, readonly (string | { threshold: string })[]>>, testid: string, window: string, trendStats: readonly string[]): GateCheck[] {
  return Object.entries(thresholds).flatMap(([key, list]) =>
    list.map((t) => gateCheck(key, typeof t === 'string' ? t : t.threshold, testid, window, trendStats)),
  );
}

export interface CheckResult extends GateCheck {
  /** null: the query returned no series (the run wrote none). */
  readonly value: number | null;
  readonly ok: boolean;
}

export async function evaluate(prometheusUrl: string, checks: readonly GateCheck[]): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const c of checks) {
    const url = `${prometheusUrl.replace(/\/$/, '')}/api/v1/query?${new URLSearchParams({ query: c.query })}`;
    const res = await fetch(url).catch((err: unknown) => {
      throw new Error(`cannot query ${prometheusUrl}: ${err instanceof Error ? err.message : String(err)}`);
    });
    const body = (await res.json()) as { status: string; error?: string; data?: { result: { value: [number, string] }[] } };
    if (body.status !== 'success') throw new Error(`${c.query}: ${body.error ?? res.status}`);
    const first = body.data?.result[0];
    const value = first === undefined ? null : Number(first.value[1]);
    results.push({ ...c, value, ok: value !== null && (OPS[c.op]?.(value, c.limit) ?? false) });
  }
  return results;
}
