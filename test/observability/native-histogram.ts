/**
 * Replays what k6's remote-write output sends with
 * K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM=true, for the live Prometheus tests:
 * each k6 time series of a Trend is a client_golang native histogram (bucket factor 1.1 →
 * schema 3, default zero threshold 2^-128) fed every sample since the generator started
 * (time trends in seconds), pushed as `k6_<name>_seconds` (unitless trends: `k6_<name>`)
 * with integer counts, spans and deltas encoded as client_golang's makeBuckets does, and
 * the time of the series' latest sample as timestamp. Counters and rates are pushed as in
 * the default mode; no trend-stat gauges are written.
 */
import { K6_NATIVE_HISTOGRAM_SCHEMA, rwNativeHistogramName } from '../../lib/prometheus-rw.ts';
import { RECORDED_METRICS } from '../../lib/metric-defs.ts';
import type { FixtureSample } from './k6-run-fixture.ts';
import { k6FlushSeries, type NativeHistogramSample, type PromSeries } from './prom-remote-write.ts';

/** client_golang's DefNativeHistogramZeroThreshold: observations at or below it go to the zero bucket. */
export const K6_ZERO_THRESHOLD = 2 ** -128;

/** client_golang's pickSchema: the largest schema whose growth factor 2^(2^-schema) ≤ `factor`, within −4…8. */
export function pickSchema(factor: number): number {
  if (!(factor > 1)) throw new Error(`a bucket factor must be above 1, got ${factor}`);
  const floor = Math.floor(Math.log2(Math.log2(factor)));
  return Math.min(8, Math.max(-4, -floor)) + 0; // + 0 turns −0 into 0
}

/** Upper bound of positive bucket `index`: 2^(index / 2^schema). Bucket `index` holds (bound(index−1), bound(index)]. */
export const bucketUpperBound = (index: number, schema: number): number => 2 ** (index / 2 ** schema);

/** The positive bucket holding `value` (> 0): the smallest index whose upper bound is ≥ value. */
export function bucketIndex(value: number, schema: number): number {
  if (!(value > 0)) throw new Error(`bucketIndex needs a positive value, got ${value}`);
  let i = Math.ceil(Math.log2(value) * 2 ** schema);
  // log2 is not exact at bucket bounds: settle on the bound comparison itself
  while (bucketUpperBound(i - 1, schema) >= value) i -= 1;
  while (bucketUpperBound(i, schema) < value) i += 1;
  return i;
}

/** A cumulative native histogram of non-negative observations, as client_golang keeps one. */
export class NativeHistogram {
  private readonly buckets = new Map<number, number>();
  private count = 0;
  private sum = 0;
  private zeroCount = 0;

  constructor(
    readonly schema: number = K6_NATIVE_HISTOGRAM_SCHEMA,
    readonly zeroThreshold: number = K6_ZERO_THRESHOLD,
  ) {}

  observe(value: number): void {
    if (!(value >= 0)) throw new Error(`the suite's trends are never negative, got ${value}`);
    this.count += 1;
    this.sum += value;
    if (value <= this.zeroThreshold) {
      this.zeroCount += 1;
      return;
    }
    const i = bucketIndex(value, this.schema);
    this.buckets.set(i, (this.buckets.get(i) ?? 0) + 1);
  }

  /**
   * The remote-write form. Spans and deltas as client_golang's makeBuckets: a new span at
   * the first bucket and after a gap of more than two empty buckets, smaller gaps filled
   * with empty buckets; each delta is a bucket's count minus the previous bucket's.
   */
  toSample(timestampMs: number): NativeHistogramSample {
    const spans: { offset: number; length: number }[] = [];
    const deltas: number[] = [];
    let previous = 0;
    let next = 0;
    const append = (count: number): void => {
      const span = spans[spans.length - 1];
      if (span === undefined) throw new Error('no span to append to');
      span.length += 1;
      deltas.push(count - previous);
      previous = count;
    };
    const indexes = [...this.buckets.keys()].sort((a, b) => a - b);
    indexes.forEach((i, n) => {
      const gap = i - next;
      if (n === 0 || gap > 2) spans.push({ offset: gap, length: 0 });
      else for (let j = 0; j < gap; j += 1) append(0);
      append(this.buckets.get(i) ?? 0);
      next = i + 1;
    });
    return {
      timestampMs,
      count: this.count,
      sum: this.sum,
      schema: this.schema,
      zeroThreshold: this.zeroThreshold,
      zeroCount: this.zeroCount,
      positiveSpans: spans,
      positiveDeltas: deltas,
    };
  }
}

