/**
 * After a bench run: find the JSON report build/sse.js's handleSummary wrote, record in it
 * the generator-saturation verdict, the failure reasons collected from k6's log and the time
 * breakdown (BREAKDOWN=true, lib/report/breakdown.ts) (and
 * render the text report again, which then carries lib's saturation note and the reasons),
 * write the HTML report beside it, and render the final block (the text report's FINAL
 * BENCHMARK RESULTS plus the generator's CPU and where the files are).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Breakdown } from '../../lib/report/breakdown.ts';
import type { FailureReasons } from '../../lib/report/failure-reasons.ts';
import { parseReportJson, renderReportJson, type ReportJson } from '../../lib/report/report-json.ts';
import { renderTextReport } from '../../lib/report/report-text.ts';
import { renderHtmlReport } from './html-report.ts';
import { cpuShareText } from './cpu-watch.ts';
import type { GeneratorVerdict } from './k6-run.ts';
import type { SeriesPoint } from './live-block.ts';
import type { LatencyWindows } from './latency-windows.ts';

const REPORT_JSON = /^benchmark_\d{8}_\d{6}\.json$/;

/** Names of the JSON reports in `dir` (none when it does not exist). */
export function listJsonReports(dir: string): Set<string> {
  try {
    return new Set(readdirSync(dir).filter((f) => REPORT_JSON.test(f)));
  } catch {
    return new Set();
  }
}

/** The newest JSON report that was not in `before`, as a path; '' when none. */
export function newJsonReport(dir: string, before: ReadonlySet<string>): string {
  const fresh = [...listJsonReports(dir)].filter((f) => !before.has(f)).sort();
  const last = fresh.at(-1);
  return last === undefined ? '' : join(dir, last);
}

export interface FinishedReports {
  readonly report: ReportJson;
  /** Every report file of the run that exists, .txt/.json/.xml/.html. */
  readonly files: readonly string[];
}

/**
 * Updates the JSON and text reports with the saturation verdict (when CPU was measured) and
 * the failure reasons (when given), and writes the HTML report (with the per-window latency
 * charts when `windows` has samples).
 */
export function finishReports(
  jsonPath: string,
  series: readonly SeriesPoint[],
  intervalSec: number,
  gen: GeneratorVerdict,
  chartJs: string,
  failureReasons?: FailureReasons,
  windows: LatencyWindows | null = null,
  breakdown?: Breakdown,
): FinishedReports {
  let report = parseReportJson(readFileSync(jsonPath, 'utf8'), jsonPath);
  const stem = jsonPath.replace(/\.json$/, '');
  const txtPath = `${stem}.txt`;
  if (gen.measured || failureReasons || breakdown) {
    report = { ...report, ...(gen.measured ? { generatorSaturated: gen.saturated } : {}), ...(failureReasons ? { failureReasons } : {}), ...(breakdown ? { breakdown } : {}) };
    writeFileSync(jsonPath, renderReportJson(report));
    if (existsSync(txtPath)) writeFileSync(txtPath, renderTextReport(report));
  }
  const htmlPath = `${stem}.html`;
  const siblings = ['.txt', '.json', '.xml'].map((ext) => `${stem}${ext}`).filter((p) => existsSync(p));
  writeFileSync(htmlPath, renderHtmlReport({ report, series, intervalSec, siblings: siblings.map((p) => basename(p)), windows }, chartJs));
  return { report, files: [...siblings, htmlPath] };
}

export function generatorLine(gen: GeneratorVerdict): string {
  if (!gen.measured) return 'Generator CPU: not measured (no /proc, or the run was shorter than one interval)';
  const peak = `peak ${cpuShareText(gen.peakShare, gen.cores)}`;
  // A saturated run's text report (above this line in the final block) already carries lib's saturation note.
  return `Generator CPU: ${peak} (${gen.saturated ? 'saturated; see npm run calibrate' : 'not saturated'})`;
}

/** The block printed at the end of `npm run bench`. */
export function renderFinalBlock(report: ReportJson, gen: GeneratorVerdict, files: readonly string[], dashboardExport: string): string {
  const text = renderTextReport(report).trimEnd().split('\n');
  const rule = text.at(-1) ?? '';
  const extra = [generatorLine(gen), '', 'Reports:', ...files.map((f) => `  ${f}`)];
  if (dashboardExport !== '') extra.push(`  ${dashboardExport} (k6 web dashboard export)`);
  return [...text.slice(0, -1), ...extra, rule].join('\n');
}
