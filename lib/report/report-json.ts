/**
 * The JSON report (`benchmark_*.json`): k6's raw summary plus the derived figures,
 * errors by type, ratings and threshold results, and the run's settings without the API
 * key. `buildReport` makes it (the text and JUnit reports render from the same object)
 * from a summary lib/report/handle-summary.ts has already scrubbed of the key;
 * `parseReportJson` reads one back for `npm run compare`, strictly.
 *
 * Schema versions: `sse-bench/report@2` gives `successRate` (figure and rating) as a fraction
 * 0–1, k6's convention for a Rate; `@1` gave it in percent (0–100). Reports of both versions
 * are read; a `@1` report is converted to `@2` on reading (`readReportJson` says so).
 */
import { ERROR_TYPES, type ErrorType } from '../error-types.ts';
import { breakdownProblem, type Breakdown } from './breakdown.ts';
import { cancelSummary, cancelSummaryProblem, type CancelSummary } from './cancel-summary.ts';
import { failureReasonsProblem, type FailureReasons } from './failure-reasons.ts';
import type { ReportSettings } from './redact.ts';
import { FIGURE_KEYS, RATINGS, rateFigures, type Figures, type Ratings } from '../report-fields.ts';
import { isRecord, summaryDataProblem, type SummaryData } from './summary-data.ts';
import { computeFigures, errorsByType, thresholdResults, type ThresholdResult } from './summary-figures.ts';
import { workloadProblem, workloadReport, type WorkloadReport } from './workload-report.ts';

export const REPORT_SCHEMA = 'sse-bench/report@2';
/** The first schema: identical but for `successRate` in percent (0–100). */
export const REPORT_SCHEMA_V1 = 'sse-bench/report@1';
const READABLE_SCHEMAS: readonly string[] = [REPORT_SCHEMA, REPORT_SCHEMA_V1];

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
  /** Why streams failed, per error type, from k6's log; set by the bench CLI (lib/report/failure-reasons.ts). */
  readonly failureReasons?: FailureReasons;
  /** Dataset, prompt/answer lengths, conversations and TTFT by turn: runs with DATASET or TURNS > 1 only. */
  readonly workload?: WorkloadReport;
  /** The time breakdown (BREAKDOWN=true), joined by the bench CLI from k6's log and the mock's model log (lib/report/breakdown.ts). */
  readonly breakdown?: Breakdown;
  /** Streams the client stopped (CANCEL_RATE); absent when the run stopped none by design (lib/report/cancel-summary.ts). */
  readonly cancelled?: CancelSummary;
  /** k6's handleSummary data, unchanged except for secret scrubbing. */
  readonly summary: SummaryData;
}

/** The report of one run, from its (scrubbed) summary. */
export function buildReport(summary: SummaryData, settings: ReportSettings, generatedAt: Date): ReportJson {
  const figures = computeFigures(summary);
  const workload = workloadReport(summary, settings);
  const cancelled = cancelSummary(summary);
  return {
    schema: REPORT_SCHEMA,
    generatedAt: generatedAt.toISOString(),
    settings,
    figures,
    errorsByType: errorsByType(summary),
    ratings: rateFigures(figures),
    thresholds: thresholdResults(summary),
    ...(workload === null ? {} : { workload }),
    ...(cancelled === null ? {} : { cancelled }),
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
 * A `@1` report comes back converted to the current schema.
 */
export function parseReportJson(text: string, source: string): ReportJson {
  return readReportJson(text, source).report;
}

/** A report read back, and the schema it was converted from (`null`: it was current). */
export interface ReadReport {
  readonly report: ReportJson;
  readonly convertedFrom: string | null;
}

/**
 * `@1` → `@2`: the success rate (figure and rating) from percent to a fraction, and a figure
 * the report does not have (an older `@1`, e.g. before `dataReceived`) as null.
 */
function fromV1(value: Record<string, unknown>): Record<string, unknown> {
  const toFraction = (v: unknown): unknown => (typeof v === 'number' ? v / 100 : v);
  const figures = value['figures'] as Record<string, unknown>; // checked before conversion
  const ratings = value['ratings'] as Record<string, Record<string, unknown>>;
  const missing = Object.fromEntries(FIGURE_KEYS.filter((k) => figures[k] === undefined).map((k) => [k, null]));
  return {
    ...value,
    schema: REPORT_SCHEMA,
    figures: { ...figures, ...missing, successRate: toFraction(figures['successRate']) },
    ratings: { ...ratings, successRate: { ...ratings['successRate'], value: toFraction(ratings['successRate']?.['value']) } },
  };
}

/** parseReportJson, telling whether the report was converted from an earlier schema. */
export function readReportJson(text: string, source: string): ReadReport {
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
  const schema = value['schema'];
  if (typeof schema !== 'string' || !READABLE_SCHEMAS.includes(schema)) {
    return fail('schema', `expected "${REPORT_SCHEMA}" (or the older "${REPORT_SCHEMA_V1}"), got ${JSON.stringify(value['schema'] ?? null)} (is this a benchmark_*.json report from sse-bench?)`);
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
  const legacy = schema === REPORT_SCHEMA_V1;
  for (const key of FIGURE_KEYS) {
    const figure = figures[key];
    // @1 reports were written while figures were still being added: one that lacks a figure had none.
    if (figure === undefined && legacy) continue;
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
  const workloadBad = value['workload'] === undefined ? null : workloadProblem(value['workload']);
  if (workloadBad !== null) fail(workloadBad.field, workloadBad.problem);
  const reasonsProblem = value['failureReasons'] === undefined ? null : failureReasonsProblem(value['failureReasons']);
  if (reasonsProblem !== null) fail(reasonsProblem.field, reasonsProblem.problem);
  const bdProblem = value['breakdown'] === undefined ? null : breakdownProblem(value['breakdown']);
  if (bdProblem !== null) fail('breakdown', bdProblem);
  const cancelProblem = value['cancelled'] === undefined ? null : cancelSummaryProblem(value['cancelled']);
  if (cancelProblem !== null) fail('cancelled', cancelProblem);
  const problem = summaryDataProblem(value['summary']);
  if (problem !== null) fail(problem.field, problem.problem);
  // Every field the type promises was checked above.
  if (schema === REPORT_SCHEMA_V1) return { report: fromV1(value) as unknown as ReportJson, convertedFrom: schema };
  return { report: value as unknown as ReportJson, convertedFrom: null };
}
