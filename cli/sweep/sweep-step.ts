/**
 * One step of the capacity sweep = one `k6 run` with its own report directory, bounded in
 * time. Closed model: k6's own `--vus N --duration D` (the default scenario runs `stream`,
 * every VU from the first second, as `npm run calibrate` does). Open model: PROFILE=open with
 * RATE and DURATION. Either way the SLOs are the run's thresholds (k6 evaluates them) and the
 * per-stream limits go in as SLO_TTFE / SLO_TTFT / SLO_TPOT. The run's reports are finished as
 * `npm run bench` finishes them (generator saturation recorded, HTML page written).
 */
import { mkdirSync } from 'node:fs';
import { relative } from 'node:path';
import { PLAIN_VUS_VARS } from '../calibrate/calibrate.ts';
import { freeAddress, generatorVerdict, runK6 } from '../run/k6-run.ts';
import type { Io } from '../main-guard.ts';
import { finishReports, newJsonReport } from '../run/run-reports.ts';
import type { SweepMode } from './sweep-args.ts';
import type { StepRun } from './sweep-report.ts';

export interface StepPlan {
  readonly mode: SweepMode;
  readonly load: number;
  readonly stepSec: number;
  readonly script: string;
  /** The SLO thresholds file (THRESHOLDS). */
  readonly thresholdsPath: string;
  /** SLO_TTFE / SLO_TTFT / SLO_TPOT. */
  readonly streamSlo: Readonly<Record<string, string>>;
  /** Open model: SCENARIOS for the run (the user's, else `stream`). */
  readonly scenarios: string;
  /** This run's report directory (created here). */
  readonly reportsDir: string;
}

/** k6 --vus/--duration's default scenario stops in-flight iterations after k6's default gracefulStop. */
const K6_DEFAULT_GRACEFUL_STOP_MS = 30_000;
/** Time for k6 to start (VU init) and to write its summary, beyond the load itself. */
const START_AND_SUMMARY_MS = 60_000;

/** The script variables of a step (`-e NAME=value`: they win over the caller's environment). */
export function stepVars(p: StepPlan): Record<string, string> {
  const common = { ...p.streamSlo, THRESHOLDS: p.thresholdsPath, REPORTS_DIR: p.reportsDir };
  if (p.mode === 'vus') return { ...PLAIN_VUS_VARS, ...common };
  return { PROFILE: 'open', RATE: String(p.load), DURATION: `${p.stepSec}s`, VUS: '', ITERATIONS: '', SCENARIOS: p.scenarios, ...common };
}

/** The `k6 run` command line of a step. */
export function stepK6Args(p: StepPlan, address: string): string[] {
  const load = p.mode === 'vus' ? ['--vus', String(p.load), '--duration', `${p.stepSec}s`] : [];
  const vars = Object.entries(stepVars(p)).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  return ['run', '--no-usage-report', '--quiet', '--address', address, ...load, ...vars, p.script];
}

/**
 * How long a step may take before k6 is told to stop: the load, the longest time k6 lets
 * in-flight streams finish (its default 30 s gracefulStop for --vus/--duration; the suite's
 * open profile waits STREAM_TIMEOUT per request of an iteration, up to three for `burst`,
 * plus 5 s), and a minute to start and to write the summary.
 */
export function stepBoundMs(mode: SweepMode, stepSec: number, streamTimeoutMs: number): number {
  const drain = mode === 'vus' ? K6_DEFAULT_GRACEFUL_STOP_MS : 3 * streamTimeoutMs + 5_000;
  return stepSec * 1000 + drain + START_AND_SUMMARY_MS;
}

export interface StepDeps {
  readonly k6Bin: string;
  /** The environment k6 runs with (the caller's, plus what the preflight found k6 needs). */
  readonly env: NodeJS.ProcessEnv;
  readonly streamTimeoutMs: number;
  /** Directory the sweep's JSON is written to: report paths are made relative to it. */
  readonly baseDir: string;
  readonly chartJs: string;
  readonly now: () => number;
  readonly io: Io;
  /** True once Ctrl-C was pressed (read when the run ends). */
  readonly stopRequested: () => boolean;
}

/** Lines of k6's stderr kept to explain a run that wrote no report. */
const STDERR_TAIL = 20;

/** Runs one k6 run of a step; never throws for k6's own failures (they show in the result). */
export async function runStep(p: StepPlan, deps: StepDeps): Promise<StepRun> {
  mkdirSync(p.reportsDir, { recursive: true });
  const address = await freeAddress();
  const stderr: string[] = [];
  const run = await runK6({
    bin: deps.k6Bin,
    args: stepK6Args(p, address),
    env: deps.env,
    address,
    intervalMs: 1000,
    now: deps.now,
    onFigures: () => undefined,
    inheritOutput: false,
    stdout: () => undefined, // k6's own summary of each step: in the step's reports
    stderr: (l) => {
      stderr.push(l);
      if (stderr.length > STDERR_TAIL) stderr.shift();
    },
    stopAfterMs: stepBoundMs(p.mode, p.stepSec, deps.streamTimeoutMs),
  });
  const gen = generatorVerdict(run);
  const base = { code: run.code, saturated: gen.saturated, cpuPeakShare: gen.measured ? gen.peakShare : null, cores: gen.cores, timedOut: run.timedOut === true, interrupted: deps.stopRequested() };
  const jsonPath = newJsonReport(p.reportsDir, new Set());
  if (jsonPath === '') {
    deps.io.err(`sweep: k6 wrote no report into ${p.reportsDir} (exit code ${run.code}${run.timedOut ? `, stopped after ${stepBoundMs(p.mode, p.stepSec, deps.streamTimeoutMs) / 1000} s` : ''}); k6's last messages:`);
    for (const l of stderr) deps.io.err(`  ${l}`);
    return { ...base, report: null, reportPath: '' };
  }
  try {
    const done = finishReports(jsonPath, run.poller.series, 1, gen, deps.chartJs);
    return { ...base, report: done.report, reportPath: relative(deps.baseDir, jsonPath) };
  } catch (err) {
    deps.io.err(`sweep: could not read the report ${jsonPath}: ${(err as Error).message}`);
    return { ...base, report: null, reportPath: '' };
  }
}
