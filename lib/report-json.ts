/**
 * The JSON report (`benchmark_*.json`): k6's raw summary plus the derived figures,
 * errors by type, ratings and threshold results, and the run's settings without the API
 * key. `buildReport` makes it (the text and JUnit reports render from the same object)
 * from a summary lib/handle-summary.ts has already scrubbed of the key;
 * `parseReportJson` reads one back for `npm run compare`, strictly.
 */
import { ERROR_TYPES, type ErrorType } from './error-types.ts';
import { failureReasonsProblem, type FailureReasons } from './failure-reasons.ts';
import type { ReportSettings } from './redact.ts';
import { FIGURE_KEYS, LATER_FIGURES, RATINGS, rateFigures, type Figures, type Ratings } from './report-fields.ts';
import { isRecord, summaryDataProblem, type SummaryData } from './summary-data.ts';
import { computeFigures, errorsByType, thresholdResults, type ThresholdResult } from './summary-figures.ts';

export const REPORT_SCHEMA = 'sse-bench/report@1';

export interface ReportJson {
  readonly schema: typeof REPORT_SCHEMA;
  /** When the report was made (end of the run), ISO 8601 UTC. */
  readonly generatedAt: string;
  readonly settings: ReportSettings;
  /** Every key of REPORT_FIGURES; `null` when the run had no sample for it. */
  readonly figures: Figures;
  readonly errorsByType: Record<ErrorType, number>;
  readonly ratings: Ratings;
  /** The thresholds that gate the run (report-only ones left out). */
  readonly thresholds: readonly ThresholdResult[];
  /** Set by tools that measured the load generator itself (e.g. the bench CLI). */
  readonly generatorSaturated?: boolean;
  /** Why streams failed, per error type, from k6's log; set by the bench CLI (lib/failure-reasons.ts). */
  readonly failureReasons?: FailureReasons;
  /** k6's handleSummary data, unchanged except for secret scrubbing. */
  readonly summary: SummaryData;
}

/** The report of one run, from its (scrubbed) summary. */
export function buildReport(summary: SummaryData, settings: ReportSettings, generatedAt: Date): ReportJson {
  const figures = computeFigures(summary);
  return {
    schema: REPORT_SCHEMA,
    generatedAt: generatedAt.toISOString(),
    settings,
    figures,
    errorsByType: errorsByType(summary),
    ratings: rateFigures(figures),
    thresholds: thresholdResults(summary),
    summary,
  };
}

/** The report file's text (2-space indented, trailing newline). */
export function renderReportJson(report: ReportJson): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** A JSON report that cannot be used: names the file and the field. */
export class ReportFormatError extends Error {
  constructor(
    readonly source: string,
    readonly field: string,
    problem: string,
  ) {
    super(`${source}: ${field ? `${field}: ` : ''}${problem}`);
    this.name = 'ReportFormatError';
  }
}

/**
 * Reads a JSON report (e.g. for `npm run compare`). Throws ReportFormatError naming
 * `source` and the offending field when the text is not JSON, has another `schema`, or
 * lacks a required field; figures must be numbers or null, every error type a count.
 */
export function parseReportJson(text: string, source: string): ReportJson {
  const fail = (field: string, problem: string): never => {
    throw new ReportFormatError(source, field, problem);
  };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return fail('', `not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!isRecord(value)) return fail('', 'expected a JSON object (a benchmark_*.json report)');
  if (value['schema'] !== REPORT_SCHEMA) {
    return fail('schema', `expected "${REPORT_SCHEMA}", got ${JSON.stringify(value['schema'] ?? null)} (is this a benchmark_*.json report from sse-bench?)`);
  }
  if (typeof value['generatedAt'] !== 'string' || Number.isNaN(Date.parse(value['generatedAt']))) {
    fail('generatedAt', 'expected an ISO 8601 date string');
  }
  const settings = value['settings'];
  if (!isRecord(settings)) return fail('settings', 'expected an object');
  for (const name of ['target', 'url', 'profile'] as const) {
    if (typeof settings[name] !== 'string') fail(`settings.${name}`, 'expected a string');
  }
  const figures = value['figures'];
  if (!isRecord(figures)) return fail('figures', 'expected an object');
  for (const key of FIGURE_KEYS) {
    const figure = figures[key];
    if (figure === undefined && LATER_FIGURES.has(key)) {
      figures[key] = null; // a report from before the figure existed
      continue;
    }
    if (figure === undefined) fail(`figures.${key}`, 'missing');
    if (figure !== null && (typeof figure !== 'number' || !Number.isFinite(figure))) fail(`figures.${key}`, 'expected a number or null');
  }
  const errors = value['errorsByType'];
  if (!isRecord(errors)) return fail('errorsByType', 'expected an object');
  for (const type of ERROR_TYPES) {
    if (typeof errors[type] !== 'number') fail(`errorsByType.${type}`, 'expected a number');
  }
  const ratings = value['ratings'];
  if (!isRecord(ratings)) return fail('ratings', 'expected an object');
  for (const def of RATINGS) {
    const rating = ratings[def.key];
    if (!isRecord(rating) || !('label' in rating) || !('value' in rating)) fail(`ratings.${def.key}`, 'expected { value, label }');
  }
  const thresholds = value['thresholds'];
  if (!Array.isArray(thresholds)) return fail('thresholds', 'expected an array');
  thresholds.forEach((t: unknown, i) => {
    if (!isRecord(t) || typeof t['metric'] !== 'string' || typeof t['expression'] !== 'string' || typeof t['ok'] !== 'boolean') {
      fail(`thresholds[${i}]`, 'expected { metric: string, expression: string, ok: boolean }');
    }
  });
  if (value['generatorSaturated'] !== undefined && typeof value['generatorSaturated'] !== 'boolean') {
    fail('generatorSaturated', 'expected a boolean');
  }
  const reasonsProblem = value['failureReasons'] === undefined ? null : failureReasonsProblem(value['failureReasons']);
  if (reasonsProblem !== null) fail(reasonsProblem.field, reasonsProblem.problem);
  const problem = summaryDataProblem(value['summary']);
  if (problem !== null) fail(problem.field, problem.problem);
  return value as unknown as ReportJson; // every field the type promises was checked above
}
