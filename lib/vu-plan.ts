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

/** What a VU reads of the configuration: the target's part and the tracker's settings. */
export type VuConfig = TargetConfig & Pick<Config, 'userPrefix' | 'slo' | 'interEventSamples' | 'dataBytes'>;

export interface VuPlan {
  /** The validated configuration, the VU's part of it (API key included: the plan never leaves the k6 process). */
  readonly config: VuConfig;
  /** The metric objects a VU creates: those this configuration can record (lib/init/metric-specs.ts). */
  readonly metrics: readonly MetricSpec[];
}

/** The SharedArray that carries the plan (element 0, as JSON text) and the questions (elements 1…). */
export const VU_PLAN_ARRAY = 'sse-bench:vu-plan';
/** Index of the first question in that array. */
export const FIRST_QUESTION = 1;

/** The VU's part of a validated configuration. */
export const vuConfig = (c: Config): VuConfig => ({
  target: c.target,
  url: c.url,
  apiKey: c.apiKey,
  model: c.model,
  method: c.method,
  body: c.body,
  maxEvents: c.maxEvents,
  streamTimeout: c.streamTimeout,
  terminalEvents: c.terminalEvents,
  jsonCheck: c.jsonCheck,
  userPrefix: c.userPrefix,
  slo: c.slo,
  interEventSamples: c.interEventSamples,
  dataBytes: c.dataBytes,
});
