/**
 * The suite's side of k6 metrics: the factory that makes k6 metric objects (the only module
 * that imports `k6/metrics`) and the sink the stream tracker writes to. Samples carry no tag
 * object of their own: `scenario` (system tag) and `target` (test-wide `options.tags`) are
 * added by k6; only `sse_errors` and `dify_node_elapsed` pass their cached, frozen tag object.
 */
import { Counter, Rate, Trend } from 'k6/metrics';
import type { MetricFactory, SuiteMetrics } from './metric-create.ts';
import type { MetricKey } from '../metric-defs.ts';
import type { SampleSink, Tags } from './stream-tracker.ts';

export type { AddSample, K6Metric, SuiteMetrics } from './metric-create.ts';

/** k6's metric constructors, for lib/vu/metric-create.ts (in the init context only, as k6 requires). */
export const K6_METRIC_FACTORY: MetricFactory = { Trend, Counter, Rate };

/** A SampleSink writing to k6 metrics (tags passed only when a sample has its own). */
export const metricsSink = (metrics: SuiteMetrics): SampleSink => {
  return {
    add(key: MetricKey, value: number, tags?: Tags): void {
      // k6 only reads a tag object; the cached ones are frozen and shared.
      if (tags === undefined) metrics[key](value);
      else metrics[key](value, tags as { [name: string]: string });
    },
  };
};
