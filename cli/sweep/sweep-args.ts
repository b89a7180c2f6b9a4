/**
 * Flags of `npm run sweep` (util.parseArgs, strict) and its usage text. The SLO expressions
 * are parsed by cli/sweep/sweep-slo.ts; the search bounds are checked by cli/sweep/sweep-search.ts.
 */
import { parseGoDuration } from '../../lib/duration.ts';
import { DEFAULT_SCRIPT, parsePercent, parseStrict, positiveInteger, UsageError } from '../args.ts';
import { GROWTH_FACTOR, settingsProblem, type SearchSettings } from './sweep-search.ts';
import { resolveSlos, type Slo } from './sweep-slo.ts';

export const SWEEP_MODES = ['vus', 'rate'] as const;
export type SweepMode = (typeof SWEEP_MODES)[number];

export interface SweepArgs {
  /** `vus`: closed model (concurrent streams); `rate`: open model (iterations started per second). */
  readonly mode: SweepMode;
  readonly slos: readonly Slo[];
  readonly search: SearchSettings;
  /** Length of one step's load, in seconds (k6 --duration / DURATION). */
  readonly stepSec: number;
  /** k6 runs per step; the step's figures are their medians. */
  readonly repeat: number;
  readonly script: string;
  readonly help: boolean;
}

/** Defaults per mode: closed from 10 VUs up to 1,000; open from 5 up to 500 iterations/s. */
export const SWEEP_DEFAULTS: Readonly<Record<SweepMode, { readonly start: number; readonly max: number }>> = {
  vus: { start: 10, max: 1000 },
  rate: { start: 5, max: 500 },
};
const DEFAULT_STEP = '20s';
const DEFAULT_PRECISION = '10%';
/** k6 rejects scenario durations under 1 s. */
const MIN_STEP_MS = 1000;

/** `20s`, `1m30s` or plain seconds (`20`), whole seconds of at least 1. */
export function parseStepDuration(raw: string): number {
  const ms = /^\s*\d+(\.\d+)?\s*$/.test(raw) ? Number(raw) * 1000 : parseGoDuration(raw.trim());
  if (ms === undefined || !(ms >= MIN_STEP_MS) || ms % 1000 !== 0) {
    throw new UsageError(`--step-duration: expected whole seconds of at least 1 s as a Go duration or a number of seconds (20s, 1m30s, 45), got "${raw}"`);
  }
  return ms / 1000;
}

export function parseSweepArgs(argv: readonly string[]): SweepArgs {
  const { values, positionals } = parseStrict([...argv], {
    mode: { type: 'string' },
    slo: { type: 'string', multiple: true },
    start: { type: 'string' },
    max: { type: 'string' },
    'step-duration': { type: 'string' },
    precision: { type: 'string' },
    repeat: { type: 'string' },
    script: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"; every setting is a flag (npm run sweep -- --help)`);
  const mode = values.mode ?? 'vus';
  if (!(SWEEP_MODES as readonly string[]).includes(mode)) throw new UsageError(`--mode: expected vus (closed model) or rate (open model), got "${mode}"`);
  const m = mode as SweepMode;
  const start = positiveInteger('--start', values.start, SWEEP_DEFAULTS[m].start);
  const search: SearchSettings = {
    start,
    max: positiveInteger('--max', values.max, Math.max(SWEEP_DEFAULTS[m].max, start)),
    precision: parsePercent('--precision', values.precision ?? DEFAULT_PRECISION),
    factor: GROWTH_FACTOR,
  };
  const problem = settingsProblem(search);
  if (problem !== null) throw new UsageError(problem);
  return {
    mode: m,
    slos: resolveSlos(values.slo ?? []),
    search,
    stepSec: parseStepDuration(values['step-duration'] ?? DEFAULT_STEP),
    repeat: positiveInteger('--repeat', values.repeat, 1),
    script: values.script ?? DEFAULT_SCRIPT,
    help: values.help ?? false,
  };
}

export const SWEEP_USAGE = `Usage: npm run sweep -- [--mode vus|rate] [--slo EXPR]... [--start N] [--max N]
                        [--step-duration 20s] [--precision 10%] [--repeat N] [--script PATH]

Finds the most load the target sustains within an SLO: one k6 run per step, growing the
load geometrically (×${GROWTH_FACTOR}) from --start until a step fails an SLO (or --max), then bisecting
between the last passing and the first failing step until they are within --precision.
A step on which the generator (k6) ran out of CPU ends the search: that limit is the
generator's, not the server's (run distributed: docs/distributed.md).
Same environment as npm run bench (BASE_URL, TARGET, API_KEY, SCENARIOS, ...; the embedded
mock when BASE_URL is unset) and the same preflight.

Options:
  --mode <m>            vus: closed model, steps of concurrent streams (k6 --vus, stream scenario);
                        rate: open model, iterations started per second (PROFILE=open, RATE;
                        dropped iterations fail the step). Default vus
  --slo <expr>          an SLO as <metric>:<threshold expression>, repeatable, e.g.
                        --slo 'sse_ttfe:p(95)<500' --slo 'sse_stream_success:rate>0.99'
                        (default: the thresholds of thresholds/default.json). Upper bounds on
                        sse_ttfe, sse_ttft, llm_time_per_output_token also set SLO_TTFE,
                        SLO_TTFT, SLO_TPOT for the goodput figures
  --start <n>           first load (default ${SWEEP_DEFAULTS.vus.start} VUs, or ${SWEEP_DEFAULTS.rate.start}/s with --mode rate)
  --max <n>             highest load (default ${SWEEP_DEFAULTS.vus.max} VUs, or ${SWEEP_DEFAULTS.rate.max}/s)
  --step-duration <d>   load time of each step (default ${DEFAULT_STEP}; whole seconds)
  --precision <p>       stop bisecting when the gap is at most p of the passing load (default ${DEFAULT_PRECISION})
  --repeat <n>          k6 runs per step; figures are their medians, a step passes when most runs pass
  --script <path>       k6 script (default ${DEFAULT_SCRIPT})
  -h, --help            this text

Writes a table per step and the answer to stdout, each step's reports into
<REPORTS_DIR>/sweep_<timestamp>/, and <REPORTS_DIR>/sweep_<timestamp>.json and .html.
Ctrl-C stops after the step in progress and writes what is known.
Exit code: 0 an answer was found, 1 none (the first step failed the SLO, or the generator
saturated before any step passed), 2 a bad flag or a failed preflight, 130 interrupted.`;
