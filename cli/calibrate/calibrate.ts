/**
 * `npm run calibrate`: how much load can this machine generate before its own TTFE
 * measurement goes wrong? Starts the embedded mock with a known, jitter-free time to first
 * event and runs a short k6 step per VU count (ascending). The lightest step measures the
 * machine's baseline error (TTFE p95 minus the true TTFE: timers and scheduling of a shared
 * machine, for k6 and any other client alike — docs/bench-cli.md); the run stops at the first
 * step whose error grows beyond baseline + tolerance (default 5 ms). It reports both: the
 * baseline, and the highest load measured within it, with the event rate reached and the
 * generator's CPU. Needs real k6 (exit 2 with the fix otherwise).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseReportJson } from '../../lib/report/report-json.ts';
import { CALIBRATE_USAGE, DEFAULT_SCRIPT, parseCalibrateArgs, UsageError, type CalibrateArgs } from '../args.ts';
import { formatK6Problem, locateK6 } from '../run/k6-locate.ts';
import { freeAddress, generatorVerdict, runK6 } from '../run/k6-run.ts';
import { EXIT_PREFLIGHT } from '../preflight/preflight.ts';
import { consoleIo, type Io, runAsMain } from '../main-guard.ts';
import { newJsonReport } from '../run/run-reports.ts';
import { alignTable } from '../text-table.ts';

export interface StepResult {
  readonly vus: number;
  readonly connectionRate: number | null;
  readonly eventThroughput: number | null;
  readonly ttfeMedMs: number | null;
  readonly ttfeP95Ms: number | null;
  /** TTFE p95 minus the mock's TTFE; null without samples. */
  readonly errorMs: number | null;
  readonly failedStreams: number;
  readonly cpuPeakShare: number | null;
  readonly saturated: boolean;
}

/** A step that measured anything: TTFE samples and no failed stream. */
function measured(step: StepResult): step is StepResult & { errorMs: number } {
  return step.errorMs !== null && step.failedStreams === 0;
}

/** The error a step may have: the baseline's plus the tolerance (null: no usable baseline). */
export function errorLimit(baseline: StepResult | undefined, toleranceMs: number): number | null {
  return baseline !== undefined && measured(baseline) ? Math.max(baseline.errorMs, 0) + toleranceMs : null;
}

function stepWithin(step: StepResult, limit: number | null): boolean {
  return limit !== null && measured(step) && step.errorMs <= limit;
}

export interface Calibration {
  /** The lightest step: the machine's own error. null when there was no step. */
  readonly baseline: StepResult | null;
  /** The error limit: baseline error + tolerance; null when the lightest step measured nothing. */
  readonly limitMs: number | null;
  /** The highest step such that it and every lighter one stayed within the limit. */
  readonly highest: StepResult | null;
  /** The first step beyond the limit, if the ramp reached one. */
  readonly firstOver: StepResult | null;
}

export function calibrate(steps: readonly StepResult[], toleranceMs: number): Calibration {
  const baseline = steps[0] ?? null;
  const limitMs = errorLimit(steps[0], toleranceMs);
  let highest: StepResult | null = null;
  let firstOver: StepResult | null = null;
  for (const s of steps) {
    if (!stepWithin(s, limitMs)) {
      firstOver = s;
      break;
    }
    highest = s;
  }
  return { baseline, limitMs, highest, firstOver };
}

const num = (v: number | null, digits: number): string => (v === null ? 'n/a' : v.toFixed(digits));

export function renderCalibrationTable(steps: readonly StepResult[], toleranceMs: number): string {
  const limit = errorLimit(steps[0], toleranceMs);
  const head = ['VUs', 'conn/s', 'events/s', 'TTFE p50', 'TTFE p95', 'error p95', 'failed', 'gen CPU', ''];
  const rows = steps.map((s) => [
    String(s.vus),
    num(s.connectionRate, 1),
    num(s.eventThroughput, 0),
    `${num(s.ttfeMedMs, 1)} ms`,
    `${num(s.ttfeP95Ms, 1)} ms`,
    `${num(s.errorMs, 1)} ms`,
    String(s.failedStreams),
    s.cpuPeakShare === null ? 'n/a' : `${Math.round(s.cpuPeakShare * 100)}%`,
    (s === steps[0] ? 'baseline ' : '') + (stepWithin(s, limit) ? 'ok' : s.saturated ? 'over (saturated)' : 'over'),
  ]);
  return alignTable([head, ...rows], ['r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l']);
}

export function renderVerdict(c: Calibration, args: CalibrateArgs): string {
  const base = c.baseline;
  if (base === null) return 'No step ran: nothing to report.';
  if (c.limitMs === null || base.errorMs === null) {
    const why = base.errorMs === null ? 'no TTFE sample' : `${base.failedStreams} failed stream(s)`;
    return `The lightest step (${base.vus} VUs) measured nothing usable (${why}): check the k6 output above.`;
  }
  const lines = [
    `Baseline: at ${base.vus} VUs, the lightest step, TTFE p95 is ${num(base.errorMs, 1)} ms above the true ${args.ttfeMs} ms — ` +
      "this machine's own error (its timers and scheduling), not the load; compare TTFEs measured here to that.",
  ];
  const best = c.highest;
  const limit = `baseline + ${args.toleranceMs} ms = ${num(c.limitMs, 1)} ms`;
  if (best !== null) {
    const at = `${best.vus} VUs, ${num(best.eventThroughput, 0)} events/s, ${num(best.connectionRate, 1)} new streams/s`;
    lines.push(
      c.firstOver === null
        ? `The error stays within ${limit} up to the heaviest step: ${at}. This machine measures that load as well as the lightest.`
        : `The error stays within ${limit} up to ${at}; at ${c.firstOver.vus} VUs it is ${num(c.firstOver.errorMs, 1)} ms` +
            `${c.firstOver.failedStreams > 0 ? ` with ${c.firstOver.failedStreams} failed stream(s)` : ''}. ` +
            'Heavier runs on this machine understate the target (run the load generator elsewhere, or on more cores).',
    );
  }
  return lines.join('\n');
}

