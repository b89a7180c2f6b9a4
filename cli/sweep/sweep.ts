/**
 * `npm run sweep`: finds the most load the target sustains within an SLO. Same environment
 * and preflight as `npm run bench` (the embedded mock when BASE_URL is unset); then one k6 run
 * per step (cli/sweep/sweep-step.ts), the load chosen by the search (cli/sweep/sweep-search.ts) from the
 * steps' SLO verdicts (cli/sweep/sweep-slo.ts), until it converges, reaches --max, or a step
 * saturates the generator. Prints a line per step, then the table and the answer, and writes
 * `<REPORTS_DIR>/sweep_<stamp>.json` (cli/sweep/sweep-report.ts) and `.html` (cli/sweep/sweep-html.ts);
 * each step's own reports are in `<REPORTS_DIR>/sweep_<stamp>/`. Ctrl-C: the step in progress
 * stops (k6 writes its summary), the sweep writes what it knows.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { reportSettings, scrubText } from '../../lib/report/redact.ts';
import { reportStamp } from '../../lib/report/report-names.ts';
import { UsageError } from '../args.ts';
import { realPreflightDeps } from '../bench/bench.ts';
import { loadChartJs } from '../run/html-report.ts';
import { difyStateEnv } from '../dify-state-env.ts';
import { consoleIo, type Io, runAsMain } from '../main-guard.ts';
import { EXIT_PREFLIGHT, formatPreflightError, preflight, PreflightError, type PreflightDeps, type PreflightResult } from '../preflight/preflight.ts';
import { parseSweepArgs, SWEEP_USAGE, type SweepArgs } from './sweep-args.ts';
import { renderSweepHtml } from './sweep-html.ts';
import {
  buildSweepReport,
  combineRuns,
  interruptedResult,
  loadUnitOf,
  renderKneeBars,
  renderStepLine,
  renderSweepJson,
  renderSweepTable,
  searchOutcomes,
  type StepRun,
  type SweepContext,
  type SweepReport,
  type SweepStep,
} from './sweep-report.ts';
import { nextLoad, type SearchResult } from './sweep-search.ts';
import { sloLabel, sloThresholds, streamSloVars } from './sweep-slo.ts';
import { runStep, type StepDeps, type StepPlan } from './sweep-step.ts';

/** Exit codes: an answer, none, interrupted by Ctrl-C (128 + SIGINT). */
export const EXIT_FOUND = 0;
export const EXIT_NOT_FOUND = 1;
export const EXIT_INTERRUPTED = 130;

export interface SweepDeps {
  readonly env: NodeJS.ProcessEnv;
  readonly io: Io;
  readonly preflight: PreflightDeps;
  readonly now: () => number;
  /** One k6 run of a step (tests put recorded results here). */
  readonly runStep: (plan: StepPlan, deps: StepDeps) => Promise<StepRun>;
  readonly chartJs: () => string;
}

/** The closed model runs k6's --vus/--duration default scenario, which is `stream` only. */
function scenariosProblem(args: SweepArgs, env: NodeJS.ProcessEnv): string | null {
  const raw = (env.SCENARIOS ?? '').trim();
  if (args.mode !== 'vus' || raw === '' || raw === 'stream') return null;
  return `SCENARIOS=${raw}: the closed-model sweep (--mode vus) runs k6 --vus/--duration, whose one scenario is \`stream\`; unset SCENARIOS, set it to stream, or use --mode rate`;
}

/** `step-03-40vus`: a step's directory name. */
function stepDirName(index: number, load: number, unit: string): string {
  return `step-${String(index).padStart(2, '0')}-${load}${unit === 'VUs' ? 'vus' : 'per-s'}`;
}

function exitCode(r: SweepReport, stoppedByUser: boolean): number {
  if (stoppedByUser) return EXIT_INTERRUPTED;
  const best = 'vus' in r.maxSustainable ? r.maxSustainable.vus : r.maxSustainable.rate;
  return best !== null && (r.maxSustainable.limitedBy === 'slo' || r.maxSustainable.limitedBy === 'max') ? EXIT_FOUND : EXIT_NOT_FOUND;
}

interface Outcome {
  readonly steps: readonly SweepStep[];
  readonly result: SearchResult;
  readonly stopReason: string;
  readonly stoppedByUser: boolean;
}

