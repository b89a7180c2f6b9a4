/**
 * Command-line flags of `npm run bench`, `npm run compare` and `npm run calibrate`,
 * parsed with Node's own `util.parseArgs` (no dependency; strict: unknown flags are errors).
 * Each parser returns plain options or throws UsageError naming the bad flag.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { REPORT_FIGURES, type FigureUnit } from '../lib/report-fields.ts';

/** A bad flag or argument: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface BenchArgs {
  /** Seconds between live blocks (and between samples of the HTML time series). */
  readonly intervalSec: number;
  /** No live block (k6's own output and the final block only). */
  readonly quiet: boolean;
  /** k6's web dashboard on, exported into the reports directory. */
  readonly dashboard: boolean;
  /** Keep k6's once-a-second progress lines when the output is not a terminal (default: k6 --quiet there). */
  readonly k6Progress: boolean;
  /** host:port for k6's REST API; '' = a free port on 127.0.0.1. */
  readonly address: string;
  /** k6 script to run. */
  readonly script: string;
  readonly help: boolean;
  /** Everything after `--`, passed to `k6 run` unchanged. */
  readonly k6Args: readonly string[];
  /** Runs of the same configuration (--repeat); figures then reported as median and spread. */
  readonly repeat: number;
  /** Seconds per window of the HTML report's per-window latency charts (from k6's CSV output); 0 = off. */
  readonly windowSec: number;
  /** --model-log: base URL of the mock behind the target, whose `GET /model-log` the time breakdown joins (BREAKDOWN=true); '' = none. */
  readonly modelLog: string;
}

export const DEFAULT_SCRIPT = 'build/sse.js';
const DEFAULT_INTERVAL_SEC = 5;
/** --window: seconds per window of the per-window latency charts (cli/run/latency-windows.ts DEFAULT_WINDOW_SEC). */
const DEFAULT_WINDOW_SEC = 5;

/** Splits argv at the first `--`: ours before, k6's after. */
function splitPassThrough(argv: readonly string[]): { own: string[]; rest: string[] } {
  const i = argv.indexOf('--');
  return i < 0 ? { own: [...argv], rest: [] } : { own: argv.slice(0, i), rest: argv.slice(i + 1) };
}

