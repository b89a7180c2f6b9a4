/**
 * PROFILE → k6 `options`: one k6 scenario per selected suite scenario
 * (`stream`, `burst`), the profile's numbers (or VUS / ITERATIONS / DURATION /
 * RATE) split between them, and stop times long enough for an in-flight
 * stream to end by its own STREAM_TIMEOUT. Pure: k6 types only.
 */

import type { Options, Scenario } from 'k6/options';
import { ConfigError, NO_OVERRIDES, PROFILE_NAMES, type Config, type LoadOverrides, type ProfileName, type ScenarioName } from './config';
import { formatGoDuration } from '../duration';
import { REQUESTS_PER_ITERATION } from '../requests-per-iteration.ts';
import type { Thresholds } from './thresholds';

export { REQUESTS_PER_ITERATION } from '../requests-per-iteration.ts';

/** Added to the time in-flight streams may still need, so they end by their own timeout before k6 stops them. */
const STOP_MARGIN_MS = 5_000;

/** The seed's locust.conf spawn rate: VUs started per second (PROFILE=default). */
const SPAWN_RATE_PER_SECOND = 2;

/** PROFILE=open pre-allocates VUs for streams of up to this long, so k6 rarely starts VUs mid-test. */
const PREALLOCATED_SECONDS_PER_STREAM = 5;

/** k6 rejects a scenario `duration` / `maxDuration` under 1s ("should be at least 1s"). */
const K6_MIN_SCENARIO_MS = 1_000;

/** The trend statistics k6's summary (and so the reports) carry: `options.summaryTrendStats`. */
export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'] as const;

type ProfileDef =
  | { readonly executor: 'shared-iterations'; readonly vus: number; readonly iterations: number }
  | { readonly executor: 'ramping-vus'; readonly vus: number; readonly durationMs: number }
  | { readonly executor: 'constant-arrival-rate'; readonly rate: number; readonly durationMs: number };

/** Each profile's totals, before they are split between the selected scenarios. */
const PROFILES: Readonly<Record<ProfileName, ProfileDef>> = {
  smoke: { executor: 'shared-iterations', vus: 2, iterations: 6 },
  default: { executor: 'ramping-vus', vus: 10, durationMs: 60_000 },
  light: { executor: 'shared-iterations', vus: 10, iterations: 100 },
  normal: { executor: 'shared-iterations', vus: 100, iterations: 1_000 },
  heavy: { executor: 'shared-iterations', vus: 500, iterations: 5_000 },
  stress: { executor: 'shared-iterations', vus: 1_000, iterations: 10_000 },
  open: { executor: 'constant-arrival-rate', rate: 10, durationMs: 60_000 },
};

type Override = 'VUS' | 'ITERATIONS' | 'DURATION' | 'RATE';

/** The overrides each executor understands. */
const OVERRIDES_BY_EXECUTOR: Readonly<Record<ProfileDef['executor'], readonly Override[]>> = {
  'shared-iterations': ['VUS', 'ITERATIONS'],
  'ramping-vus': ['VUS', 'DURATION'],
  'constant-arrival-rate': ['RATE', 'DURATION', 'VUS'],
};

const OVERRIDE_FIELD: Readonly<Record<Override, keyof LoadOverrides>> = {
  VUS: 'vus',
  ITERATIONS: 'iterations',
  DURATION: 'durationMs',
  RATE: 'rate',
};

