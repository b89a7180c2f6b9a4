/**
 * The capacity sweep's results: each step (its load, the report figures of its k6 run(s),
 * the verdict of each SLO, generator CPU), the answer (`maxSustainable`), the per-step table
 * and the answer line printed by `npm run sweep`, and the JSON file
 * `<REPORTS_DIR>/sweep_YYYYMMDD_HHMMSS.json` (schema `sse-bench/sweep@1`) with its strict
 * reader. Paths inside the JSON are relative to the directory the JSON is in. Pure.
 */
import { METRIC_LIST } from '../../lib/metric-defs.ts';
import type { ReportSettings } from '../../lib/report/redact.ts';
import { FIGURE_KEYS, figureDef, formatFigure, type Figures } from '../../lib/report-fields.ts';
import type { ReportJson } from '../../lib/report/report-json.ts';
import { isRecord, parseMetricKey } from '../../lib/report/summary-data.ts';
import { parseThresholdExpression } from '../../lib/init/thresholds.ts';
import { cpuShareText } from '../run/cpu-watch.ts';
import { figureSpreads, median, medians } from '../figure-spread.ts';
import type { SweepMode } from './sweep-args.ts';
import { conclude, type LimitedBy, type SearchResult, type StepOutcome } from './sweep-search.ts';
import { checkDropped, checkSlos, sloLabel, type Slo, type SloCheck } from './sweep-slo.ts';
import { alignTable } from '../text-table.ts';

export const SWEEP_SCHEMA = 'sse-bench/sweep@1';

/** One k6 run of a step, as the sweep saw it. */
export interface StepRun {
  readonly code: number;
  /** The run's JSON report; null when k6 wrote none. */
  readonly report: ReportJson | null;
  /** Where that report is (relative to the sweep's JSON); '' when none. */
  readonly reportPath: string;
  readonly saturated: boolean;
  /** Peak CPU share of the available cores; null when not measured. */
  readonly cpuPeakShare: number | null;
  readonly cores: number;
  /** Stopped by the step's time bound. */
  readonly timedOut: boolean;
  /** Ctrl-C came during the run: its figures cover part of the step only. */
  readonly interrupted: boolean;
}

export interface SweepStep {
  /** 1-based, in the order the steps ran. */
  readonly index: number;
  /** VUs (closed model) or iterations started per second (open model). */
  readonly load: number;
  /** Runs that wrote a report (more than one with --repeat). */
  readonly runs: number;
  /** The report figures (lib/report-fields.ts); with --repeat, the medians of the runs. */
  readonly figures: Figures;
  /** With --repeat: each figure's lowest and highest value over the runs. */
  readonly spread?: { readonly min: Figures; readonly max: Figures };
  /** Each SLO's verdict (open model: plus dropped_iterations count==0). */
  readonly checks: readonly SloCheck[];
  /** Every check held (with --repeat: in more than half of the runs). */
  readonly pass: boolean;
  readonly generatorSaturated: boolean;
  readonly cpuPeakShare: number | null;
  readonly cores: number;
  readonly interrupted: boolean;
  readonly timedOut: boolean;
  readonly k6ExitCodes: readonly number[];
  /** The step's report directory and its JSON reports, relative to the sweep's JSON. */
  readonly reportDir: string;
  readonly reports: readonly string[];
  /**
   * TURNS > 1: TTFT p50 (ms) per `turn` tag value (`1`, `2`, `3`, `4+`), from the reports' workload
   * section (lib/report/workload-report.ts); with --repeat, the median of the runs. Absent otherwise.
   */
  readonly ttftByTurn?: readonly { readonly turn: string; readonly ttftMedMs: number | null }[];
}

export type MaxSustainable = ({ readonly vus: number | null } | { readonly rate: number | null }) & {
  /** Streams per second achieved at that load (`connectionRate`). */
  readonly streamsPerSecond: number | null;
  /** Streams per second that met the per-stream SLO there (`goodputPerSecond`). */
  readonly goodputPerSecond: number | null;
  readonly limitedBy: LimitedBy;
};

