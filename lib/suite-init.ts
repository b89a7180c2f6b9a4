/**
 * Everything build/sse.js works out once per test, in one module the script loads with `?lazy`
 * (esbuild-lazy.mjs) only where it is needed: in the init context k6 reads `options` from
 * (`__VU === 0`; also the one of handleSummary). Configuration (with setup:dify's state file),
 * the threshold set, k6 options, the VU plan (lib/vu-plan.ts) — and the questions file, for the
 * SharedArray. It returns plain data, so none of its functions or tables (env-var definitions,
 * profiles, threshold validation, metric definitions) is kept. VUs never evaluate it.
 * A bad setting throws ConfigError here, before any VU starts and before any load is sent.
 * Pure: no k6 import.
 */
import type { Options } from 'k6/options';
import { loadConfig, type Env } from './config.ts';
import { readOrNull, withDifyState } from './dify-state.ts';
import { metricSpecs } from './metric-specs.ts';
import { buildOptions } from './profiles.ts';
import { loadQuestions } from './questions.ts';
import { loadThresholds } from './thresholds.ts';
import type { VuPlan } from './vu-plan.ts';

export interface SuiteInit {
  readonly options: Options;
  readonly plan: VuPlan;
  /** QUESTIONS_FILE's questions, else the default ones (read with the same `readFile`). */
  readonly questions: string[];
}

export function initSuite(env: Env, readFile: (path: string) => string): SuiteInit {
  // API_KEY / BASE_URL from `npm run setup:dify`'s state file when unset (lib/dify-state.ts).
  const config = loadConfig(withDifyState(env, readOrNull(readFile)));
  return {
    options: buildOptions(config, loadThresholds(config, readFile)),
    plan: { config, metrics: metricSpecs() },
    questions: loadQuestions(config, readFile),
  };
}