/**
 * Script variables for a run driven by k6's own `--vus`/`--duration` (the default scenario):
 * the profile variables blanked so a PROFILE/RATE/… in the caller's shell cannot make the
 * script reject its settings, and no thresholds. Shared with perf/client-bench.ts.
 */
export const PLAIN_VUS_VARS: Readonly<Record<string, string>> = {
  PROFILE: 'smoke',
  SCENARIOS: '',
  VUS: '',
  ITERATIONS: '',
  DURATION: '',
  RATE: '',
  THRESHOLDS: 'none',
};

/**
 * The k6 command of one calibration step: k6's own `--vus`/`--duration` (a constant-VU default
 * scenario running `stream`, every VU from the first second), not PROFILE=default, whose 2 VUs/s
 * ramp would eat the step (and reject steps of more than 2 × duration VUs).
 */
export function calibrationStep(
  vus: number,
  stepSec: number,
  address: string,
  env: NodeJS.ProcessEnv,
  mockUrl: string,
  reportsDir: string,
): { args: string[]; env: NodeJS.ProcessEnv } {
  return {
    args: ['run', '--no-usage-report', '--quiet', '--address', address, '--vus', String(vus), '--duration', `${stepSec}s`, DEFAULT_SCRIPT],
    env: {
      ...env,
      BASE_URL: mockUrl,
      TARGET: 'dify-workflow',
      API_KEY: '',
      DIFY_API_KEY: '',
      ENDPOINT: '',
      ...PLAIN_VUS_VARS,
      REPORTS_DIR: reportsDir,
    },
  };
}

export async function runCalibrate(argv: readonly string[], io: Io = consoleIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let args: CalibrateArgs;
  try {
    args = parseCalibrateArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`calibrate: ${err.message}`);
    return EXIT_PREFLIGHT;
  }
  if (args.help) {
    io.out(CALIBRATE_USAGE);
    return 0;
  }
  const k6 = await locateK6(env);
  if (!k6.ok) {
    io.err(`calibrate needs k6 with k6/x/sse.\n${formatK6Problem(k6)}`);
    return EXIT_PREFLIGHT;
  }
  if (!existsSync(DEFAULT_SCRIPT)) {
    io.err(`calibrate: ${DEFAULT_SCRIPT} does not exist; run npm run build`);
    return EXIT_PREFLIGHT;
  }
  const { startMockServer } = await import('../../mock/server.ts');
  const mock = await startMockServer({ port: 0, ttfeMs: args.ttfeMs, ttftMs: args.ttfeMs, tokens: 20, tokenIntervalMs: 20, jitter: 'none' });
  const reportsDir = mkdtempSync(join(tmpdir(), 'sse-bench-calibrate-'));
  const steps: StepResult[] = [];
  io.out(`calibrate: mock at ${mock.url} answers with TTFE ${args.ttfeMs} ms; ${args.steps.length} steps of ${args.stepSec} s (k6 ${k6.version})`);
  try {
    for (const vus of args.steps) {
      const address = await freeAddress();
      const run = await runK6({
        bin: k6.bin,
        ...calibrationStep(vus, args.stepSec, address, { ...env, ...k6.env }, mock.url, reportsDir),
        address,
        intervalMs: 1000,
        now: Date.now,
        onFigures: () => undefined,
        inheritOutput: false,
        stdout: () => undefined, // k6's summary of each step is not the point here
        stderr: (l) => io.err(l),
      });
      const path = newJsonReport(reportsDir, new Set());
      if (path === '') {
        io.err(`calibrate: the ${vus}-VU step wrote no report (k6 exit code ${run.code}); stopping`);
        break;
      }
      const f = parseReportJson(readFileSync(path, 'utf8'), path).figures;
      rmSync(path);
      const gen = generatorVerdict(run);
      const step: StepResult = {
        vus,
        connectionRate: f.connectionRate,
        eventThroughput: f.eventThroughput,
        ttfeMedMs: f.ttfeMedMs,
        ttfeP95Ms: f.ttfeP95Ms,
        errorMs: f.ttfeP95Ms === null ? null : f.ttfeP95Ms - args.ttfeMs,
        failedStreams: f.failedStreams ?? 0,
        cpuPeakShare: gen.measured ? gen.peakShare : null,
        saturated: gen.saturated,
      };
      steps.push(step);
      io.out(`  ${vus} VUs: TTFE p95 ${num(step.ttfeP95Ms, 1)} ms (error ${num(step.errorMs, 1)} ms), ${num(step.eventThroughput, 0)} events/s`);
      if (!stepWithin(step, errorLimit(steps[0], args.toleranceMs))) break; // heavier steps only get worse
    }
  } finally {
    await mock.close();
    rmSync(reportsDir, { recursive: true, force: true });
  }
  io.out('');
  io.out(renderCalibrationTable(steps, args.toleranceMs));
  io.out('');
  io.out(renderVerdict(calibrate(steps, args.toleranceMs), args));
  return 0;
}

runAsMain(import.meta.url, () => runCalibrate(process.argv.slice(2)));