export interface SweepReport {
  readonly schema: typeof SWEEP_SCHEMA;
  readonly generatedAt: string;
  readonly mode: SweepMode;
  /** What `load` counts: `VUs`, or `streams/s` (open model, stream scenario only) / `iterations/s`. */
  readonly loadUnit: string;
  readonly slo: readonly Slo[];
  /** SLO_TTFE / SLO_TTFT / SLO_TPOT given to every step (the per-stream limits of `sse_goodput`). */
  readonly streamSlo: Readonly<Record<string, string>>;
  readonly settings: ReportSettings;
  readonly search: {
    readonly start: number;
    readonly max: number;
    readonly precision: number;
    readonly factor: number;
    readonly stepDurationSec: number;
    readonly repeat: number;
  };
  readonly steps: readonly SweepStep[];
  readonly maxSustainable: MaxSustainable;
  /** First load on which the generator saturated; null when it never did. */
  readonly saturatedAt: number | null;
  /** The answer in words, as printed. */
  readonly answer: string;
  /** The sweep stopped early (Ctrl-C, or a step without a report): `answer` says why. */
  readonly interrupted: boolean;
}

/** The load unit of a sweep: VUs; streams/s for an open sweep of the stream scenario only; else iterations/s. */
export function loadUnitOf(mode: SweepMode, scenarios: readonly string[]): string {
  if (mode === 'vus') return 'VUs';
  return scenarios.length === 1 && scenarios[0] === 'stream' ? 'streams/s' : 'iterations/s';
}

function majority(flags: readonly boolean[]): boolean {
  return flags.length > 0 && flags.filter(Boolean).length * 2 > flags.length;
}

/** One check over the runs: held in most of them, observed value the median. */
function combineChecks(perRun: readonly (readonly SloCheck[])[]): SloCheck[] {
  const first = perRun[0] ?? [];
  return first.map((c, i) => {
    const all = perRun.map((checks) => checks[i] as SloCheck); // every run checks the same list
    const observed = median(all.flatMap((x) => (x.observed === null ? [] : [x.observed])));
    const note = all.find((x) => x.note !== undefined)?.note;
    return { metric: c.metric, expression: c.expression, ok: majority(all.map((x) => x.ok)), observed, ...(note === undefined ? {} : { note }) };
  });
}

const noFigures = (): Figures => Object.fromEntries(FIGURE_KEYS.map((k) => [k, null])) as Figures;

/** A step from its k6 run(s). */
export function combineRuns(index: number, load: number, mode: SweepMode, slos: readonly Slo[], runs: readonly StepRun[], reportDir: string): SweepStep {
  const withReport = runs.filter((r): r is StepRun & { report: ReportJson } => r.report !== null);
  const perRun = withReport.map((r) => [...checkSlos(slos, r.report), ...(mode === 'rate' ? [checkDropped(r.report)] : [])]);
  const spreads = figureSpreads(withReport.map((r) => r.report.figures));
  const peaks = runs.flatMap((r) => (r.cpuPeakShare === null ? [] : [r.cpuPeakShare]));
  const pick = (side: 'min' | 'max'): Figures => Object.fromEntries(FIGURE_KEYS.map((k) => [k, spreads[k][side]])) as Figures;
  return {
    index,
    load,
    runs: withReport.length,
    figures: withReport.length === 0 ? noFigures() : medians(spreads),
    ...(withReport.length > 1 ? { spread: { min: pick('min'), max: pick('max') } } : {}),
    checks: combineChecks(perRun),
    pass: majority(perRun.map((checks) => checks.every((c) => c.ok))),
    generatorSaturated: runs.some((r) => r.saturated || r.report?.generatorSaturated === true),
    cpuPeakShare: peaks.length === 0 ? null : Math.max(...peaks),
    cores: runs[0]?.cores ?? 0,
    interrupted: runs.some((r) => r.interrupted),
    timedOut: runs.some((r) => r.timedOut),
    k6ExitCodes: runs.map((r) => r.code),
    reportDir,
    reports: withReport.map((r) => r.reportPath),
    ...ttftByTurnOf(withReport.map((r) => r.report)),
  };
}

