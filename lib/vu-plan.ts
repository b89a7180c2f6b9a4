/**
 * The VU plan: everything a VU needs that is the same for every VU, worked out once per test by the
 * init-only module (lib/init/suite-init.ts) and shared with every VU through one SharedArray (k6 keeps
 * it once per test; each VU reads a JSON copy of what it touches): element 0 is the plan, the
 * questions follow. A VU therefore never evaluates the configuration, profile, threshold or
 * metric-definition code. Plain data: no functions.
 */
import type { Config } from './init/config.ts';
import type { MetricSpec } from './vu/metric-create.ts';
import type { TargetConfig } from './vu/targets.ts';

/** What a VU reads of the configuration: the target's part (lib/vu/targets.ts) and the tracker's settings. */
const VU_CONFIG_KEYS = [
  ...(['target', 'url', 'apiKey', 'model', 'method', 'body', 'maxEvents', 'streamTimeout', 'terminalEvents', 'jsonCheck'] as const satisfies readonly (keyof TargetConfig)[]),
  ...(['userPrefix', 'slo', 'interEventSamples', 'dataBytes', 'workload', 'cancel', 'breakdown'] as const),
] as const;

export type VuConfig = Pick<Config, (typeof VU_CONFIG_KEYS)[number]>;

export interface VuPlan {
  /** The validated configuration, the VU's part of it (API key included: the plan never leaves the k6 process). */
  readonly config: VuConfig;
  /** The metric objects a VU creates: those this configuration can record (lib/init/metric-specs.ts). */
  readonly metrics: readonly MetricSpec[];
}

/**
 * The SharedArray that carries the plan (element 0, as JSON text) and the questions (elements 1…),
 * or with DATASET its records instead of the questions (each one JSON text `[maxTokens, turn…]`,
 * lib/init/dataset.ts): a `const enum`, inlined where used.
 */
export const enum PlanArray {
  Name = 'sse-bench:vu-plan',
  /** Index of the first question (or dataset record) in that array. */
  FirstQuestion = 1,
}

/** The VU's part of a validated configuration (runs once per test, in the init module). */
export const vuConfig = (c: Config): VuConfig => {
  const out: Partial<Record<keyof VuConfig, unknown>> = {};
  for (const key of VU_CONFIG_KEYS) out[key] = c[key];
  return out as VuConfig;
};