const defsByName = new Map(RECORDED_METRICS.map((m) => [m.name, m]));

function sortedLabels(name: string, tags: Readonly<Record<string, string>>): [string, string][] {
  const labels: [string, string][] = [['__name__', name], ...Object.entries(tags).filter(([, v]) => v !== '')];
  return labels.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The native histograms k6 pushes for the Trend samples among `samples` (ms after t0): per
 * k6 time series (metric + tags), at each push that follows new samples, the cumulative
 * histogram of every sample so far, stamped with the latest sample's time.
 */
export function k6FlushNativeHistograms(samples: readonly FixtureSample[], t0Ms: number, pushIntervalMs: number): PromSeries[] {
  const bySeries = new Map<string, FixtureSample[]>();
  for (const s of samples.filter((x) => x.kind === 'trend')) {
    const key = JSON.stringify([s.metric, Object.entries(s.tags).sort()]);
    bySeries.set(key, [...(bySeries.get(key) ?? []), s]);
  }
  const out: PromSeries[] = [];
  for (const series of bySeries.values()) {
    const first = series[0];
    const def = first === undefined ? undefined : defsByName.get(first.metric);
    if (first === undefined || def === undefined) continue;
    const sorted = [...series].sort((a, b) => a.atMs - b.atMs);
    const histogram = new NativeHistogram();
    const histograms: NativeHistogramSample[] = [];
    let fed = 0;
    const lastMs = sorted[sorted.length - 1]?.atMs ?? 0;
    for (let flush = pushIntervalMs; flush - pushIntervalMs <= lastMs; flush += pushIntervalMs) {
      const before = fed;
      while (fed < sorted.length && (sorted[fed]?.atMs ?? Infinity) < flush) {
        const s = sorted[fed];
        if (s !== undefined) histogram.observe(first.isTime ? s.value / 1000 : s.value);
        fed += 1;
      }
      if (fed === before) continue; // only series with new samples are pushed
      histograms.push(histogram.toSample(t0Ms + (sorted[fed - 1]?.atMs ?? 0)));
    }
    out.push({ labels: sortedLabels(rwNativeHistogramName(def), first.tags), samples: [], histograms });
  }
  return out;
}

/** Everything k6 pushes for `samples` in native-histogram mode: counters and rates as usual, Trends as native histograms. */
export function k6FlushNativeRun(samples: readonly FixtureSample[], t0Ms: number, pushIntervalMs: number): PromSeries[] {
  return [
    // any stat will do: no trend sample reaches k6FlushSeries here
    ...k6FlushSeries(samples.filter((s) => s.kind !== 'trend'), t0Ms, pushIntervalMs, 'p(99)'),
    ...k6FlushNativeHistograms(samples, t0Ms, pushIntervalMs),
  ];
}

/** Prometheus' staleness marker: a NaN with this exact bit pattern (value.StaleNaN). */
export const STALE_NAN = new DataView(new BigUint64Array([0x7ff0000000000002n]).buffer).getFloat64(0, true);

/**
 * What k6 sends at the end with K6_PROMETHEUS_RW_STALE_MARKERS=true: for every series it
 * pushed, one float sample StaleNaN at the stop time + 1 ms (histogram series included).
 */
export const k6StaleMarkers = (series: readonly PromSeries[], stopMs: number): PromSeries[] =>
  series.map((s) => ({ labels: s.labels, samples: [{ value: STALE_NAN, timestampMs: stopMs + 1 }] }));
