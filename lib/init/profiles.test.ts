import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type Env } from './config';
import { buildOptions, SUMMARY_TREND_STATS } from './profiles';
import type { Thresholds } from './thresholds';

const THRESHOLDS: Thresholds = { sse_ttfe: ['p(95)<500'] };

function options(env: Env) {
  return buildOptions(loadConfig(env), THRESHOLDS);
}

function errorFor(env: Env): ConfigError {
  try {
    options(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`buildOptions for ${JSON.stringify(env)} did not throw`);
}

/** shared-iterations scenario as the profiles build it (STREAM_TIMEOUT 60s: gracefulStop 65s per stream). */
function shared(exec: 'stream' | 'burst', vus: number, iterations: number, maxDuration: string) {
  return { executor: 'shared-iterations', exec, vus, iterations, maxDuration, gracefulStop: exec === 'stream' ? '1m5s' : '3m5s' };
}

/** PROFILE=default's scenario: ramp to `target` VUs in 5s, hold for the rest of the minute. */
function ramping(exec: 'stream' | 'burst', target: number) {
  return {
    executor: 'ramping-vus',
    exec,
    startVUs: 0,
    stages: [
      { duration: '5s', target },
      { duration: '55s', target },
    ],
    gracefulStop: exec === 'stream' ? '1m5s' : '3m5s',
  };
}

describe('buildOptions: top-level options', () => {
  it('sets the target tag, thresholds and trend stats, and nothing else', () => {
    const o = options({ TARGET: 'openai-chat' });
    expect(Object.keys(o).sort()).toEqual(['scenarios', 'summaryTrendStats', 'tags', 'thresholds']);
    expect(o.tags).toEqual({ target: 'openai-chat' });
    expect(o.thresholds).toBe(THRESHOLDS);
    expect(o.summaryTrendStats).toEqual(['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count']);
    expect(o.summaryTrendStats).not.toBe(SUMMARY_TREND_STATS);
  });
});

describe('buildOptions: profiles (STREAM_TIMEOUT 60s)', () => {
  it('default: the seed locust.conf — 10 VUs started at 2/s for 1m, split 5 stream + 5 burst', () => {
    expect(options({}).scenarios).toEqual({ stream: ramping('stream', 5), burst: ramping('burst', 5) });
  });

  it('default with one scenario gives it all 10 VUs', () => {
    expect(options({ SCENARIOS: 'stream' }).scenarios).toEqual({ stream: ramping('stream', 10) });
  });

  it('smoke: 2 VUs, 6 iterations, one VU and 3 iterations per scenario', () => {
    expect(options({ PROFILE: 'smoke' }).scenarios).toEqual({
      stream: shared('stream', 1, 3, '3m'),
      burst: shared('burst', 1, 3, '9m'),
    });
  });

  it.each([
    ['light', 5, 50],
    ['normal', 50, 500],
    ['heavy', 250, 2500],
    ['stress', 500, 5000],
  ])('%s: the seed table split in halves (%d VUs, %d iterations each)', (profile, vus, iterations) => {
    expect(options({ PROFILE: profile }).scenarios).toEqual({
      stream: shared('stream', vus, iterations, '10m'),
      burst: shared('burst', vus, iterations, '30m'),
    });
  });

  it('stress with only burst: 1000 VUs, 10000 iterations', () => {
    expect(options({ PROFILE: 'stress', SCENARIOS: 'burst' }).scenarios).toEqual({ burst: shared('burst', 1000, 10000, '30m') });
  });

  it('open: 10 iterations/s for 1m split 5 + 5, VUs sized for STREAM_TIMEOUT', () => {
    expect(options({ PROFILE: 'open' }).scenarios).toEqual({
      stream: {
        executor: 'constant-arrival-rate',
        exec: 'stream',
        rate: 5,
        timeUnit: '1s',
        duration: '1m',
        preAllocatedVUs: 25,
        maxVUs: 300,
        gracefulStop: '1m5s',
      },
      burst: {
        executor: 'constant-arrival-rate',
        exec: 'burst',
        rate: 5,
        timeUnit: '1s',
        duration: '1m',
        preAllocatedVUs: 75,
        maxVUs: 900,
        gracefulStop: '3m5s',
      },
    });
  });
});

describe('buildOptions: STREAM_TIMEOUT sets the stop times', () => {
  it('gracefulStop = streams per iteration × timeout + 5s; maxDuration = iterations per VU × streams × timeout', () => {
    expect(options({ PROFILE: 'smoke', STREAM_TIMEOUT: '10s' }).scenarios).toEqual({
      stream: { ...shared('stream', 1, 3, '30s'), gracefulStop: '15s' },
      burst: { ...shared('burst', 1, 3, '1m30s'), gracefulStop: '35s' },
    });
  });

  it('a sub-second timeout is kept in milliseconds', () => {
    const s = options({ PROFILE: 'smoke', SCENARIOS: 'stream', STREAM_TIMEOUT: '1500ms' }).scenarios;
    expect(s?.['stream']).toMatchObject({ maxDuration: '4500ms', gracefulStop: '6500ms' });
  });

  it("maxDuration is never under k6's 1s minimum for a scenario (k6 rejects 'the maxDuration should be at least 1s')", () => {
    const s = options({ PROFILE: 'light', SCENARIOS: 'stream', VUS: '10', ITERATIONS: '10', STREAM_TIMEOUT: '200ms' }).scenarios;
    expect(s?.['stream']).toMatchObject({ maxDuration: '1s', gracefulStop: '5200ms' });
  });

  it('open: maxVUs follows the timeout', () => {
    const s = options({ PROFILE: 'open', SCENARIOS: 'stream', RATE: '4', STREAM_TIMEOUT: '2s' }).scenarios;
    expect(s?.['stream']).toMatchObject({ rate: 4, preAllocatedVUs: 8, maxVUs: 8 });
  });
});

describe('buildOptions: overrides', () => {
  it('VUS and ITERATIONS on a shared-iterations profile, odd totals give stream the extra one', () => {
    expect(options({ PROFILE: 'light', VUS: '3', ITERATIONS: '7' }).scenarios).toEqual({
      stream: shared('stream', 2, 4, '2m'),
      burst: shared('burst', 1, 3, '9m'),
    });
  });

  it('VUS and DURATION on default: ramp at 2 VUs/s, then hold', () => {
    expect(options({ VUS: '5', DURATION: '30s' }).scenarios).toMatchObject({
      stream: { stages: [{ duration: '2500ms', target: 3 }, { duration: '27500ms', target: 3 }] },
      burst: { stages: [{ duration: '2500ms', target: 2 }, { duration: '27500ms', target: 2 }] },
    });
  });

  it('default with DURATION equal to the ramp has one stage', () => {
    expect(options({ VUS: '10', DURATION: '5s', SCENARIOS: 'stream' }).scenarios?.['stream']).toMatchObject({
      stages: [{ duration: '5s', target: 10 }],
    });
  });

  it('RATE, DURATION and VUS on open: VUS pre-allocates and caps', () => {
    expect(options({ PROFILE: 'open', RATE: '25', DURATION: '2m', VUS: '40' }).scenarios).toMatchObject({
      stream: { rate: 13, duration: '2m', preAllocatedVUs: 20, maxVUs: 20 },
      burst: { rate: 12, duration: '2m', preAllocatedVUs: 20, maxVUs: 20 },
    });
    expect(options({ PROFILE: 'open', SCENARIOS: 'stream', RATE: '2', VUS: '500' }).scenarios?.['stream']).toMatchObject({
      preAllocatedVUs: 500,
      maxVUs: 500,
    });
  });
});

describe('buildOptions: errors (exact messages)', () => {
  it.each<[Env, string, string]>([
    [
      { PROFILE: 'light', RATE: '5' },
      'RATE',
      'RATE: not used by PROFILE=light (shared-iterations, which takes VUS and ITERATIONS); RATE applies to PROFILE=open',
    ],
    [
      { PROFILE: 'smoke', DURATION: '30s' },
      'DURATION',
      'DURATION: not used by PROFILE=smoke (shared-iterations, which takes VUS and ITERATIONS); DURATION applies to PROFILE=default, open',
    ],
    [
      { ITERATIONS: '50' },
      'ITERATIONS',
      'ITERATIONS: not used by PROFILE=default (ramping-vus, which takes VUS and DURATION); ITERATIONS applies to PROFILE=smoke, light, normal, heavy, stress',
    ],
    [
      { PROFILE: 'open', ITERATIONS: '50' },
      'ITERATIONS',
      'ITERATIONS: not used by PROFILE=open (constant-arrival-rate, which takes RATE, DURATION and VUS); ITERATIONS applies to PROFILE=smoke, light, normal, heavy, stress',
    ],
    [
      { RATE: '5' },
      'RATE',
      'RATE: not used by PROFILE=default (ramping-vus, which takes VUS and DURATION); RATE applies to PROFILE=open',
    ],
    [
      { PROFILE: 'smoke', VUS: '1' },
      'VUS',
      'VUS: 1 cannot be split between the 2 selected scenarios (stream, burst), which need at least 1 each; set VUS to at least 2 or pick one scenario, e.g. SCENARIOS=stream',
    ],
    [
      { PROFILE: 'open', RATE: '1' },
      'RATE',
      'RATE: 1 cannot be split between the 2 selected scenarios (stream, burst), which need at least 1 each; set RATE to at least 2 or pick one scenario, e.g. SCENARIOS=stream',
    ],
    [
      { PROFILE: 'light', VUS: '20', ITERATIONS: '10' },
      'ITERATIONS',
      "ITERATIONS: 10 iterations for 20 VUs: k6's shared-iterations needs at least one iteration per VU; lower VUS or raise ITERATIONS",
    ],
    [
      { PROFILE: 'light', VUS: '200' },
      'VUS',
      "VUS: 100 iterations for 200 VUs: k6's shared-iterations needs at least one iteration per VU; lower VUS or raise ITERATIONS",
    ],
    [
      { PROFILE: 'open', DURATION: '500ms' },
      'DURATION',
      "DURATION: 500ms is shorter than 1s, k6's minimum duration for a constant-arrival-rate scenario; set DURATION to at least 1s",
    ],
    [
      { VUS: '10', DURATION: '3s' },
      'DURATION',
      "DURATION: the run (3s) is shorter than the 5s it takes to start 10 VUs at 2 per second (the seed's spawn rate); raise DURATION or lower VUS",
    ],
    [
      { VUS: '200' },
      'VUS',
      "VUS: the run (1m) is shorter than the 1m40s it takes to start 200 VUs at 2 per second (the seed's spawn rate); raise DURATION or lower VUS",
    ],
  ])('%j → %s', (env, variable, message) => {
    const error = errorFor(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toBe(message);
  });

  it('accepts a Config literal without load overrides', () => {
    const { load: _unused, ...config } = loadConfig({ PROFILE: 'smoke', SCENARIOS: 'stream' });
    expect(buildOptions(config, {}).scenarios).toEqual({ stream: shared('stream', 2, 6, '3m') });
  });
});