/** TTFT p50 by turn over a step's runs (the median per turn); nothing when no run had conversations. */
function ttftByTurnOf(reports: readonly ReportJson[]): { ttftByTurn?: SweepStep['ttftByTurn'] } {
  const turns = reports[0]?.workload?.byTurn.map((t) => t.turn) ?? [];
  if (turns.length === 0) return {};
  return {
    ttftByTurn: turns.map((turn) => ({
      turn,
      ttftMedMs: median(reports.flatMap((r) => r.workload?.byTurn.filter((t) => t.turn === turn && t.ttftMed !== null).map((t) => t.ttftMed as number) ?? [])),
    })),
  };
}

/** The steps the search may use: finished ones (an interrupted step covers part of its load only). */
export function searchOutcomes(steps: readonly SweepStep[]): StepOutcome[] {
  return steps.filter((s) => !s.interrupted && s.runs > 0).map((s) => ({ load: s.load, pass: s.pass, saturated: s.generatorSaturated }));
}

const num = (v: number | null, digits: number): string => (v === null ? 'n/a' : v.toFixed(digits));

function loadText(load: number, unit: string): string {
  return unit === 'VUs' ? `${load} VUs` : `${load} ${unit}`;
}

/** The step at a load (the last one run there). */
function stepAt(steps: readonly SweepStep[], load: number | null): SweepStep | undefined {
  return load === null ? undefined : steps.filter((s) => s.load === load && !s.interrupted).at(-1);
}

/** How a failing check reads: `sse_ttfe p(95)<200: 1.84 s`. */
function failureText(c: SloCheck): string {
  return `${sloLabel(c)}: ${c.note ?? observedText(c.metric, c.observed)}`;
}

const TIME_METRICS = new Set(METRIC_LIST.filter((m) => m.isTime).map((m) => m.name));

/** An SLO's observed value: a time metric in ms (`48 ms`, `1.84 s`), others as numbers. */
export function observedText(metric: string, v: number | null): string {
  if (v === null) return 'n/a';
  if (TIME_METRICS.has(parseMetricKey(metric).metric)) return formatFigure(figureDef('ttfeP95Ms'), v);
  return String(Number(v.toFixed(4)));
}

/** The answer line: `max sustainable: 42 VUs (20.1 streams/s)`, or why there is none. */
export function answerText(r: Pick<SweepReport, 'steps' | 'loadUnit'>, result: SearchResult, stopReason: string): string {
  const unit = r.loadUnit;
  const best = stepAt(r.steps, result.best);
  const rate = (s: SweepStep | undefined): string => {
    const v = s?.figures.connectionRate ?? null;
    return v === null ? '' : unit === 'VUs' ? ` (${v.toFixed(1)} streams/s)` : ` (achieved ${v.toFixed(1)} streams/s)`;
  };
  const held = best ? `${loadText(best.load, unit)}${rate(best)}` : '';
  switch (result.limitedBy) {
    case 'slo': {
      if (!best) {
        const first = r.steps.find((s) => !s.interrupted);
        const failed = first?.checks.filter((c) => !c.ok).map(failureText).join('; ') ?? '';
        return `not found: the first step (${loadText(first?.load ?? 0, unit)}) already failed the SLO (${failed}); lower --start`;
      }
      return `max sustainable: ${held}`;
    }
    case 'max':
      return `max sustainable: at least ${held} — every step up to --max passed; raise --max to find the limit`;
    case 'generator': {
      const sat = stepAt(r.steps, result.saturatedAt);
      const cpu = sat?.cpuPeakShare === null || sat === undefined ? '' : ` (CPU peak ${cpuShareText(sat.cpuPeakShare, sat.cores)})`;
      const before = best ? `; up to ${held} the target met the SLO` : '';
      return (
        `not found: the generator saturated at ${loadText(result.saturatedAt ?? 0, unit)}${cpu}${before}. ` +
        "This limit is the generator's, not the server's: run the sweep from several generators (docs/distributed.md)"
      );
    }
    case 'interrupted':
      return `${stopReason}: ${best ? `best so far ${held} within the SLO` : 'no step passed so far'}`;
  }
}

