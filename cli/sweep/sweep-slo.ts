/**
 * The sweep's SLO: `--slo 'sse_ttfe:p(95)<500'` flags (or the `default` threshold set),
 * validated by the suite's one threshold parser (lib/init/thresholds.ts) and handed to each step's
 * k6 run as its thresholds, so k6 itself evaluates them; the per-stream limits derived from
 * them for `sse_goodput` (SLO_TTFE, SLO_TTFT, SLO_TPOT); and the verdict of one step, read
 * from the threshold results of its JSON report. Pure.
 */
import { ConfigError } from '../../lib/init/config.ts';
import type { EnvVarName } from '../../lib/env-vars.ts';
import { METRIC_LIST, METRICS } from '../../lib/metric-defs.ts';
import type { ReportJson } from '../../lib/report/report-json.ts';
import { metricValue, parseMetricKey } from '../../lib/report/summary-data.ts';
import { parseThresholdExpression, THRESHOLD_SETS, validateThresholds, type Thresholds } from '../../lib/init/thresholds.ts';
import { UsageError } from '../args.ts';

/** One SLO: a metric key (a metric, or `metric{tag:value}`) and a threshold expression on it. */
export interface Slo {
  readonly metric: string;
  readonly expression: string;
}

/** The verdict of one SLO (or of the open model's dropped-iterations rule) on one step. */
export interface SloCheck extends Slo {
  readonly ok: boolean;
  /** The value the expression compares (e.g. the p(95)); null when the summary lacks it. */
  readonly observed: number | null;
  /** Why a check failed beyond its value: `no samples`, `not evaluated by k6`. */
  readonly note?: string;
}

/** `metric:expression`, the metric optionally with `{tag:value,…}` (whose colons are not the separator). */
const SLO_FLAG = /^\s*([A-Za-z_][A-Za-z0-9_]*(?:\{[^{}]*\})?)\s*:\s*(.*?)\s*$/;

/** Parses and validates one `--slo` value; UsageError names the flag and what is wrong. */
export function parseSloFlag(text: string): Slo {
  const m = SLO_FLAG.exec(text);
  if (m === null || m[2] === '') {
    throw new UsageError(`--slo: expected <metric>:<threshold expression>, e.g. 'sse_ttfe:p(95)<500' or 'sse_stream_success:rate>0.99', got "${text}"`);
  }
  const [, metric = '', expression = ''] = m;
  try {
    validateThresholds({ [metric]: [expression] }, `--slo "${text}"`);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message.slice(`${err.variable}: `.length));
    throw err;
  }
  return { metric, expression };
}

/** The SLOs of a sweep: the --slo flags, else every threshold of the `default` set. */
export function resolveSlos(flags: readonly string[]): Slo[] {
  if (flags.length > 0) return flags.map(parseSloFlag);
  const set = validateThresholds(THRESHOLD_SETS.default, 'thresholds/default.json');
  return Object.entries(set).flatMap(([metric, specs]) => specs.map((spec) => ({ metric, expression: typeof spec === 'string' ? spec : spec.threshold })));
}

/** The SLOs as a k6 thresholds file (THRESHOLDS=<path> for each step). */
export function sloThresholds(slos: readonly Slo[]): Thresholds {
  const out: Record<string, string[]> = {};
  for (const s of slos) out[s.metric] = [...(out[s.metric] ?? []), s.expression];
  return out;
}

/** The per-stream limit each latency metric sets for `sse_goodput`. */
const STREAM_LIMITS: readonly (readonly [string, EnvVarName])[] = [
  [METRICS.ttfe.name, 'SLO_TTFE'],
  [METRICS.ttft.name, 'SLO_TTFT'],
  [METRICS.llmTimePerOutputToken.name, 'SLO_TPOT'],
];

/**
 * SLO_TTFE / SLO_TTFT / SLO_TPOT from upper bounds on `sse_ttfe`, `sse_ttft`,
 * `llm_time_per_output_token` (`sse_ttfe:p(95)<500` → SLO_TTFE=500ms): a stream slower than
 * the bound is one the SLO counts against. Several bounds on one metric: the tightest.
 */
export function streamSloVars(slos: readonly Slo[]): Partial<Record<EnvVarName, string>> {
  const out: Partial<Record<EnvVarName, string>> = {};
  const limits = new Map<EnvVarName, number>();
  for (const s of slos) {
    const variable = STREAM_LIMITS.find(([name]) => name === parseMetricKey(s.metric).metric)?.[1];
    const e = parseThresholdExpression(s.expression);
    if (variable === undefined || e === null || !e.op.startsWith('<') || e.aggregation === 'count' || e.aggregation === 'rate') continue;
    limits.set(variable, Math.min(limits.get(variable) ?? Infinity, e.limit));
  }
  for (const [variable, ms] of limits) if (ms > 0) out[variable] = `${ms}ms`;
  return out;
}

const KINDS = new Map(METRIC_LIST.map((m) => [m.name, m.kind]));

/** Samples behind a check: a trend's count, a rate's passes + fails; null when not known (counters, k6 built-ins). */
function samples(report: ReportJson, metric: string): number | null {
  const kind = KINDS.get(parseMetricKey(metric).metric);
  if (kind === 'trend') return metricValue(report.summary, metric, 'count') ?? 0;
  if (kind === 'rate') return (metricValue(report.summary, metric, 'passes') ?? 0) + (metricValue(report.summary, metric, 'fails') ?? 0);
  return null;
}

/**
 * Each SLO's verdict on a step, from k6's own threshold results in the step's report (k6
 * evaluated the expressions it was given). A latency or rate SLO with no sample fails: a step
 * where no stream got a first event has not met a TTFE objective.
 */
export function checkSlos(slos: readonly Slo[], report: ReportJson): SloCheck[] {
  return slos.map((s) => {
    const result = report.thresholds.find((t) => t.metric === s.metric && t.expression === s.expression);
    if (result === undefined) return { ...s, ok: false, observed: null, note: 'not evaluated by k6' };
    if (samples(report, s.metric) === 0) return { ...s, ok: false, observed: result.observed, note: 'no samples' };
    return { ...s, ok: result.ok, observed: result.observed };
  });
}

/** Open model: iterations k6 could not start count against the step (the load was not offered). */
export const DROPPED_CHECK: Slo = { metric: 'dropped_iterations', expression: 'count==0' };

export function checkDropped(report: ReportJson): SloCheck {
  const dropped = report.figures.droppedIterations ?? 0;
  return { ...DROPPED_CHECK, ok: dropped === 0, observed: dropped };
}

/** `sse_ttfe p(95)<500`: how an SLO is named in tables and charts. */
export function sloLabel(s: Slo): string {
  return `${s.metric} ${s.expression.replace(/\s+/g, '')}`;
}
