/**
 * THRESHOLDS → k6 `thresholds`: a set bundled from `thresholds/<name>.json`
 * (imported, so k6 reads no file for it) or a JSON file the user names. The
 * JSON is validated here, in the init context, so a typo stops the run with a
 * message naming THRESHOLDS and the file instead of a k6 error later. Then the
 * report-only thresholds are merged in: they always pass and only make k6
 * compute `sse_errors` per `error_type` (and, with TURNS > 1, TTFT/TTFE per `turn`) for the summary. Pure: no k6 import.
 */

import defaultSet from '../../thresholds/default.json';
import noneSet from '../../thresholds/none.json';
import strictSet from '../../thresholds/strict.json';
import { ConfigError, isPathLike, unknownThresholdSet, type Config } from './config';
import { parseGoDuration } from '../duration';
import { THRESHOLD_SET_NAMES, type ThresholdSetName } from '../env-vars';
import { ERROR_TYPES } from '../error-types';
import { TURN_TAGGED_METRICS, turnTagValues } from '../turn-tags.ts';
import { EXTENSION_EVENT_METRIC, METRIC_LIST, type MetricKind } from '../metric-defs';

/** One k6 threshold: an expression, or k6's object form. */
export type ThresholdSpec = string | { threshold: string; abortOnFail?: boolean; delayAbortEval?: string };
export type Thresholds = Record<string, ThresholdSpec[]>;

/** The bundled sets; the files in thresholds/ are their one source. */
export const THRESHOLD_SETS: Readonly<Record<ThresholdSetName, unknown>> = {
  default: defaultSet,
  strict: strictSet,
  none: noneSet,
};

/** Always passes: it only makes k6 compute the sub-metric so the summary has errors by type. */
export const REPORT_ONLY_THRESHOLD = 'count>=0';

const ERRORS_METRIC = 'sse_errors';
const REPORT_ONLY_KEYS: readonly string[] = ERROR_TYPES.map((t) => `${ERRORS_METRIC}{error_type:${t}}`);

/** The same for the `turn` sub-metrics of TTFT/TTFE (TURNS > 1): a trend has no `count` threshold, but `max>=0` always passes. */
export const TURN_REPORT_THRESHOLD = 'max>=0';
const TURN_KEY = /^sse_ttf[te]\{turn:\d+\+?\}$/;

/** The report-only sub-metric keys of a run of `turns` turns: `sse_ttft{turn:1}`, … (none for one turn). */
export function turnReportKeys(turns: number): string[] {
  if (turns <= 1) return [];
  const values = turnTagValues(turns);
  const keys: string[] = [];
  for (const metric of TURN_TAGGED_METRICS) for (const v of values) keys.push(`${metric}{turn:${v}}`);
  return keys;
}

/** True for a threshold merged in for the report only: never list it as a CI check. */
export function isReportOnly(metricKey: string, expression: string): boolean {
  const e = expression.replace(/\s+/g, '');
  return (e === REPORT_ONLY_THRESHOLD && REPORT_ONLY_KEYS.includes(metricKey)) || (e === TURN_REPORT_THRESHOLD && TURN_KEY.test(metricKey));
}

export type ThresholdKind = MetricKind | 'gauge';

/** k6's built-in metrics and the extension's counter, by kind. */
const BUILTIN_METRICS: Readonly<Record<string, ThresholdKind>> = {
  [EXTENSION_EVENT_METRIC]: 'counter',
  checks: 'rate',
  data_received: 'counter',
  data_sent: 'counter',
  dropped_iterations: 'counter',
  group_duration: 'trend',
  http_req_blocked: 'trend',
  http_req_duration: 'trend',
  http_req_sending: 'trend',
  http_req_tls_handshaking: 'trend',
  http_reqs: 'counter',
  iteration_duration: 'trend',
  iterations: 'counter',
  vus: 'gauge',
  vus_max: 'gauge',
};

/** k6 built-ins that xk6-sse never emits: a threshold on them would judge nothing. */
const NOT_EMITTED_BY_SSE: Readonly<Record<string, string>> = {
  http_req_failed: 'sse_stream_success or sse_errors',
  http_req_waiting: 'sse_ttfe',
  http_req_receiving: 'sse_stream_duration',
  http_req_connecting: 'sse_open_time',
};

