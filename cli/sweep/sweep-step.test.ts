import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/init/config.ts';
import { runStep, stepBoundMs, stepK6Args, stepVars, type StepDeps, type StepPlan } from './sweep-step.ts';

const dir = mkdtempSync(join(tmpdir(), 'sweep-step-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const plan = (over: Partial<StepPlan> = {}): StepPlan => ({
  mode: 'vus',
  load: 40,
  stepSec: 20,
  script: 'build/sse.js',
  thresholdsPath: '/abs/sweep_x/slo-thresholds.json',
  streamSlo: { SLO_TTFE: '200ms' },
  scenarios: 'stream',
  reportsDir: 'reports/sweep_x/step-01-40vus',
  ...over,
});

describe('stepK6Args', () => {
  it('closed model: k6 --vus/--duration, the profile variables blanked, SLO thresholds and limits, own report directory', () => {
    expect(stepK6Args(plan(), '127.0.0.1:7001')).toEqual([
      'run', '--no-usage-report', '--quiet', '--address', '127.0.0.1:7001', '--vus', '40', '--duration', '20s',
      '-e', 'PROFILE=smoke', '-e', 'SCENARIOS=', '-e', 'VUS=', '-e', 'ITERATIONS=', '-e', 'DURATION=', '-e', 'RATE=',
      '-e', 'THRESHOLDS=/abs/sweep_x/slo-thresholds.json', '-e', 'SLO_TTFE=200ms', '-e', 'REPORTS_DIR=reports/sweep_x/step-01-40vus',
      'build/sse.js',
    ]);
  });

  it('open model: PROFILE=open with RATE and DURATION, the scenarios kept', () => {
    const args = stepK6Args(plan({ mode: 'rate', load: 25, scenarios: 'stream,burst', streamSlo: {} }), '127.0.0.1:7001');
    expect(args.slice(0, 5)).toEqual(['run', '--no-usage-report', '--quiet', '--address', '127.0.0.1:7001']);
    expect(args).not.toContain('--vus');
    expect(stepVars(plan({ mode: 'rate', load: 25, scenarios: 'stream,burst', streamSlo: {} }))).toEqual({
      PROFILE: 'open', RATE: '25', DURATION: '20s', VUS: '', ITERATIONS: '', SCENARIOS: 'stream,burst',
      THRESHOLDS: '/abs/sweep_x/slo-thresholds.json', REPORTS_DIR: 'reports/sweep_x/step-01-40vus',
    });
  });

  it("the variables make a configuration build/sse.js's loader accepts, over a shell with other settings", () => {
    for (const p of [plan(), plan({ mode: 'rate', load: 25 })]) {
      const c = loadConfig({ PROFILE: 'heavy', VUS: '999', RATE: '3', SLO_TTFE: '1s', ...stepVars({ ...p, thresholdsPath: '/x/slo.json' }) });
      expect(c.slo?.ttfeMs).toBe(200);
      expect(c.thresholds).toBe('/x/slo.json');
    }
  });
});

describe('stepBoundMs', () => {
  it("is the load plus k6's drain time plus a minute", () => {
    expect(stepBoundMs('vus', 20, 60_000)).toBe(20_000 + 30_000 + 60_000);
    expect(stepBoundMs('rate', 20, 60_000)).toBe(20_000 + 185_000 + 60_000); // burst: 3 streams × STREAM_TIMEOUT + 5 s
  });
});

describe('runStep with a stand-in k6', () => {
  const report = new URL('../fixtures/report-b.json', import.meta.url).pathname;
  function fakeK6(writeReport: boolean): string {
    const path = join(dir, `k6-${writeReport ? 'ok' : 'none'}`);
    const vars = `for a in "$@"; do case "$a" in REPORTS_DIR=*) d="\${a#REPORTS_DIR=}";; esac; done`;
    writeFileSync(path, `#!/bin/sh\n${vars}\n${writeReport ? `cp "${report}" "$d/benchmark_20261127_110000.json"` : 'echo "level=error msg=\\"script exception\\"" >&2; exit 107'}\n`);
    chmodSync(path, 0o755);
    return path;
  }
  const deps = (bin: string, err: string[]): StepDeps => ({
    k6Bin: bin,
    env: process.env,
    streamTimeoutMs: 60_000,
    baseDir: dir,
    chartJs: '',
    now: Date.now,
    io: { out: () => undefined, err: (l) => err.push(l) },
    stopRequested: () => false,
  });

  it("reads the step's report, finishes it like bench does (HTML beside it) and gives paths relative to the sweep", { timeout: 20_000 }, async () => {
    const stepDir = join(dir, 'sweep_x', 'step-01-40vus');
    const r = await runStep(plan({ reportsDir: stepDir }), deps(fakeK6(true), []));
    expect(r).toMatchObject({ code: 0, reportPath: 'sweep_x/step-01-40vus/benchmark_20261127_110000.json', timedOut: false, interrupted: false });
    expect(r.report?.figures.ttfeP95Ms).toBe(77);
    expect(existsSync(join(stepDir, 'benchmark_20261127_110000.html'))).toBe(true);
  });

  it("reports a run without a report with k6's last messages", { timeout: 20_000 }, async () => {
    const err: string[] = [];
    const stepDir = join(dir, 'sweep_y', 'step-01-40vus');
    const r = await runStep(plan({ reportsDir: stepDir }), deps(fakeK6(false), err));
    expect(r).toMatchObject({ code: 107, report: null, reportPath: '' });
    expect(err).toEqual([`sweep: k6 wrote no report into ${stepDir} (exit code 107); k6's last messages:`, '  level=error msg="script exception"']);
  });
});
