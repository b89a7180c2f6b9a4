/**
 * Everything build/sse.js works out once per test, in one module the script loads with `?lazy`
 * (esbuild-lazy.mjs) only where it is needed: in the init context k6 reads `options` from
 * (`__VU === 0`; also the one of handleSummary). Configuration (with setup:dify's state file),
 * the threshold set, k6 options, the VU plan (lib/vu-plan.ts) — and the questions file (or the
 * DATASET, lib/init/dataset.ts), for the SharedArray. It returns plain data, so none of its functions or tables (env-var definitions,
 * profiles, threshold validation, metric definitions) is kept. VUs never evaluate it.
 * A bad setting throws ConfigError here, before any VU starts and before any load is sent.
 * Pure: no k6 import.
 */
import type { Options } from 'k6/options';
import { loadConfig, type Env } from './config.ts';
import { readOrNull, withDifyState } from './dify-state.ts';
import type { MetricSpec } from '../vu/metric-create.ts';
import { metricSpecs, recordableMetricSpecs } from './metric-specs.ts';
import { buildOptions } from './profiles.ts';
import { loadDataset } from './dataset.ts';
import { loadQuestions } from './questions.ts';
import { loadThresholds } from './thresholds.ts';
import { vuConfig, type VuPlan } from '../vu-plan.ts';
import type { Config } from './config.ts';

export interface SuiteInit {
  /** The whole validated configuration (handleSummary's reports read it). */
  readonly config: Config;
  readonly options: Options;
  /** Every suite metric: what this instance creates, so that any threshold names an existing metric. */
  readonly allMetrics: readonly MetricSpec[];
  /** The VU plan as JSON text (element 0 of the shared array: a string, which k6 hands over without freezing a tree of objects) and the questions after it. */
  readonly shared: string[];
}

export function initSuite(env: Env, readFile: (path: string) => string): SuiteInit {
  // API_KEY / BASE_URL from `npm run setup:dify`'s state file when unset (lib/init/dify-state.ts).
  const loaded = loadConfig(withDifyState(env, readOrNull(readFile)));
  // DATASET is read and validated here, once, before any request; reports state what it held.
  const dataset = loadDataset(loaded.workload, readFile);
  const config: Config = dataset === null ? loaded : { ...loaded, datasetInfo: dataset.info };
  const plan: VuPlan = { config: vuConfig(config), metrics: recordableMetricSpecs(config) };
  return {
    config,
    options: buildOptions(config, loadThresholds(config, readFile)),
    allMetrics: metricSpecs(),
    shared: [JSON.stringify(plan), ...(dataset === null ? loadQuestions(config, readFile) : dataset.elements)],
  };
}