const METRIC_KINDS: Readonly<Record<string, ThresholdKind>> = {
  ...BUILTIN_METRICS,
  ...Object.fromEntries(METRIC_LIST.map((m) => [m.name, m.kind])),
};

/** The kind of a metric a threshold may name (the suite's, the extension's, k6's built-ins); undefined when unknown. */
export function thresholdMetricKind(name: string): ThresholdKind | undefined {
  return METRIC_KINDS[name];
}

/** The aggregations k6 accepts in a threshold, per metric kind. */
const AGGREGATIONS: Readonly<Record<ThresholdKind, readonly string[]>> = {
  counter: ['count', 'rate'],
  gauge: ['value'],
  rate: ['rate'],
  trend: ['avg', 'min', 'max', 'med', 'p(N)'],
};

const KEY = /^([A-Za-z_][A-Za-z0-9_]*)(?:\{([^{}]*)\})?$/;
const EXPRESSION = /^\s*(count|rate|value|avg|min|max|med|p\((\s*)(\d+(?:\.\d+)?)(\s*)\))\s*(<=|>=|===|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$/;

/** A threshold expression taken apart: `p(95)<500` → aggregation `p(95)`, percentile 95, `<`, 500. */
export interface ThresholdExpression {
  /** `count`, `rate`, `value`, `avg`, `min`, `max`, `med` or `p(N)` (written without spaces). */
  readonly aggregation: string;
  readonly percentile: number | null;
  readonly op: string;
  readonly limit: number;
  /** `p( 95 )`: spaces inside the parentheses, which k6 rejects ("malformed percentile value"). */
  readonly spacedPercentile: boolean;
}

/** The one parser of k6 threshold expressions (validation, reports, the distributed gate); `null` when it is none. */
export function parseThresholdExpression(expression: string): ThresholdExpression | null {
  const m = EXPRESSION.exec(expression);
  if (m === null) return null;
  const [, word = '', before = '', percentile, after = '', op = '', limit = ''] = m;
  return {
    aggregation: percentile === undefined ? word : `p(${percentile})`,
    percentile: percentile === undefined ? null : Number(percentile),
    op,
    limit: Number(limit),
    spacedPercentile: before !== '' || after !== '',
  };
}

function fail(source: string, message: string): never {
  throw new ConfigError('THRESHOLDS', `${source}: ${message}`);
}

function checkKey(key: string, source: string): ThresholdKind {
  const match = KEY.exec(key);
  if (match === null) fail(source, `"${key}" is not a metric name or name{tag:value}`);
  const [, name = '', selector] = match;
  const instead = NOT_EMITTED_BY_SSE[name];
  if (instead !== undefined) fail(source, `"${name}" is never emitted by k6/x/sse streams, so a threshold on it judges nothing; use ${instead}`);
  const kind = METRIC_KINDS[name];
  if (kind === undefined) {
    fail(source, `unknown metric "${name}"; accepted: the suite's metrics (${METRIC_LIST.map((m) => m.name).join(', ')}), ${EXTENSION_EVENT_METRIC}, or a k6 built-in (${Object.keys(BUILTIN_METRICS).filter((n) => n !== EXTENSION_EVENT_METRIC).join(', ')})`);
  }
  if (selector !== undefined) {
    const pairs = selector.split(',').map((p) => p.trim());
    if (pairs.some((p) => !/^[^:\s]+\s*:.+$/.test(p))) fail(source, `"${key}": the tags in {} must be tag:value pairs separated by commas`);
  }
  return kind;
}

function checkExpression(key: string, kind: ThresholdKind, expression: string, source: string): void {
  const parsed = parseThresholdExpression(expression);
  // k6 parses `p(N)` with Go's ParseFloat on what is between the parentheses: no spaces there.
  if (parsed === null || parsed.spacedPercentile) {
    fail(source, `"${key}": "${expression}" is not a threshold expression; expected <aggregation> <operator> <number>, e.g. p(95)<500 or rate>0.99`);
  }
  const { aggregation, percentile } = parsed;
  const method = percentile !== null ? 'p(N)' : aggregation;
  if (!AGGREGATIONS[kind].includes(method)) {
    fail(source, `"${key}": "${expression}" uses ${aggregation}, which a ${kind} metric has not; accepted: ${AGGREGATIONS[kind].join(', ')}`);
  }
  if (percentile !== null && percentile > 100) fail(source, `"${key}": "${expression}": a percentile is between 0 and 100`);
}

function checkSpec(key: string, kind: ThresholdKind, spec: unknown, source: string): ThresholdSpec {
  if (typeof spec === 'string') {
    checkExpression(key, kind, spec, source);
    return spec;
  }
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    fail(source, `"${key}": each threshold is a string or {"threshold": "...", "abortOnFail": true, "delayAbortEval": "10s"}`);
  }
  const { threshold, abortOnFail, delayAbortEval, ...extra } = spec as Record<string, unknown>;
  const unknownFields = Object.keys(extra);
  if (unknownFields.length > 0) fail(source, `"${key}": unknown field ${unknownFields.map((f) => `"${f}"`).join(', ')}; accepted: threshold, abortOnFail, delayAbortEval`);
  if (typeof threshold !== 'string') fail(source, `"${key}": an object threshold needs "threshold": "<expression>"`);
  checkExpression(key, kind, threshold, source);
  const result: { threshold: string; abortOnFail?: boolean; delayAbortEval?: string } = { threshold };
  if (abortOnFail !== undefined) {
    if (typeof abortOnFail !== 'boolean') fail(source, `"${key}": abortOnFail must be true or false`);
    result.abortOnFail = abortOnFail;
  }
  if (delayAbortEval !== undefined) {
    if (typeof delayAbortEval !== 'string' || (parseGoDuration(delayAbortEval) ?? -1) < 0) {
      fail(source, `"${key}": delayAbortEval must be a Go duration such as "10s"`);
    }
    result.delayAbortEval = delayAbortEval;
  }
  return result;
}

