/**
 * The whole-run merged native histogram of a Trend, as PromQL, for the distributed gate.
 *
 * With K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM=true every generator pushes, per k6 time
 * series, a histogram of every sample since it started. The last push of each series is
 * therefore that series' whole run, and their sum is the histogram of every sample of every
 * generator — what one k6 process would have seen. Two queries get it on any Prometheus
 * with native histograms (2.40+; `last_over_time` of a histogram returns nothing before 2.4x):
 *
 * 1. `lastPushQuery`: each series' last push time — `timestamp(h)` while the series is within
 *    the 5-minute lookback, else the latest of `timestamp(h)` sampled every minute over the
 *    window (which sees the last push less than a minute after it).
 * 2. `mergedExpr`: `sum(h{series 1} @ t1 or h{series 2} @ t2 …)`, each series at its own last
 *    push, fed to `histogram_quantile`, `histogram_sum`/`histogram_count`.
 */

/** Placeholder for the merged histogram in a check's PromQL template. */
export const MERGED = '__MERGED__';

/** Step of the subquery that finds last pushes: below Prometheus' 5-minute lookback. */
const LAST_PUSH_STEP = '1m';

/** Step 1: per series of `selector` (`name{matchers}`), the time of its last push within `window`. */
export const lastPushQuery = (selector: string, window: string): string =>
  `timestamp(${selector}) or max_over_time(timestamp(${selector})[${window}:${LAST_PUSH_STEP}])`;

/** One row of step 1's answer: the series' labels (`timestamp` drops `__name__`) and its last push, in s. */
export interface LastPush {
  readonly labels: Readonly<Record<string, string>>;
  readonly atS: number;
}

/** A PromQL string literal (JSON's escapes are PromQL's). */
const quote = (value: string): string => JSON.stringify(value);

/** Step 2: the sum of each series of `histogram` at its own last push. */
export function mergedExpr(histogram: string, pushes: readonly LastPush[]): string {
  if (pushes.length === 0) throw new Error(`no series of ${histogram} to merge`);
  const terms = pushes.map(({ labels, atS }) => {
    const matchers = Object.entries(labels)
      .filter(([name]) => name !== '__name__')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, value]) => `${name}=${quote(value)}`)
      .join(', ');
    // ms resolution, as Prometheus stores timestamps
    return `${histogram}{${matchers}} @ ${(Math.round(atS * 1000) / 1000).toFixed(3)}`;
  });
  return `sum(${terms.join(' or ')})`;
}

/** A readable stand-in for the merged histogram in the gate's output (the real query can be long). */
export const describeMerged = (selector: string, seriesCount: number): string =>
  `sum(${selector} at the last push of each of its ${seriesCount} series)`;
