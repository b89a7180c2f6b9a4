/**
 * Everything `build/sse.js` does once in the init context, in one module that the script
 * loads with `?lazy` (esbuild-lazy.mjs): configuration (with setup:dify's state file), the
 * threshold set, k6 options, the metric objects — and the questions file, for the SharedArray.
 * It returns plain data, so none of its functions or tables (env-var definitions, profiles,
 * threshold validation, metric definitions) outlives the init phase of a VU.
 * A bad setting throws ConfigError here, before any load is sent. Pure: no k6 import.
 */
import type { Options } from 'k6/options';
import { loadConfig, type Config, type Env } from './config.ts';
import { readOrNull, withDifyState } from './dify-state.ts';
import { createSuiteMetrics, type MetricFactory, type SuiteMetrics } from './metric-create.ts';
import { buildOptions } from './profiles.ts';
import { loadThresholds } from './thresholds.ts';

export { loadQuestions } from './questions.ts';

export interface SuiteInit {
  readonly config: Config;
  readonly options: Options;
  readonly metrics: SuiteMetrics;
}

export function initSuite(env: Env, readFile: (path: string) => string, metricFactory: MetricFactory): SuiteInit {
  // API_KEY / BASE_URL from `npm run setup:dify`'s state file when unset (lib/dify-state.ts).
  const config = loadConfig(withDifyState(env, readOrNull(readFile)));
  return { config, options: buildOptions(config, loadThresholds(config, readFile)), metrics: createSuiteMetrics(metricFactory) };
}
