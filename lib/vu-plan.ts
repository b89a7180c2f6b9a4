/**
 * The VU plan: everything a VU needs that is the same for every VU, worked out once per test by the
 * init-only module (lib/suite-init.ts) and shared with every VU through a one-element SharedArray
 * (k6 keeps it once per test; each VU reads a JSON copy). A VU therefore never evaluates the
 * configuration, profile, threshold or metric-definition code. Plain data: no functions.
 */
import type { Config } from './config.ts';
import type { MetricSpec } from './metric-create.ts';

export interface VuPlan {
  /** The validated configuration (API key included: the plan never leaves the k6 process). */
  readonly config: Config;
  /** The metric objects to create, from METRICS. */
  readonly metrics: readonly MetricSpec[];
}

/** The SharedArray that carries the plan: `new SharedArray(VU_PLAN_ARRAY, () => [plan])[0]`. */
export const VU_PLAN_ARRAY = 'sse-bench:vu-plan';