/** The maxSustainable object of the JSON. */
export function maxSustainableOf(mode: SweepMode, steps: readonly SweepStep[], result: SearchResult): MaxSustainable {
  const best = stepAt(steps, result.best);
  const common = { streamsPerSecond: best?.figures.connectionRate ?? null, goodputPerSecond: best?.figures.goodputPerSecond ?? null, limitedBy: result.limitedBy };
  return mode === 'vus' ? { vus: result.best, ...common } : { rate: result.best, ...common };
}

export interface SweepContext {
  readonly mode: SweepMode;
  readonly loadUnit: string;
  readonly slo: readonly Slo[];
  readonly streamSlo: Readonly<Record<string, string>>;
  readonly settings: ReportSettings;
  readonly search: SweepReport['search'];
}

/**
 * The sweep's report. `result` is the search's ending; `stopReason` words an early stop
 * (`interrupted (Ctrl-C)`), used when result.limitedBy is `interrupted`.
 */
export function buildSweepReport(ctx: SweepContext, steps: readonly SweepStep[], result: SearchResult, stopReason: string, at: Date): SweepReport {
  return {
    schema: SWEEP_SCHEMA,
    generatedAt: at.toISOString(),
    ...ctx,
    steps,
    maxSustainable: maxSustainableOf(ctx.mode, steps, result),
    saturatedAt: result.saturatedAt,
    answer: answerText({ steps, loadUnit: ctx.loadUnit }, result, stopReason),
    interrupted: result.limitedBy === 'interrupted',
  };
}

/** The answer of a sweep that stopped early, from the steps it has. */
export function interruptedResult(steps: readonly SweepStep[]): SearchResult {
  return conclude(searchOutcomes(steps), 'interrupted');
}

