/**
 * Creates the suite's metric objects from METRICS (lib/metric-defs.ts) with a factory for each
 * k6 metric type. Pure: the k6 constructors come in through the factory (lib/metrics.ts), so
 * this runs inside the init-only loader (lib/suite-init.ts) and METRICS is not kept per VU.
 */
import { METRICS, type MetricDef, type MetricKey } from './metric-defs.ts';

/** What the suite uses of a k6 metric object. */
export interface K6Metric {
  add(value: number, tags?: { [name: string]: string }): void;
}

export type SuiteMetrics = Readonly<Record<MetricKey, K6Metric>>;

/** k6's `new Trend(name, isTime)`, `new Counter(name)`, `new Rate(name)`. */
export interface MetricFactory {
  trend(name: string, isTime: boolean): K6Metric;
  counter(name: string): K6Metric;
  rate(name: string): K6Metric;
}

function create(def: MetricDef, factory: MetricFactory): K6Metric {
  switch (def.kind) {
    case 'trend':
      return factory.trend(def.name, def.isTime);
    case 'counter':
      return factory.counter(def.name);
    case 'rate':
      return factory.rate(def.name);
  }
}

/** Every suite metric, keyed like METRICS. Call once per VU, in the init context. */
export function createSuiteMetrics(factory: MetricFactory): SuiteMetrics {
  const out: Partial<Record<MetricKey, K6Metric>> = {};
  for (const key of Object.keys(METRICS) as MetricKey[]) out[key] = create(METRICS[key], factory);
  return Object.freeze(out as Record<MetricKey, K6Metric>);
}
