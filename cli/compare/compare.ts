/**
 * `npm run compare -- [--max-regression 10%] A.json B.json`: compares two JSON reports
 * (reports/benchmark_*.json), or two sets of repeated runs (each side a `repeat_*.json`
 * summary of `npm run bench -- --repeat N`: every figure's difference with an exact rank
 * interval, compare-sets.ts). Exit 0; 1 when a gated figure regressed more than allowed
 * (for sets: significantly, and by more than allowed); 2 for a bad flag or a report that
 * cannot be read.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { readReportJson, type ReportJson } from '../../lib/report/report-json.ts';
import { REPEAT_SCHEMA } from '../bench/bench-repeat.ts';
import { figureSpreads, medians } from '../figure-spread.ts';
import { compareSets, renderSetTable, setMethodNote, setRegressionsOver } from './compare-sets.ts';
import { REPORT_FIGURES, SATURATION_NOTE } from '../../lib/report-fields.ts';
import { COMPARE_USAGE, parseCompareArgs, UsageError } from '../args.ts';
import { compareFigures, limitText, regressionsOver, renderCompareTable, renderErrorComparison } from './compare-table.ts';
import { consoleIo, type Io, runAsMain } from '../main-guard.ts';

function readReport(path: string, readFile: (p: string) => string, notes: string[]): ReportJson {
  let text: string;
  try {
    text = readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`${path}: cannot read the report (${code ?? (err as Error).message})`);
  }
  const { report, convertedFrom } = readReportJson(text, path);
  if (convertedFrom !== null) notes.push(`note: ${path} is a ${convertedFrom} report: its success rate (percent) was read as a fraction, as in ${report.schema}`);
  return report;
}

/** A side of the comparison: one report, or the runs a repeat summary lists. */
interface Side {
  readonly reports: readonly ReportJson[];
  /** True when read from a repeat summary. */
  readonly repeated: boolean;
}

/** A summary's report path as written (relative to where bench ran), else beside the summary. */
function summaryReport(summaryPath: string, listed: string, readFile: (p: string) => string, notes: string[]): ReportJson {
  try {
    readFile(listed);
    return readReport(listed, readFile, notes);
  } catch {
    return readReport(join(dirname(summaryPath), basename(listed)), readFile, notes);
  }
}

function readSide(path: string, readFile: (p: string) => string, notes: string[]): Side {
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(readFile(path));
  } catch {
    // not readable or not JSON: readReport says which
  }
  if (typeof parsed === 'object' && parsed !== null && (parsed as { schema?: unknown }).schema === REPEAT_SCHEMA) {
    const listed = (parsed as { reports?: unknown }).reports;
    if (!Array.isArray(listed) || listed.some((r) => typeof r !== 'string') || listed.length === 0) {
      throw new UsageError(`${path}: a ${REPEAT_SCHEMA} summary without a list of reports`);
    }
    return { reports: (listed as string[]).map((r) => summaryReport(path, r, readFile, notes)), repeated: true };
  }
  return { reports: [readReport(path, readFile, notes)], repeated: false };
}

/** Errors by type summed over a side's runs. */
function summedErrors(reports: readonly ReportJson[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of reports) for (const [t, n] of Object.entries(r.errorsByType)) out[t] = (out[t] ?? 0) + n;
  return out;
}

function settingsNotes(a: ReportJson, b: ReportJson): string[] {
  const notes: string[] = [];
  for (const key of ['target', 'url', 'profile', 'thresholds'] as const) {
    if (a.settings[key] !== b.settings[key]) notes.push(`note: ${key} differs: A ${a.settings[key]}, B ${b.settings[key]}`);
  }
  if (a.generatorSaturated) notes.push(`note: A: ${SATURATION_NOTE}`);
  if (b.generatorSaturated) notes.push(`note: B: ${SATURATION_NOTE}`);
  return notes;
}

export async function runCompare(argv: readonly string[], io: Io = consoleIo, readFile = (p: string) => readFileSync(p, 'utf8')): Promise<number> {
  let sideA: Side;
  let sideB: Side;
  let args;
  const readNotes: string[] = [];
  try {
    args = parseCompareArgs(argv);
    if (args.help) {
      io.out(COMPARE_USAGE);
      return 0;
    }
    sideA = readSide(args.baseline, readFile, readNotes);
    sideB = readSide(args.candidate, readFile, readNotes);
  } catch (err) {
    io.err(`compare: ${(err as Error).message}`);
    if (err instanceof UsageError && !/cannot read|summary without/.test(err.message)) io.err(`(npm run compare -- --help for usage)`);
    return 2;
  }
  const [a, b] = [sideA.reports[0] as ReportJson, sideB.reports[0] as ReportJson];
  const names = { a: args.baseline, b: args.candidate };
  const limit = args.maxRegression === null ? '' : limitText(args.maxRegression);
  const notes = [...readNotes, ...settingsNotes(a, b)];
  for (const [label, side] of [['A', sideA], ['B', sideB]] as const) {
    if (side.reports.slice(1).some((r) => r.generatorSaturated)) notes.push(`note: ${label}: ${SATURATION_NOTE} (in a later run)`);
  }

  if (sideA.reports.length >= 2 && sideB.reports.length >= 2) {
    const rows = compareSets(REPORT_FIGURES, sideA.reports.map((r) => r.figures), sideB.reports.map((r) => r.figures));
    io.out(`Repeated runs: A ${sideA.reports.length}, B ${sideB.reports.length}`);
    io.out(renderSetTable(rows, names, args.maxRegression));
    io.out('');
    io.out(setMethodNote(rows));
    io.out('');
    io.out('Errors by type, summed over each side\'s runs:');
    io.out(renderErrorComparison(summedErrors(sideA.reports), summedErrors(sideB.reports)));
    for (const note of notes) io.out(note);
    if (args.maxRegression === null) return 0;
    const over = setRegressionsOver(rows, args.maxRegression);
    io.out('');
    if (over.length === 0) {
      io.out(`OK: no key figure significantly regressed by more than ${limit}.`);
      return 0;
    }
    io.out(`FAIL: ${over.length} key figure(s) significantly regressed by more than ${limit}: ${over.map((r) => r.def.label).join(', ')}`);
    return 1;
  }

  // one run on a side (or both): no interval; the noise-floor rule, on the medians of a repeated side
  const figuresOf = (side: Side) => (side.reports.length === 1 ? (side.reports[0] as ReportJson) : { figures: medians(figureSpreads(side.reports.map((r) => r.figures))) });
  const rows = compareFigures(REPORT_FIGURES, figuresOf(sideA), figuresOf(sideB), { relative: args.noiseRelative, absolute: args.noiseAbsolute });
  io.out(renderCompareTable(rows, names, args.maxRegression));
  io.out('');
  io.out(renderErrorComparison(summedErrors(sideA.reports), summedErrors(sideB.reports)));
  if (sideA.repeated || sideB.repeated) notes.push('note: a side with one run has no interval: medians judged against the noise floor (give both sides 2+ runs for an interval)');
  for (const note of notes) io.out(note);
  if (args.maxRegression === null) return 0;
  const over = regressionsOver(rows, args.maxRegression);
  if (over.length === 0) {
    io.out('');
    io.out(`OK: no key figure regressed by more than ${limit}.`);
    return 0;
  }
  io.out('');
  io.out(`FAIL: ${over.length} key figure(s) regressed by more than ${limit}: ${over.map((r) => r.def.label).join(', ')}`);
  return 1;
}

runAsMain(import.meta.url, () => runCompare(process.argv.slice(2)));