export function renderSweepJson(r: SweepReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

// ---- The table ----

/** `12.3/s (93%)`: goodput per second and as a share of streams. */
function goodputText(f: Figures): string {
  if (f.goodputPerSecond === null) return 'n/a';
  return `${f.goodputPerSecond.toFixed(1)}/s${f.goodputRate === null ? '' : ` (${(f.goodputRate * 100).toFixed(0)}%)`}`;
}

function verdictText(s: SweepStep): string {
  if (s.interrupted) return 'interrupted';
  if (s.runs === 0) return 'no report';
  const v = s.pass ? 'pass' : 'FAIL';
  return s.generatorSaturated ? `${v}, generator saturated` : v;
}

const ms = (v: number | null): string => (v === null ? 'n/a' : formatFigure(figureDef('ttfeP95Ms'), v));

/** What each step checked: its SLOs (open model: plus dropped iterations), from a step that has a report. */
export function checkedSlos(r: Pick<SweepReport, 'steps' | 'slo'>): readonly Slo[] {
  return r.steps.find((s) => s.checks.length > 0)?.checks ?? r.slo;
}

/** The per-step table, in load order (steps run in search order). */
export function renderSweepTable(r: Pick<SweepReport, 'steps' | 'loadUnit' | 'slo' | 'maxSustainable'>): string {
  const best = 'vus' in r.maxSustainable ? r.maxSustainable.vus : r.maxSustainable.rate;
  const checked = checkedSlos(r);
  const sloHeads = checked.map(sloLabel);
  // TURNS > 1: how TTFT grows with the turn, at each load (the columns of the turns any step has).
  const turns = r.steps.find((s) => s.ttftByTurn !== undefined)?.ttftByTurn?.map((t) => t.turn) ?? [];
  const turnHeads = turns.map((t) => `TTFT p50 turn ${t}`);
  const head = [r.loadUnit, 'streams/s', 'events/s', 'TTFE p50', 'TTFE p95', 'TTFT p50', 'TTFT p95', ...turnHeads, 'success', 'goodput', 'gen CPU', ...sloHeads, 'step', ''];
  const rows = [...r.steps]
    .sort((a, b) => a.load - b.load || a.index - b.index)
    .map((s) => {
      const f = s.figures;
      return [
        String(s.load),
        num(f.connectionRate, 1),
        num(f.eventThroughput, 0),
        ms(f.ttfeMedMs),
        ms(f.ttfeP95Ms),
        ms(f.ttftMedMs),
        ms(f.ttftP95Ms),
        ...turns.map((t) => ms(s.ttftByTurn?.find((x) => x.turn === t)?.ttftMedMs ?? null)),
        f.successRate === null ? 'n/a' : formatFigure(figureDef('successRate'), f.successRate),
        goodputText(f),
        s.cpuPeakShare === null ? 'n/a' : `${Math.round(s.cpuPeakShare * 100)}%`,
        ...checked.map((_, i) => {
          const c = s.checks[i];
          return c === undefined ? 'n/a' : `${c.ok ? '✓' : '✗'} ${c.note ?? observedText(c.metric, c.observed)}`;
        }),
        verdictText(s),
        s.load === best && !s.interrupted ? '◀ max sustainable' : '',
      ];
    });
  return alignTable([head, ...rows], ['r', 'r', 'r', 'r', 'r', 'r', 'r', ...turnHeads.map(() => 'r' as const), 'r', 'r', 'r', ...sloHeads.map(() => 'l' as const), 'l', 'l']);
}

/** One line per finished step, printed as the sweep goes. */
export function renderStepLine(s: SweepStep, unit: string, stepCount: string): string {
  const f = s.figures;
  const failed = s.checks.filter((c) => !c.ok).map(failureText);
  const cpu = s.cpuPeakShare === null ? 'CPU n/a' : `CPU ${Math.round(s.cpuPeakShare * 100)}%`;
  return `step ${stepCount}: ${loadText(s.load, unit)} — ${num(f.connectionRate, 1)} streams/s, TTFE p95 ${ms(f.ttfeP95Ms)}, ${cpu} — ${verdictText(s)}${failed.length > 0 ? ` (${failed.join('; ')})` : ''}`;
}

/** The latency SLO a knee chart draws: the first upper bound on a time metric. */
export function chartSlo(slos: readonly Slo[]): (Slo & { limit: number }) | null {
  for (const s of slos) {
    const e = parseThresholdExpression(s.expression);
    if (e !== null && e.op.startsWith('<') && TIME_METRICS.has(parseMetricKey(s.metric).metric)) return { ...s, limit: e.limit };
  }
  return null;
}

const BAR_WIDTH = 40;

/**
 * The knee as text: one bar per step (load order) of the observed value of the first latency
 * SLO, `|` where its limit is; the answer marked. Empty when the SLO has no latency bound.
 */
export function renderKneeBars(r: Pick<SweepReport, 'steps' | 'loadUnit' | 'slo' | 'maxSustainable'>): string {
  const slo = chartSlo(r.slo);
  if (slo === null) return '';
  const best = 'vus' in r.maxSustainable ? r.maxSustainable.vus : r.maxSustainable.rate;
  const steps = [...r.steps].filter((s) => !s.interrupted).sort((a, b) => a.load - b.load);
  const observed = (s: SweepStep): number | null => s.checks.find((c) => c.metric === slo.metric && c.expression === slo.expression)?.observed ?? null;
  const at = Math.round(BAR_WIDTH * 0.6); // the limit's column
  const scale = at / slo.limit;
  const loadWidth = Math.max(...steps.map((s) => String(s.load).length), r.loadUnit.length);
  const lines = [`${r.loadUnit.padStart(loadWidth)}  ${sloLabel(slo)} (| = ${observedText(slo.metric, slo.limit)})`];
  for (const s of steps) {
    const v = observed(s);
    const n = v === null ? 0 : Math.min(BAR_WIDTH, Math.round(v * scale));
    const bar = `${'█'.repeat(n)}${v !== null && v * scale > BAR_WIDTH ? '▶' : ''}`.padEnd(BAR_WIDTH + 1);
    const withLimit = n <= at ? `${bar.slice(0, at)}|${bar.slice(at + 1)}` : bar;
    const mark = s.load === best ? '  ◀ max sustainable' : s.generatorSaturated ? '  (generator saturated)' : '';
    lines.push(`${String(s.load).padStart(loadWidth)}  ${withLimit} ${observedText(slo.metric, v)}${mark}`.trimEnd());
  }
  return lines.join('\n');
}

// ---- Reading a sweep file back ----

/** A sweep JSON that cannot be used: names the file and the field. */
export class SweepFormatError extends Error {
  constructor(source: string, field: string, problem: string) {
    super(`${source}: ${field ? `${field}: ` : ''}${problem}`);
    this.name = 'SweepFormatError';
  }
}

const LIMITED_BY: readonly LimitedBy[] = ['slo', 'max', 'generator', 'interrupted'];
const numOrNull = (v: unknown): boolean => v === null || (typeof v === 'number' && Number.isFinite(v));

/** Reads a `sweep_*.json` strictly (every field the HTML page and the tables use). */
export function parseSweepJson(text: string, source: string): SweepReport {
  const fail = (field: string, problem: string): never => {
    throw new SweepFormatError(source, field, problem);
  };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return fail('', `not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!isRecord(v)) return fail('', 'expected a JSON object (a sweep_*.json file)');
  if (v['schema'] !== SWEEP_SCHEMA) return fail('schema', `expected "${SWEEP_SCHEMA}", got ${JSON.stringify(v['schema'] ?? null)}`);
  const mode = v['mode'];
  if (mode !== 'vus' && mode !== 'rate') fail('mode', 'expected "vus" or "rate"');
  if (typeof v['loadUnit'] !== 'string') fail('loadUnit', 'expected a string');
  const slo = v['slo'];
  if (!Array.isArray(slo) || slo.some((s: unknown) => !isRecord(s) || typeof s['metric'] !== 'string' || typeof s['expression'] !== 'string')) {
    fail('slo', 'expected an array of { metric, expression }');
  }
  if (!isRecord(v['settings']) || typeof v['settings']['target'] !== 'string' || typeof v['settings']['url'] !== 'string') fail('settings', 'expected { target, url, … }');
  const steps = v['steps'];
  if (!Array.isArray(steps)) return fail('steps', 'expected an array');
  steps.forEach((s: unknown, i) => {
    const at = `steps[${i}]`;
    if (!isRecord(s)) return fail(at, 'expected an object');
    for (const k of ['index', 'load', 'runs', 'cores'] as const) if (typeof s[k] !== 'number') fail(`${at}.${k}`, 'expected a number');
    for (const k of ['pass', 'generatorSaturated', 'interrupted', 'timedOut'] as const) if (typeof s[k] !== 'boolean') fail(`${at}.${k}`, 'expected a boolean');
    if (!numOrNull(s['cpuPeakShare'])) fail(`${at}.cpuPeakShare`, 'expected a number or null');
    const figures = s['figures'];
    if (!isRecord(figures)) return fail(`${at}.figures`, 'expected an object');
    for (const k of FIGURE_KEYS) if (!numOrNull(figures[k])) fail(`${at}.figures.${k}`, 'expected a number or null');
    const checks = s['checks'];
    if (!Array.isArray(checks) || checks.some((c: unknown) => !isRecord(c) || typeof c['ok'] !== 'boolean' || typeof c['metric'] !== 'string' || !numOrNull(c['observed']))) {
      fail(`${at}.checks`, 'expected an array of { metric, expression, ok, observed }');
    }
    if (!Array.isArray(s['reports']) || typeof s['reportDir'] !== 'string') fail(`${at}.reports`, 'expected reportDir and a reports array');
    return undefined;
  });
  const m = v['maxSustainable'];
  if (!isRecord(m)) return fail('maxSustainable', 'expected an object');
  const key = mode === 'vus' ? 'vus' : 'rate';
  if (!(key in m) || !numOrNull(m[key])) fail(`maxSustainable.${key}`, 'expected a number or null');
  if (!numOrNull(m['streamsPerSecond'])) fail('maxSustainable.streamsPerSecond', 'expected a number or null');
  if (!LIMITED_BY.includes(m['limitedBy'] as LimitedBy)) fail('maxSustainable.limitedBy', `expected one of ${LIMITED_BY.join(', ')}`);
  if (typeof v['answer'] !== 'string') fail('answer', 'expected a string');
  return v as unknown as SweepReport; // every field the type promises and the renderers read was checked above
}