/** util.parseArgs, strict, positionals allowed; its TypeError (Node's wording) rethrown as UsageError. */
export function parseStrict<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O) {
  try {
    return parseArgs<{ args: string[]; options: O; allowPositionals: true }>({ args, options, allowPositionals: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function positiveNumber(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new UsageError(`${flag}: expected a positive number of seconds, got "${raw}"`);
  }
  return n;
}

/** A whole number ≥ 1 (e.g. --repeat), or `fallback` when the flag is absent. */
export function positiveInteger(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`${flag}: expected a whole number of at least 1, got "${raw}"`);
  return n;
}

const ADDRESS_RE = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const { own, rest } = splitPassThrough(argv);
  const { values, positionals } = parseStrict(own, {
    interval: { type: 'string' },
    quiet: { type: 'boolean', short: 'q' },
    dashboard: { type: 'boolean' },
    'k6-progress': { type: 'boolean' },
    address: { type: 'string' },
    script: { type: 'string' },
    repeat: { type: 'string' },
    window: { type: 'string' },
    'model-log': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument "${positionals[0]}": k6 flags go after "--" (npm run bench -- -- --vus 5)`);
  }
  const modelLog = (values['model-log'] ?? '').replace(/\/+$/, '');
  if (modelLog !== '' && !/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(modelLog)) {
    throw new UsageError(`--model-log: expected the mock's base URL (e.g. http://127.0.0.1:5004), got "${modelLog}"`);
  }
  const address = values.address ?? '';
  if (address !== '' && !ADDRESS_RE.test(address)) {
    throw new UsageError(`--address: expected host:port (e.g. 127.0.0.1:6565), got "${address}"`);
  }
  return {
    intervalSec: positiveNumber('--interval', values.interval, DEFAULT_INTERVAL_SEC),
    quiet: values.quiet ?? false,
    dashboard: values.dashboard ?? false,
    k6Progress: values['k6-progress'] ?? false,
    address,
    script: values.script ?? DEFAULT_SCRIPT,
    help: values.help ?? false,
    k6Args: rest,
    repeat: positiveInteger('--repeat', values.repeat, 1),
    windowSec: values.window === '0' ? 0 : positiveNumber('--window', values.window, DEFAULT_WINDOW_SEC),
    modelLog,
  };
}

export const BENCH_USAGE = `Usage: npm run bench -- [options] [-- <k6 run flags>]

Runs build/sse.js with k6 (+ k6/x/sse) after a preflight, prints live metrics,
then the final results and writes reports/benchmark_<timestamp>.{txt,json,xml,html}.
Settings come from environment variables (BASE_URL, TARGET, API_KEY, PROFILE, ...):
see the README's configuration table. With BASE_URL unset and nothing on 127.0.0.1:5001 the
embedded mock server is started for the run.

Options:
  --interval <s>     seconds between live blocks and time-series samples (default ${DEFAULT_INTERVAL_SEC})
  -q, --quiet        no live block (k6 output and the final block only)
  --dashboard        k6's web dashboard with an SSE tab (http://127.0.0.1:5665), exported to reports/;
                     at the end k6 waits until the dashboard tab is closed
  --k6-progress      keep k6's progress lines when the output is not a terminal (CI logs,
                     > file); by default k6 runs with --quiet there (the live lines report progress)
  --address <h:p>    address of k6's REST API (default: a free port on 127.0.0.1)
  --script <path>    k6 script (default ${DEFAULT_SCRIPT})
  --repeat <n>       run the same configuration n times; every figure then as median and min–max,
                     also written to reports/repeat_<timestamp>.json (default 1)
  --window <s>       seconds per window of the HTML report's TTFE/TTFT/stream-duration percentiles
                     over time, from k6's CSV sample output (default ${DEFAULT_WINDOW_SEC}; 0 = off)
  --model-log <url>  with BREAKDOWN=true: the embedded mock behind the target (started with
                     --model-log on, on this machine); its GET /model-log is joined with k6's
                     per-stream lines into the time breakdown (default: the mock bench started)
  -h, --help         this text
  -- <flags>         everything after -- goes to "k6 run" (e.g. -- --vus 5 --duration 30s)

Exit code: k6's (0 ok, 99 a threshold failed), 2 when the preflight fails.
Environment: K6_BIN (k6 binary, else k6 on PATH).`;

export interface CompareArgs {
  readonly baseline: string;
  readonly candidate: string;
  /** Fraction (0.1 for "10%"), or null when not given. */
  readonly maxRegression: number | null;
  /** --noise: relative noise floor for every figure (fraction), or null for each figure's own. */
  readonly noiseRelative: number | null;
  /** --noise-abs KEY=VALUE: absolute noise floors by figure key or unit. */
  readonly noiseAbsolute: Readonly<Record<string, number>>;
  readonly help: boolean;
}

const NOISE_UNITS: readonly FigureUnit[] = ['ms', '/s', 'fraction', 'count', 'bytes', 'tokens/s'];

/** `--noise-abs ttfeP95Ms=5` / `--noise-abs ms=3`: a figure key or a unit, and a number ≥ 0 in its unit. */
function parseNoiseAbs(raws: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  const keys = REPORT_FIGURES.map((f) => f.key);
  for (const raw of raws) {
    const m = /^\s*([^=\s]+)\s*=\s*(\d+(?:\.\d+)?)\s*$/.exec(raw);
    const [, key = '', value = ''] = m ?? [];
    if (!m || !(keys.includes(key) || (NOISE_UNITS as readonly string[]).includes(key))) {
      throw new UsageError(
        `--noise-abs: expected <figure or unit>=<number ≥ 0>, e.g. ttfeP95Ms=5 or ms=3, got "${raw}"; units: ${NOISE_UNITS.join(', ')}; figures: the keys of the JSON report's figures (docs/reports.md)`,
      );
    }
    out[key] = Number(value);
  }
  return out;
}

/** "10%", "10" and "0.5%" are percentages; returns a fraction. */
export function parsePercent(flag: string, raw: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(raw);
  if (!m || m[1] === undefined) throw new UsageError(`${flag}: expected a percentage such as 10%, got "${raw}"`);
  return Number(m[1]) / 100;
}

export function parseCompareArgs(argv: readonly string[]): CompareArgs {
  const { values, positionals } = parseStrict([...argv], {
    'max-regression': { type: 'string' },
    noise: { type: 'string' },
    'noise-abs': { type: 'string', multiple: true },
    help: { type: 'boolean', short: 'h' },
  });
  const help = values.help ?? false;
  const raw = values['max-regression'];
  const maxRegression = raw === undefined ? null : parsePercent('--max-regression', raw);
  const noiseRelative = values.noise === undefined ? null : parsePercent('--noise', values.noise);
  const noiseAbsolute = parseNoiseAbs(values['noise-abs'] ?? []);
  const common = { maxRegression, noiseRelative, noiseAbsolute, help };
  if (help) return { baseline: '', candidate: '', ...common };
  if (positionals.length !== 2) {
    throw new UsageError(`expected two report files (baseline and candidate), got ${positionals.length}`);
  }
  return { baseline: positionals[0] ?? '', candidate: positionals[1] ?? '', ...common };
}

export const COMPARE_USAGE = `Usage: npm run compare -- [--max-regression 10%] [--noise 5%] [--noise-abs ms=2] BASELINE.json CANDIDATE.json

Each file is a JSON report (reports/benchmark_*.json) or a repeat summary (reports/repeat_*.json of
npm run bench -- --repeat N). Two summaries: each figure's difference B − A (Hodges–Lehmann) with an
exact rank interval, "no significant difference" when the interval holds 0. Otherwise (one run
on a side) it prints the key figures of the two runs (a summary: the medians) side by side
with deltas; "✗ worse" marks a figure that moved in its bad direction, "✓ better" the other way,
but only beyond the figure's noise floor: a change must exceed both its relative and its absolute
bound (defaults: latencies 5 % and 2 ms, rates 5 % and 0.05/s, tokens/s 5 % and 0.5, success
rate 0.1 percentage point, counts any change; per figure in docs/reports.md).

Options:
  --max-regression <p>  exit 1 when a key figure (rate, latency, success rate) is worse than the baseline by more than p (e.g. 10%), beyond its noise floor
                        (two summaries: significantly worse, and its estimated change more than p)
  --noise <p>           relative noise floor for every figure (e.g. 2%, 0 = none)
  --noise-abs <k>=<v>   absolute noise floor in the figure's unit, for a figure (ttfeP95Ms=5) or a unit
                        (ms, /s, fraction, count, bytes, tokens/s); repeatable
  -h, --help            this text

Exit code: 0, 1 when --max-regression is exceeded, 2 for a bad flag or an unreadable report.`;

export interface CalibrateArgs {
  /** Seconds per load step. */
  readonly stepSec: number;
  /** Virtual users per step, ascending. */
  readonly steps: readonly number[];
  /** TTFE the mock is told to produce (ms). */
  readonly ttfeMs: number;
  /** Largest accepted measurement error (ms). */
  readonly toleranceMs: number;
  readonly help: boolean;
}

export const DEFAULT_CALIBRATION_STEPS = [10, 25, 50, 100, 200, 400, 800] as const;

export function parseCalibrateArgs(argv: readonly string[]): CalibrateArgs {
  const { values, positionals } = parseStrict([...argv], {
    'step-duration': { type: 'string' },
    steps: { type: 'string' },
    'ttfe-ms': { type: 'string' },
    'tolerance-ms': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  let steps: number[] = [...DEFAULT_CALIBRATION_STEPS];
  if (values.steps !== undefined) {
    steps = values.steps.split(',').map((s) => Number(s.trim()));
    if (steps.length === 0 || steps.some((n) => !Number.isInteger(n) || n <= 0)) {
      throw new UsageError(`--steps: expected ascending positive integers such as 10,50,100, got "${values.steps}"`);
    }
    if (steps.some((n, i) => i > 0 && n <= (steps[i - 1] ?? 0))) {
      throw new UsageError(`--steps: values must ascend, got "${values.steps}"`);
    }
  }
  return {
    stepSec: positiveNumber('--step-duration', values['step-duration'], 10),
    steps,
    ttfeMs: positiveNumber('--ttfe-ms', values['ttfe-ms'], 100),
    toleranceMs: positiveNumber('--tolerance-ms', values['tolerance-ms'], 5),
    help: values.help ?? false,
  };
}

export const CALIBRATE_USAGE = `Usage: npm run calibrate -- [--steps 10,25,50,...] [--step-duration 10] [--ttfe-ms 100] [--tolerance-ms 5]

Runs a short ramp of k6 against the embedded mock server, which answers with a known
time to first event. The lightest step measures this machine's baseline error (TTFE p95
minus the true TTFE); the ramp stops where the error grows beyond baseline + tolerance.
Reports both: the baseline, and the highest load measured within it — trust heavier runs
on this machine less.

Needs k6 with k6/x/sse (exit 2 with the fix when missing).`;
