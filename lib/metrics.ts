/**
 * The suite's k6 metric objects, created from METRICS (lib/metric-defs.ts) in the init
 * context — the only module that imports `k6/metrics`. Samples carry no tag object of
 * their own: `scenario` (system tag) and `target` (test-wide `options.tags`) are added
 * by k6; only `sse_errors` and `dify_node_elapsed` pass their cached, frozen tag object.
 */
import { Counter, Rate, Trend } from 'k6/metrics';
import { METRICS, type MetricDef, type MetricKey } from './metric-defs.ts';
import type { SampleSink, Tags } from './stream-tracker.ts';

/** What the suite uses of a k6 metric object. */
export interface K6Metric {
  add(value: number, tags?: { [name: string]: string }): void;
}

export type SuiteMetrics = Readonly<Record<MetricKey, K6Metric>>;

function create(def: MetricDef): K6Metric {
  switch (def.kind) {
    case 'trend':
      return new Trend(def.name, def.isTime);
    case 'counter':
      return new Counter(def.name);
    case 'rate':
      return new Rate(def.name);
  }
}

/** Every suite metric, keyed like METRICS. Call once per VU, in the init context. */
export function createMetrics(): SuiteMetrics {
  const out: Partial<Record<MetricKey, K6Metric>> = {};
  for (const key of Object.keys(METRICS) as MetricKey[]) out[key] = create(METRICS[key]);
  return Object.freeze(out as Record<MetricKey, K6Metric>);
}

/** A SampleSink writing to k6 metrics (tags passed only when a sample has its own). */
export function metricsSink(metrics: SuiteMetrics): SampleSink {
  return {
    add(key: MetricKey, value: number, tags?: Tags): void {
      // k6 only reads a tag object; the cached ones are frozen and shared.
      if (tags === undefined) metrics[key].add(value);
      else metrics[key].add(value, tags as { [name: string]: string });
    },
  };
}
