/**
 * Derives the report figures (lib/report-fields.ts), the errors by type and the
 * threshold results from k6's summary data. Pure arithmetic on `data.metrics`.
 *
 * Absent metrics: a counter k6 did not report had no samples, so it counts 0 (k6 only
 * lists metrics that got samples or have thresholds); a trend or rate with no samples
 * gives `null` (there is no average of nothing).
 */
import { ERROR_TYPES, type ErrorType } from '../error-types.ts';
import { EXTENSION_EVENT_METRIC, METRICS } from '../metric-defs.ts';
import type { Figures } from '../report-fields.ts';
import { metricValue, subMetricsByTag, type SummaryData } from './summary-data.ts';
import { isReportOnly, parseThresholdExpression } from '../init/thresholds.ts';

/** A threshold k6 evaluated: the metric key it is on, its expression, and whether it held. */
export interface ThresholdResult {
  /** Metric or sub-metric key, e.g. `sse_ttfe` or `sse_errors{error_type:timeout}`. */
  readonly metric: string;
  /** The expression as written, e.g. `p(95)<500`. */
  readonly expression: string;
  readonly ok: boolean;
  /** The metric's value for the expression's aggregation (`p(95)`, `rate`…), when the summary has it. */
  readonly observed: number | null;
}

const M = METRICS;

function count(data: SummaryData, key: string): number {
  return metricValue(data, key, 'count') ?? 0;
}

/** Events per second etc.: `null` when the run has no duration to divide by. */
function perSecond(total: number, durationMs: number): number | null {
  return durationMs > 0 ? total / (durationMs / 1000) : null;
}

/** `sse_event` count; else the sum of `sse_events_per_stream` (avg × count); else 0. */
function totalEvents(data: SummaryData): number {
  const extension = metricValue(data, EXTENSION_EVENT_METRIC, 'count');
  if (extension !== null) return extension;
  const avg = metricValue(data, M.eventsPerStream.name, 'avg');
  const streams = metricValue(data, M.eventsPerStream.name, 'count');
  return avg !== null && streams !== null ? Math.round(avg * streams) : 0;
}

/** Streams per second that met the SLO: `sse_goodput` passes over the run; `null` when the run recorded no `sse_goodput`. */
function goodputPerSecond(data: SummaryData, durationMs: number): number | null {
  const passes = metricValue(data, M.goodput.name, 'passes');
  return passes === null ? null : perSecond(passes, durationMs);
}

/** Every figure of REPORT_FIGURES from one summary. */
export function computeFigures(data: SummaryData): Figures {
  const durationMs = data.state.testRunDurationMs;
  const connections = count(data, M.streamsOpened.name);
  const events = totalEvents(data);
  const trend = (name: string, stat: string): number | null => metricValue(data, name, stat);
  return {
    totalConnections: connections,
    totalEvents: events,
    ttfeAvgMs: trend(M.ttfe.name, 'avg'),
    ttfeSamples: trend(M.ttfe.name, 'count') ?? 0,
    connectionRate: perSecond(connections, durationMs),
    eventThroughput: perSecond(events, durationMs),
    requestsPerSecond: metricValue(data, 'http_reqs', 'rate') ?? (durationMs > 0 ? 0 : null),
    goodputPerSecond: goodputPerSecond(data, durationMs),
    ttfeMedMs: trend(M.ttfe.name, 'med'),
    ttfeP95Ms: trend(M.ttfe.name, 'p(95)'),
    ttfeP99Ms: trend(M.ttfe.name, 'p(99)'),
    ttftAvgMs: trend(M.ttft.name, 'avg'),
    ttftMedMs: trend(M.ttft.name, 'med'),
    ttftP95Ms: trend(M.ttft.name, 'p(95)'),
    openTimeP95Ms: trend(M.openTime.name, 'p(95)'),
    streamDurationAvgMs: trend(M.streamDuration.name, 'avg'),
    streamDurationP95Ms: trend(M.streamDuration.name, 'p(95)'),
    gapMeanAvgMs: trend(M.gapMean.name, 'avg'),
    gapMaxP95Ms: trend(M.gapMax.name, 'p(95)'),
    eventsPerStreamAvg: trend(M.eventsPerStream.name, 'avg'),
    dataReceived: metricValue(data, 'data_received', 'count'),
    dataBytes: metricValue(data, M.dataBytes.name, 'count'),
    successRate: metricValue(data, M.streamSuccess.name, 'rate'),
    goodputRate: metricValue(data, M.goodput.name, 'rate'),
    failedStreams: count(data, M.errors.name),
    streamsOpenAtEnd: connections - count(data, M.streamsClosed.name),
    droppedIterations: count(data, 'dropped_iterations'),
    vusMax: metricValue(data, 'vus_max', 'max') ?? metricValue(data, 'vus_max', 'value'),
    testDurationMs: durationMs,
    outputTokens: count(data, M.llmOutputTokens.name),
    tokensPerSecondAvg: trend(M.llmTokensPerSecond.name, 'avg'),
    timePerOutputTokenAvgMs: trend(M.llmTimePerOutputToken.name, 'avg'),
    difyWorkflowAvgMs: trend(M.difyWorkflowElapsed.name, 'avg'),
  };
}

/**
 * Failed streams per `error_type`, from the `sse_errors{error_type:X}` sub-metrics
 * (the report-only thresholds make k6 compute them). A type with no sub-metric counts 0.
 */
export function errorsByType(data: SummaryData): Record<ErrorType, number> {
  const subs = subMetricsByTag(data, M.errors.name, 'error_type');
  const out = {} as Record<ErrorType, number>;
  for (const type of ERROR_TYPES) out[type] = subs.get(type)?.values['count'] ?? 0;
  return out;
}

/** `p(95)<500` → `p(95)`; `rate>0.99` → `rate`; `null` when the expression has no aggregation. */
export function thresholdAggregation(expression: string): string | null {
  return parseThresholdExpression(expression)?.aggregation ?? null;
}

/** The thresholds that gate the run (report-only ones left out), sorted by metric then expression. */
export function thresholdResults(data: SummaryData): ThresholdResult[] {
  const out: ThresholdResult[] = [];
  for (const [metric, summary] of Object.entries(data.metrics)) {
    for (const [expression, result] of Object.entries(summary.thresholds ?? {})) {
      if (isReportOnly(metric, expression)) continue;
      const stat = thresholdAggregation(expression);
      out.push({ metric, expression, ok: result.ok, observed: stat === null ? null : metricValue(data, metric, stat) });
    }
  }
  return out.sort((a, b) => (a.metric === b.metric ? cmp(a.expression, b.expression) : cmp(a.metric, b.metric)));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