/** Validates parsed JSON as a k6 thresholds object. */
export function validateThresholds(value: unknown, source: string): Thresholds {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(source, 'expected a JSON object mapping metric names to lists of thresholds, e.g. {"sse_ttfe": ["p(95)<500"]}');
  }
  const result: Thresholds = {};
  for (const [key, specs] of Object.entries(value)) {
    const kind = checkKey(key, source);
    if (!Array.isArray(specs) || specs.length === 0) fail(source, `"${key}": expected a non-empty list of thresholds, e.g. ["p(95)<500"]`);
    result[key] = specs.map((spec: unknown) => checkSpec(key, kind, spec, source));
  }
  return result;
}

/** Adds the report-only `sse_errors{error_type:<t>}` thresholds (keeping any the set has), and with `turns` > 1 the `turn` ones. */
export function withReportOnly(thresholds: Thresholds, turns = 1): Thresholds {
  const result: Thresholds = { ...thresholds };
  const add = (key: string, expression: string): void => {
    const existing = result[key] ?? [];
    result[key] = existing.includes(expression) ? existing : [...existing, expression];
  };
  for (const key of REPORT_ONLY_KEYS) add(key, REPORT_ONLY_THRESHOLD);
  for (const key of turnReportKeys(turns)) add(key, TURN_REPORT_THRESHOLD);
  return result;
}

function isSetName(value: string): value is ThresholdSetName {
  return (THRESHOLD_SET_NAMES as readonly string[]).includes(value);
}

function readJson(path: string, readFile: (path: string) => string): unknown {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    fail(path, `cannot read the file (${error instanceof Error ? error.message : String(error)})`);
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    fail(path, `not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

/**
 * The run's thresholds: the named set or the file `config.thresholds` names
 * (read with `readFile`, k6's `open` in the init context), validated, plus
 * the report-only thresholds.
 */
export function loadThresholds(config: Config, readFile: (path: string) => string): Thresholds {
  const name = config.thresholds;
  const turns = config.workload?.turns ?? 1;
  if (isSetName(name)) return withReportOnly(validateThresholds(THRESHOLD_SETS[name], `thresholds/${name}.json`), turns);
  if (!isPathLike(name)) throw unknownThresholdSet(name);
  return withReportOnly(validateThresholds(readJson(name, readFile), name), turns);
}
