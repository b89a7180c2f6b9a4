/**
 * `npm run bench`: preflight, then `k6 run build/sse.js` with the live block every
 * --interval seconds (from k6's REST API), then the final block and the HTML report
 * (`--repeat N`: N such runs, then every figure's median and spread, cli/bench/bench-repeat.ts).
 * k6's log lines pass through; the failure reasons among them go into the reports.
 * The exit code is k6's (99 when a threshold failed), 2 for a failed preflight or bad flag.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reportStamp } from '../../lib/report/report-names.ts';
import { BENCH_USAGE, parseBenchArgs, UsageError, type BenchArgs } from '../args.ts';
import { locateK6 } from '../run/k6-locate.ts';
import { renderLiveBlock, renderLiveLine } from '../run/live-block.ts';
import { freeAddress, generatorVerdict, runK6 } from '../run/k6-run.ts';
import { consoleIo, type Io, runAsMain } from '../main-guard.ts';
import { EXIT_PREFLIGHT, formatPreflightError, preflight, PreflightError, type PreflightDeps } from '../preflight/preflight.ts';
import { finishReports, listJsonReports, newJsonReport, renderFinalBlock } from '../run/run-reports.ts';
import { loadChartJs } from '../run/html-report.ts';
import { csvSampleOutput, readCsvSamples } from '../run/k6-samples.ts';
import { type LatencyWindows, WindowCollector } from '../run/latency-windows.ts';
import { type RepeatedRun, runRepeated } from './bench-repeat.ts';
import { difyStateEnv } from '../dify-state-env.ts';
import { FailureCollector } from './failure-collector.ts';
import { BreakdownCollector, collectBreakdown } from './breakdown-collector.ts';
import type { Breakdown } from '../../lib/report/breakdown.ts';
import { dashboardStartNote, END_OF_TEST_NOTE, fetchRunStatus, watchRunEnd, webDashboardRun } from './web-dashboard-run.ts';

export const realPreflightDeps: PreflightDeps = {
  locateK6,
  fileExists: existsSync,
  startMock: async (host, port, options) => {
    const { startMockServer } = await import('../../mock/server.ts');
    const { resolveCliOptions } = await import('../../mock/options.ts');
    // The mock's own MOCK_* variables apply (e.g. MOCK_PREFILL_MS_PER_1K_CHARS=200 for TTFT that grows with a conversation); a bad one fails the start.
    // BREAKDOWN=true against the embedded mock itself: it keeps the model log the breakdown joins.
    return startMockServer({ ...resolveCliOptions({}, process.env), host, port, ...(options.modelLog ? { modelLog: 'on' as const } : {}) });
  },
};

export interface BenchDeps {
  readonly env: NodeJS.ProcessEnv;
  readonly io: Io;
  readonly isTTY: boolean;
  readonly preflight: PreflightDeps;
  readonly now: () => number;
}

/** Whether the k6 flags turn TLS verification off (`--insecure-skip-tls-verify`, `=true`): the probe request does the same. */
export function k6SkipsTlsVerify(k6Args: readonly string[]): boolean {
  return k6Args.some((a) => a === '--insecure-skip-tls-verify' || /^--insecure-skip-tls-verify=(true|1)$/i.test(a));
}

/**
 * Whether k6 runs with `--quiet` (no progress lines): when the output is not a terminal —
 * k6 would print a progress line every second into a CI log or a file, while the live lines
 * already report progress — unless --k6-progress asks for them or the k6 flags say -q already.
 */
export function quietK6(args: BenchArgs, isTTY: boolean): boolean {
  return !isTTY && !args.k6Progress && !args.k6Args.some((a) => a === '-q' || a === '--quiet' || a.startsWith('--quiet='));
}

/**
 * The `k6 run` command line: our REST address, no usage report, --quiet off a terminal
 * (quietK6), our outputs (the CSV sample stream of the latency windows), the user's flags, the script.
 */
export function k6RunArgs(args: BenchArgs, address: string, isTTY = true, outputs: readonly string[] = []): string[] {
  return ['run', '--no-usage-report', ...(quietK6(args, isTTY) ? ['--quiet'] : []), '--address', address, ...outputs, ...args.k6Args, args.script];
}

/** Where a run's CSV sample stream goes (a temporary directory, removed after the run), or null with --window 0. */
function sampleFile(windowSec: number): { readonly dir: string; readonly path: string } | null {
  if (windowSec === 0) return null;
  const dir = mkdtempSync(join(tmpdir(), 'sse-bench-samples-'));
  return { dir, path: join(dir, 'samples.csv') };
}

