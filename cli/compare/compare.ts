/**
 * `npm run compare -- [--max-regression 10%] A.json B.json`: compares two JSON reports
 * (reports/benchmark_*.json). Exit 0; 1 when a gated figure regressed more than allowed;
 * 2 for a bad flag or a report that cannot be read.
 */
import { readFileSync } from 'node:fs';
import { readReportJson, type ReportJson } from '../../lib/report/report-json.ts';
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
  let a: ReportJson;
  let b: ReportJson;
  let args;
  const readNotes: string[] = [];
  try {
    args = parseCompareArgs(argv);
    if (args.help) {
      io.out(COMPARE_USAGE);
      return 0;
    }
    a = readReport(args.baseline, readFile, readNotes);
    b = readReport(args.candidate, readFile, readNotes);
  } catch (err) {
    io.err(`compare: ${(err as Error).message}`);
    if (err instanceof UsageError && !/cannot read/.test(err.message)) io.err(`(npm run compare -- --help for usage)`);
    return 2;
  }
  const rows = compareFigures(REPORT_FIGURES, a, b, { relative: args.noiseRelative, absolute: args.noiseAbsolute });
  io.out(renderCompareTable(rows, { a: args.baseline, b: args.candidate }, args.maxRegression));
  io.out('');
  io.out(renderErrorComparison(a.errorsByType, b.errorsByType));
  for (const note of [...readNotes, ...settingsNotes(a, b)]) io.out(note);
  if (args.maxRegression === null) return 0;
  const over = regressionsOver(rows, args.maxRegression);
  const limit = limitText(args.maxRegression);
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
