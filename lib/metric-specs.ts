/**
 * METRICS (lib/metric-defs.ts) reduced to what a VU needs to create its metric objects: built once
 * per test in the init-only module and handed to every VU in the VU plan (lib/vu-plan.ts).
 */
import { createMetrics, type MetricFactory, type MetricSpec, type SuiteMetrics } from './metric-create.ts';
import { METRICS, type MetricKey } from './metric-defs.ts';

export function metricSpecs(): MetricSpec[] {
  return (Object.keys(METRICS) as MetricKey[]).map((key) => {
    const def = METRICS[key];
    return [key, def.name, def.kind, def.isTime] as const;
  });
}

/** Every suite metric made at once from METRICS (tests, and code outside k6's per-VU path). */
export function createSuiteMetrics(factory: MetricFactory): SuiteMetrics {
  return createMetrics(metricSpecs(), factory);
}