/** The search loop: ask for a load, run it (N times with --repeat), record the step, until done. */
async function searchSteps(
  args: SweepArgs,
  pre: PreflightResult,
  deps: SweepDeps,
  dirs: { base: string; sweep: string },
  plan: Omit<StepPlan, 'load' | 'reportsDir'>,
  unit: string,
  chartJs: string,
): Promise<Outcome> {
  let stop = false;
  const onSigint = (): void => {
    stop = true;
    deps.io.err('sweep: Ctrl-C — stopping after this step (k6 writes its summary first)');
  };
  process.on('SIGINT', onSigint);
  const stepDeps: StepDeps = {
    k6Bin: pre.k6.bin,
    env: { ...deps.env, ...pre.env },
    streamTimeoutMs: pre.config.streamTimeoutMs,
    baseDir: dirs.base,
    chartJs,
    now: deps.now,
    io: deps.io,
    stopRequested: () => stop,
  };
  const steps: SweepStep[] = [];
  try {
    for (;;) {
      const next = nextLoad(args.search, searchOutcomes(steps));
      if (next.done) return { steps, result: next.result, stopReason: '', stoppedByUser: false };
      if (stop) return { steps, result: interruptedResult(steps), stopReason: 'interrupted (Ctrl-C)', stoppedByUser: true };
      const index = steps.length + 1;
      const stepDir = join(dirs.sweep, stepDirName(index, next.load, unit));
      deps.io.out(`step ${index}: ${next.load} ${unit} for ${args.stepSec} s${args.repeat > 1 ? `, ${args.repeat} runs` : ''} …`);
      const runs: StepRun[] = [];
      for (let r = 1; r <= args.repeat && !(stop && r > 1); r++) {
        runs.push(await deps.runStep({ ...plan, load: next.load, reportsDir: args.repeat > 1 ? join(stepDir, `run-${r}`) : stepDir }, stepDeps));
      }
      const step = combineRuns(index, next.load, args.mode, args.slos, runs, relative(dirs.base, stepDir));
      steps.push(step);
      deps.io.out(renderStepLine(step, unit, String(index)));
      if (step.interrupted) return { steps, result: interruptedResult(steps), stopReason: 'interrupted (Ctrl-C)', stoppedByUser: true };
      if (step.runs === 0) return { steps, result: interruptedResult(steps), stopReason: `stopped: step ${index} wrote no report (see k6's messages above)`, stoppedByUser: false };
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
}

export async function runSweep(argv: readonly string[], deps: SweepDeps): Promise<number> {
  const { io } = deps;
  let args: SweepArgs;
  try {
    args = parseSweepArgs(argv);
    if (args.help) {
      io.out(SWEEP_USAGE);
      return 0;
    }
    const problem = scenariosProblem(args, deps.env);
    if (problem !== null) throw new UsageError(problem);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`sweep: ${err.message}\n(npm run sweep -- --help for usage)`);
    return EXIT_PREFLIGHT;
  }

  let pre: PreflightResult;
  let env: NodeJS.ProcessEnv;
  let stateNote: string;
  try {
    // As npm run bench: setup:dify's key and URL when API_KEY is unset.
    ({ env, note: stateNote } = difyStateEnv(deps.env));
    pre = await preflight(env, args.script, deps.preflight);
  } catch (err) {
    if (!(err instanceof PreflightError)) throw err;
    io.err(formatPreflightError(err));
    return EXIT_PREFLIGHT;
  }

  try {
    const base = pre.config.reportsDir === '' ? '.' : pre.config.reportsDir;
    const stamp = reportStamp(new Date(deps.now()));
    const sweepDir = join(base, `sweep_${stamp}`);
    mkdirSync(sweepDir, { recursive: true }); // k6 does not create report directories
    const thresholdsPath = resolve(sweepDir, 'slo-thresholds.json');
    writeFileSync(thresholdsPath, `${JSON.stringify(sloThresholds(args.slos), null, 2)}\n`);
    const streamSlo = streamSloVars(args.slos);
    // Open model: the user's SCENARIOS, else `stream` alone, so the load is streams started per second.
    const scenarios = args.mode === 'rate' && (env.SCENARIOS ?? '').trim() !== '' ? pre.config.scenarios : (['stream'] as const);
    const unit = loadUnitOf(args.mode, scenarios);
    const ctx: SweepContext = {
      mode: args.mode,
      loadUnit: unit,
      slo: args.slos,
      streamSlo,
      settings: { ...reportSettings(pre.config), profile: args.mode === 'vus' ? 'k6 --vus/--duration' : 'open', scenarios: [...scenarios], thresholds: 'sweep --slo' },
      search: { ...args.search, stepDurationSec: args.stepSec, repeat: args.repeat },
    };
    if (stateNote !== '') io.out(`sweep: ${stateNote}`);
    for (const note of pre.notes) io.out(`sweep: ${note}`);
    const limits = Object.entries(streamSlo).map(([k, v]) => `${k}=${v}`).join(' ');
    io.out(
      `sweep: ${args.mode === 'vus' ? 'closed' : 'open'} model, ${args.stepSec} s steps from ${args.search.start} up to ${args.search.max} ${unit}, ` +
        `SLO ${args.slos.map(sloLabel).join(', ')}${limits === '' ? '' : ` (per stream: ${limits})`}, k6 ${pre.k6.version}`,
    );
    const plan = { mode: args.mode, stepSec: args.stepSec, script: args.script, thresholdsPath, streamSlo, scenarios: scenarios.join(',') };
    const chartJs = deps.chartJs();
    const out = await searchSteps(args, pre, { ...deps, env }, { base, sweep: sweepDir }, plan, unit, chartJs);

    const report = buildSweepReport(ctx, out.steps, out.result, out.stopReason, new Date(deps.now()));
    const jsonPath = join(base, `sweep_${stamp}.json`);
    const htmlPath = join(base, `sweep_${stamp}.html`);
    const scrub = (text: string): string => scrubText(text, pre.config.apiKey);
    writeFileSync(jsonPath, scrub(renderSweepJson(report)));
    writeFileSync(htmlPath, scrub(renderSweepHtml(report, chartJs)));
    const bars = renderKneeBars(report);
    io.out('');
    io.out(renderSweepTable(report));
    if (bars !== '') io.out(`\n${bars}`);
    io.out('');
    io.out(report.answer);
    io.out(`\nSweep: ${jsonPath}\n       ${htmlPath}\nSteps: ${sweepDir}/`);
    return exitCode(report, out.stoppedByUser);
  } finally {
    if (pre.mock) {
      await pre.mock.close();
      io.out('sweep: stopped the embedded mock server');
    }
  }
}

runAsMain(import.meta.url, () =>
  runSweep(process.argv.slice(2), {
    env: process.env,
    io: consoleIo,
    preflight: realPreflightDeps,
    now: Date.now,
    runStep,
    chartJs: loadChartJs,
  }),
);
