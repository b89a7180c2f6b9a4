import { describe, expect, it } from 'vitest';
import { DEFAULT_CALIBRATION_STEPS, parseCalibrateArgs } from './args.ts';
import { loadConfig } from '../lib/config.ts';
import { buildOptions } from '../lib/profiles.ts';
import { calibrationStep, highestAccurateStep, renderCalibrationTable, renderVerdict, runCalibrate, type StepResult } from './calibrate.ts';

const step = (vus: number, ttfeP95Ms: number | null, over: Partial<StepResult> = {}): StepResult => ({
  vus,
  connectionRate: vus * 2,
  eventThroughput: vus * 44,
  ttfeMedMs: ttfeP95Ms === null ? null : ttfeP95Ms - 1,
  ttfeP95Ms,
  errorMs: ttfeP95Ms === null ? null : ttfeP95Ms - 100,
  failedStreams: 0,
  cpuPeakShare: vus / 1000,
  saturated: false,
  ...over,
});

describe('highestAccurateStep', () => {
  it('is the last step of the unbroken run within the tolerance', () => {
    const steps = [step(10, 101.2), step(50, 103.9), step(100, 104.99), step(200, 105), step(400, 102)];
    expect(highestAccurateStep(steps, 5)?.vus).toBe(100); // 105 ms is 5 ms off: not under 5
  });
  it('fails a step with failed streams or without samples, and can find none', () => {
    expect(highestAccurateStep([step(10, 101), step(50, 101, { failedStreams: 1 })], 5)?.vus).toBe(10);
    expect(highestAccurateStep([step(10, null)], 5)).toBeNull();
    expect(highestAccurateStep([], 5)).toBeNull();
  });
});

describe('rendering', () => {
  const args = parseCalibrateArgs([]);
  it('tabulates each step', () => {
    expect(renderCalibrationTable([step(10, 101.25), step(800, 2400, { saturated: true, cpuPeakShare: 0.97 })], 5)).toBe(
      [
        'VUs  conn/s  events/s   TTFE p50   TTFE p95  error p95  failed  gen CPU',
        ' 10    20.0       440   100.3 ms   101.3 ms     1.3 ms       0       1%  ok',
        '800  1600.0     35200  2399.0 ms  2400.0 ms  2300.0 ms       0      97%  over (saturated)',
      ].join('\n'),
    );
  });
  it('states the verdict', () => {
    expect(renderVerdict(step(100, 104), args)).toMatch(/^Highest load measured within 5 ms of the true TTFE: 100 VUs, 4400 events\/s, 200\.0 new streams\/s\./);
    expect(renderVerdict(null, args)).toBe('Even the lightest step (10 VUs) measured TTFE 5 ms or more off: this machine cannot measure TTFE to 5 ms.');
  });
});

describe('runCalibrate without k6', () => {
  it('prints the k6 problem with its fix and exits 2', async () => {
    const err: string[] = [];
    const code = await runCalibrate([], { out: () => undefined, err: (l) => err.push(l) }, { PATH: '/nonexistent' });
    expect(code).toBe(2);
    expect(err.join('\n')).toMatch(/^calibrate needs k6 with k6\/x\/sse\.\nk6: k6 was not found .*\n {2}fix: .*K6_ENABLE_COMMUNITY_EXTENSIONS=true/);
  });
});

describe('calibrationStep', () => {
  const userEnv = { PROFILE: 'open', RATE: '50', VUS: '3', API_KEY: 'secret-of-the-user', PWD: '/work' };

  it.each(DEFAULT_CALIBRATION_STEPS.map((v) => [v]))('runs %i VUs for the whole step with k6 flags, under a config the script accepts', (vus) => {
    const step = calibrationStep(vus, 10, '127.0.0.1:6565', userEnv, 'http://127.0.0.1:4000', '/tmp/r');
    expect(step.args).toEqual(['run', '--no-usage-report', '--quiet', '--address', '127.0.0.1:6565', '--vus', String(vus), '--duration', '10s', 'build/sse.js']);
    const config = loadConfig(step.env);
    expect(() => buildOptions(config, {})).not.toThrow();
    expect(config.baseUrl).toBe('http://127.0.0.1:4000');
    expect(config.apiKey).toBe('');
    expect(config.thresholds).toBe('none');
  });
});
