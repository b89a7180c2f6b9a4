/**
 * The whole-run merged native histogram of a Trend, as PromQL, for the distributed gate.
 *
 * With K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM=true every generator pushes, per k6 time
 * series, a histogram of every sample since it started. The last push of each series is
 * therefore that series' whole run, and their sum is the histogram of every sample of every
 * generator — what one k6 process would have seen. `last_over_time` of a histogram returns
 * nothing on Prometheus 2.42, so the last pushes are found from their timestamps:
 *
 * 1. `visiblePushQuery`: `timestamp(h)` — exact for each series still within Prometheus'
 *    5-minute lookback and not marked stale;
 * 2. `earlierPushQuery`: the latest `timestamp(h)` sampled every minute over the window —
 *    exact for a series that ended more than 5 minutes ago without a stale marker; with
 *    K6_PROMETHEUS_RW_STALE_MARKERS=true it can miss the pushes of the series' last minute,
 *    so for every series step 1 did not see,
 * 3. `laterPushesQuery`: the raw samples from that time on (a few: any later push was hidden
 *    from every minute step, so it came in the minute before the stale marker), and the
 *    latest of them;
 * 4. `mergedExpr`: `sum(h{series 1} @ t1 or h{series 2} @ t2 …)`, each series at its own
 *    last push, fed to `histogram_quantile`, `histogram_sum`/`histogram_count`.
 */

/** Placeholder for the merged histogram in a check's PromQL template. */
export const MERGED = '__MERGED__';

/** Step of the subquery that finds earlier pushes: below Prometheus' 5-minute lookback. */
const LAST_PUSH_STEP = '1m';

/** Step 1, for `selector` (`name{matchers}`). */
export const visiblePushQuery = (selector: string): string => `timestamp(${selector})`;

/** Step 2: per series, the latest push seen by a per-minute subquery over `window`. */
export const earlierPushQuery = (selector: string, window: string): string => `max_over_time(timestamp(${selector})[${window}:${LAST_PUSH_STEP}])`;

/** A series (labels as the query API returns them; `timestamp` drops `__name__`) and a push time in s. */
export interface LastPush {
  readonly labels: Readonly<Record<string, string>>;
  readonly atS: number;
}

/** A PromQL string literal (JSON's escapes are PromQL's). */
const quote = (value: string): string => JSON.stringify(value);

/** The selector of exactly one series of `histogram`. */
export function seriesSelector(histogram: string, labels: Readonly<Record<string, string>>): string {
  const matchers = Object.entries(labels)
    .filter(([name]) => name !== '__name__')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${quote(value)}`)
    .join(', ');
  return `${histogram}{${matchers}}`;
}

const seriesKey = (labels: Readonly<Record<string, string>>): string => seriesSelector('', labels);

/** Steps 1 and 2 together: `known` last pushes (step 1 wins), and the series only step 2 saw, to check with step 3. */
export function lastPushes(visible: readonly LastPush[], earlier: readonly LastPush[]): { known: LastPush[]; unsure: LastPush[] } {
  const seen = new Set(visible.map((p) => seriesKey(p.labels)));
  return { known: [...visible], unsure: earlier.filter((p) => !seen.has(seriesKey(p.labels))) };
}

/** Step 3: the raw samples of one series from `push` up to `nowS` (evaluate at `nowS`). */
export const laterPushesQuery = (histogram: string, push: LastPush, nowS: number): string =>
  `${seriesSelector(histogram, push.labels)}[${Math.max(1, Math.ceil(nowS - push.atS) + 1)}s]`;

/** Step 4: the sum of each series of `histogram` at its own last push. */
export function mergedExpr(histogram: string, pushes: readonly LastPush[]): string {
  if (pushes.length === 0) throw new Error(`no series of ${histogram} to merge`);
  // ms resolution, as Prometheus stores timestamps
  const terms = pushes.map(({ labels, atS }) => `${seriesSelector(histogram, labels)} @ ${(Math.round(atS * 1000) / 1000).toFixed(3)}`);
  return `sum(${terms.join(' or ')})`;
}

/** A readable stand-in for the merged histogram in the gate's output (the real query can be long). */
export const describeMerged = (selector: string, seriesCount: number): string =>
  `sum(${selector} at the last push of each of its ${seriesCount} series)`;
