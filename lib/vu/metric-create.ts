/**
 * The suite's metric objects, made in every VU's init context (k6 allows `new Trend` only there)
 * from a compact list of specs that the once-per-test init built from METRICS (lib/init/metric-specs.ts)
 * and shares through the VU plan. So METRICS itself, with its descriptions, is never evaluated per
 * VU. Pure: the k6 constructors come in through the factory (lib/vu/metrics.ts).
 */
import type { MetricKey, MetricKind } from '../metric-defs.ts';

/** What the suite uses of a k6 metric object: its `add`, which k6 binds to the metric (it can be called detached). */
export interface K6Metric {
  readonly add: AddSample;
}

/** A k6 metric's `add`. */
export type AddSample = (value: number, tags?: { [name: string]: string }) => void;

/**
 * Each metric's `add`, kept without its object: in k6 a metric object costs a VU ~1.4 kB of live
 * heap, its `add` alone ~0.8 kB (measured on k6 v2.2.0; 17 metrics per VU: ~10 kB saved).
 */
export type SuiteMetrics = Readonly<Record<MetricKey, AddSample>>;

/** k6's metric constructors (`k6/metrics`), passed as they are: no wrapper function per VU. */
export interface MetricFactory {
  readonly Trend: new (name: string, isTime?: boolean) => K6Metric;
  readonly Counter: new (name: string) => K6Metric;
  readonly Rate: new (name: string) => K6Metric;
}

/** One metric as a VU needs it: key, k6 name, type, and (trends) whether values are times. JSON, so it can be shared. */
export type MetricSpec = readonly [key: MetricKey, name: string, kind: MetricKind, isTime: boolean];

/** Every suite metric, keyed like METRICS. Call once per VU, in the init context. */
export const createMetrics = (specs: readonly MetricSpec[], factory: MetricFactory): SuiteMetrics => {
  const out: Partial<Record<MetricKey, AddSample>> = {};
  // Index access, no `for…of` or array destructuring: either makes Sobek build the array
  // iterator's prototype in every VU.
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i] as MetricSpec;
    const kind = spec[2];
    out[spec[0]] = (kind === 'trend' ? new factory.Trend(spec[1], spec[3]) : kind === 'counter' ? new factory.Counter(spec[1]) : new factory.Rate(spec[1])).add;
  }
  return out as Record<MetricKey, AddSample>;
};