function andList(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function rejectUnusedOverrides(profile: ProfileName, load: LoadOverrides): void {
  const { executor } = PROFILES[profile];
  const allowed = OVERRIDES_BY_EXECUTOR[executor];
  for (const name of Object.keys(OVERRIDE_FIELD) as Override[]) {
    if (load[OVERRIDE_FIELD[name]] === null || allowed.includes(name)) continue;
    const usedBy = PROFILE_NAMES.filter((p) => OVERRIDES_BY_EXECUTOR[PROFILES[p].executor].includes(name));
    throw new ConfigError(
      name,
      `not used by PROFILE=${profile} (${executor}, which takes ${andList(allowed)}); ${name} applies to PROFILE=${usedBy.join(', ')}`,
    );
  }
}

/** Every selected scenario needs at least 1 of a total that is split between them. */
function requireSplittable(total: number, scenarios: readonly ScenarioName[], variable: Override): void {
  const n = scenarios.length;
  if (total < n) {
    throw new ConfigError(
      variable,
      `${total} cannot be split between the ${n} selected scenarios (${scenarios.join(', ')}), which need at least 1 each; set ${variable} to at least ${n} or pick one scenario, e.g. SCENARIOS=stream`,
    );
  }
}

/** Scenario i's share of a total split between n scenarios: the first ones (stream first) get the remainder. */
function share(total: number, n: number, i: number): number {
  return Math.floor(total / n) + (i < total % n ? 1 : 0);
}

/** A k6 scenario under the suite scenario's name (also its `exec` function). */
type Entry = [ScenarioName, Scenario];

function gracefulStop(scenario: ScenarioName, config: Config): string {
  return formatGoDuration(REQUESTS_PER_ITERATION[scenario] * config.streamTimeoutMs + STOP_MARGIN_MS);
}

function sharedIterations(def: { vus: number; iterations: number }, config: Config, load: LoadOverrides): Entry[] {
  const vus = load.vus ?? def.vus;
  const iterations = load.iterations ?? def.iterations;
  if (iterations < vus) {
    const variable: Override = load.iterations !== null ? 'ITERATIONS' : 'VUS';
    throw new ConfigError(
      variable,
      `${iterations} iterations for ${vus} VUs: k6's shared-iterations needs at least one iteration per VU; lower VUS or raise ITERATIONS`,
    );
  }
  requireSplittable(vus, config.scenarios, 'VUS');
  const n = config.scenarios.length;
  return config.scenarios.map((scenario, i): Entry => {
    const v = share(vus, n, i);
    const it = share(iterations, n, i);
    const options: Scenario = {
      executor: 'shared-iterations',
      exec: scenario,
      vus: v,
      iterations: it,
      // Long enough for every iteration of the busiest VU to run into STREAM_TIMEOUT (and k6's minimum).
      maxDuration: formatGoDuration(Math.max(K6_MIN_SCENARIO_MS, Math.ceil(it / v) * REQUESTS_PER_ITERATION[scenario] * config.streamTimeoutMs)),
      gracefulStop: gracefulStop(scenario, config),
    };
    return [scenario, options];
  });
}

function rampingVus(def: { vus: number; durationMs: number }, config: Config, load: LoadOverrides): Entry[] {
  const vus = load.vus ?? def.vus;
  const durationMs = load.durationMs ?? def.durationMs;
  const rampMs = (vus / SPAWN_RATE_PER_SECOND) * 1000;
  if (durationMs < rampMs) {
    const variable: Override = load.durationMs !== null ? 'DURATION' : 'VUS';
    throw new ConfigError(
      variable,
      `the run (${formatGoDuration(durationMs)}) is shorter than the ${formatGoDuration(rampMs)} it takes to start ${vus} VUs at ${SPAWN_RATE_PER_SECOND} per second (the seed's spawn rate); raise DURATION or lower VUS`,
    );
  }
  requireSplittable(vus, config.scenarios, 'VUS');
  return config.scenarios.map((scenario, i): Entry => {
    const target = share(vus, config.scenarios.length, i);
    // Every scenario ramps over the same time, so together they start SPAWN_RATE VUs per second.
    const stages = [{ duration: formatGoDuration(rampMs), target }];
    if (durationMs > rampMs) stages.push({ duration: formatGoDuration(durationMs - rampMs), target });
    return [scenario, { executor: 'ramping-vus', exec: scenario, startVUs: 0, stages, gracefulStop: gracefulStop(scenario, config) }];
  });
}

function constantArrivalRate(def: { rate: number; durationMs: number }, config: Config, load: LoadOverrides): Entry[] {
  const totalRate = load.rate ?? def.rate;
  requireSplittable(totalRate, config.scenarios, 'RATE');
  if (load.vus !== null) requireSplittable(load.vus, config.scenarios, 'VUS');
  const durationMs = load.durationMs ?? def.durationMs;
  if (durationMs < K6_MIN_SCENARIO_MS) {
    throw new ConfigError(
      'DURATION',
      `${formatGoDuration(durationMs)} is shorter than ${formatGoDuration(K6_MIN_SCENARIO_MS)}, k6's minimum duration for a constant-arrival-rate scenario; set DURATION to at least ${formatGoDuration(K6_MIN_SCENARIO_MS)}`,
    );
  }
  const duration = formatGoDuration(durationMs);
  const n = config.scenarios.length;
  return config.scenarios.map((scenario, i): Entry => {
    const rate = share(totalRate, n, i);
    const streamsPerSecond = rate * REQUESTS_PER_ITERATION[scenario];
    // VUS: all pre-allocated, and a cap. Without: enough VUs that no iteration is dropped
    // while every stream ends by STREAM_TIMEOUT, some of them started up front.
    const maxVUs = load.vus !== null ? share(load.vus, n, i) : Math.ceil(streamsPerSecond * (config.streamTimeoutMs / 1000));
    const preAllocatedVUs = load.vus !== null ? maxVUs : Math.min(maxVUs, Math.ceil(streamsPerSecond * PREALLOCATED_SECONDS_PER_STREAM));
    const options: Scenario = {
      executor: 'constant-arrival-rate',
      exec: scenario,
      rate,
      timeUnit: '1s',
      duration,
      preAllocatedVUs,
      maxVUs,
      gracefulStop: gracefulStop(scenario, config),
    };
    return [scenario, options];
  });
}

function scenariosFor(config: Config): Entry[] {
  const load = config.load ?? NO_OVERRIDES;
  rejectUnusedOverrides(config.profile, load);
  const def = PROFILES[config.profile];
  switch (def.executor) {
    case 'shared-iterations':
      return sharedIterations(def, config, load);
    case 'ramping-vus':
      return rampingVus(def, config, load);
    case 'constant-arrival-rate':
      return constantArrivalRate(def, config, load);
  }
}

/**
 * The k6 `options` of a run. Throws ConfigError (in the init context, before
 * any load) when an override does not fit the profile.
 */
export function buildOptions(config: Config, thresholds: Thresholds): Options {
  return {
    scenarios: Object.fromEntries(scenariosFor(config)),
    tags: { target: config.target },
    thresholds,
    summaryTrendStats: [...SUMMARY_TREND_STATS],
  };
}