/** The run's latency windows from its sample file; null (with a note) when k6 wrote none. */
async function latencyWindows(file: { readonly path: string }, startMs: number, windowSec: number, note: (line: string) => void): Promise<LatencyWindows | null> {
  const collector = new WindowCollector(startMs, windowSec);
  try {
    await readCsvSamples(file.path, collector);
  } catch (err) {
    note(`bench: no per-window latency (k6's CSV sample output ${file.path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    return null;
  }
  return collector.result();
}

/**
 * On a terminal k6 parks the cursor on its progress bars and redraws them below whatever is
 * printed next: erase each line before writing, so no tail of a bar shows through the block.
 */
function overwriteLines(block: string): string {
  return `${block.split('\n').map((l) => `\x1b[2K${l}`).join('\n')}\n`;
}

export async function runBench(argv: readonly string[], deps: BenchDeps): Promise<number> {
  const { io } = deps;
  let args: BenchArgs;
  try {
    args = parseBenchArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`bench: ${err.message}\n(npm run bench -- --help for usage)`);
    return EXIT_PREFLIGHT;
  }
  if (args.help) {
    io.out(BENCH_USAGE);
    return 0;
  }

  let pre;
  let picked;
  try {
    picked = difyStateEnv(deps.env); // npm run setup:dify's key and URL when API_KEY is unset
    pre = await preflight(picked.env, args.script, deps.preflight, { insecureSkipTlsVerify: k6SkipsTlsVerify(args.k6Args) });
  } catch (err) {
    if (!(err instanceof PreflightError)) throw err;
    io.err(formatPreflightError(err));
    return EXIT_PREFLIGHT;
  }

  try {
    const reportsDir = pre.config.reportsDir;
    const dir = reportsDir === '' ? '.' : reportsDir;
    mkdirSync(dir, { recursive: true }); // k6 does not create it
    if (picked.note !== '') io.out(`bench: ${picked.note}`);
    for (const note of pre.notes) io.out(`bench: ${note}`);
    const runOnce = async (): Promise<RepeatedRun> => {
      const before = listJsonReports(dir);
      const address = args.address !== '' ? args.address : await freeAddress();
      const dash = args.dashboard ? webDashboardRun(reportsDir, reportStamp(new Date(deps.now())), deps.env) : null;
      io.out(`bench: k6 ${pre.k6.version} (${pre.k6.bin}), live metrics from http://${address}/v1/metrics every ${args.intervalSec} s`);
      if (dash) io.out(dashboardStartNote(dash));

      const failures = new FailureCollector(pre.config.apiKey);
      const samples = sampleFile(args.windowSec);
      const samplesOut = samples ? csvSampleOutput(samples.path) : null;
      const startMs = deps.now();
      const breakdownLines = new BreakdownCollector();
      const ended = dash
        ? watchRunEnd({ intervalMs: 1000, fetchStatus: () => fetchRunStatus(address), onEnded: () => io.out(deps.isTTY ? overwriteLines(END_OF_TEST_NOTE) : END_OF_TEST_NOTE) })
        : null;
      const run = await runK6({
        bin: pre.k6.bin,
        args: k6RunArgs(args, address, deps.isTTY, samplesOut?.args),
        env: { ...picked.env, ...pre.env, ...(dash?.env ?? {}), ...(samplesOut?.env ?? {}) },
        address,
        intervalMs: args.intervalSec * 1000,
        now: deps.now,
        onFigures: (f) => {
          if (!args.quiet) io.out(deps.isTTY ? overwriteLines(renderLiveBlock(f)) : renderLiveLine(f));
        },
        inheritOutput: deps.isTTY,
        stdout: (line) => {
          io.out(line);
          failures.line(line);
          breakdownLines.line(line);
        },
        stderr: (line) => {
          // k6's log, over the progress bar it parks the cursor on; the breakdown's per-stream lines stay out of it.
          if (!breakdownLines.line(line)) io.err(deps.isTTY ? `\x1b[2K${line}` : line);
          failures.line(line);
        },
      }).finally(() => ended?.stop());
      const { code, poller } = run;
      let windows: LatencyWindows | null = null;
      if (samples) {
        windows = await latencyWindows(samples, startMs, args.windowSec, io.err);
        rmSync(samples.dir, { recursive: true, force: true });
      }
      const gen = generatorVerdict(run);
      const jsonPath = newJsonReport(dir, before);
      if (jsonPath === '') {
        io.err(`bench: k6 wrote no JSON report into ${dir} (k6 exit code ${code}); no HTML report`);
        return { code, report: null, jsonPath };
      }
      let breakdown: Breakdown | undefined;
      if (pre.config.breakdown === true) {
        const base = args.modelLog !== '' ? args.modelLog : (pre.mock?.url ?? '');
        if (base === '') io.err('bench: BREAKDOWN=true but no model log to join: pass --model-log <URL of the mock behind the target>');
        else {
          try {
            breakdown = await collectBreakdown(breakdownLines.streams, base);
          } catch (err) {
            io.err(`bench: no time breakdown: ${(err as Error).message}`);
          }
        }
      }
      try {
        const done = finishReports(jsonPath, poller.series, args.intervalSec, gen, loadChartJs(), failures.reasons, windows, breakdown);
        const exportPath = dash && existsSync(dash.exportPath) ? dash.exportPath : '';
        io.out('');
        io.out(renderFinalBlock(done.report, gen, done.files, exportPath));
        return { code, report: done.report, jsonPath };
      } catch (err) {
        io.err(`bench: could not finish the reports from ${jsonPath}: ${(err as Error).message}`);
        return { code, report: null, jsonPath };
      }
    };
    if (args.repeat === 1) return (await runOnce()).code;
    return await runRepeated(args.repeat, runOnce, dir, io, deps.now);
  } finally {
    if (pre.mock) {
      await pre.mock.close();
      io.out('bench: stopped the embedded mock server');
    }
  }
}

runAsMain(import.meta.url, () =>
  runBench(process.argv.slice(2), {
    env: process.env,
    io: consoleIo,
    isTTY: process.stdout.isTTY === true,
    preflight: realPreflightDeps,
    now: Date.now,
  }),
);
