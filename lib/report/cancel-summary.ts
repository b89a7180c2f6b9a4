/**
 * The reports' "Cancelled streams" section (CANCEL_RATE, lib/vu/cancel.ts): how many streams the
 * client stopped, their share, the stop latency and refused stops, from k6's summary. Absent when
 * the run stopped nothing by design (no `sse_stream_cancelled` samples: CANCEL_RATE unset).
 * Pure: no k6 import, no I/O.
 */
import { METRICS } from '../metric-defs.ts';
import { isRecord, metricValue, type SummaryData } from './summary-data.ts';

export interface CancelSummary {
  /** `sse_streams_cancelled` count: streams stopped by the client that ended without a fault. */
  readonly streams: number;
  /** `sse_stream_cancelled` rate: their share of the `stream` scenario's streams (0–1). */
  readonly rate: number | null;
  /** `sse_stop_latency` med and p(95), ms: stop sent → stream ended. */
  readonly stopLatencyMedMs: number | null;
  readonly stopLatencyP95Ms: number | null;
  /** `sse_stop_failed` count: Dify stop requests not answered 2xx. */
  readonly stopFailed: number;
}

const KEYS = ['streams', 'rate', 'stopLatencyMedMs', 'stopLatencyP95Ms', 'stopFailed'] as const;

/** The section's figures, or `null` when the run had no CANCEL_RATE. */
export function cancelSummary(data: SummaryData): CancelSummary | null {
  const rate = metricValue(data, METRICS.streamCancelled.name, 'rate');
  if (data.metrics[METRICS.streamCancelled.name] === undefined) return null;
  return {
    streams: metricValue(data, METRICS.streamsCancelled.name, 'count') ?? 0,
    rate,
    stopLatencyMedMs: metricValue(data, METRICS.stopLatency.name, 'med'),
    stopLatencyP95Ms: metricValue(data, METRICS.stopLatency.name, 'p(95)'),
    stopFailed: metricValue(data, METRICS.stopFailed.name, 'count') ?? 0,
  };
}

/** Why a `cancelled` field read back from a JSON report is not a CancelSummary; `null` when it is. */
export function cancelSummaryProblem(value: unknown): string | null {
  if (!isRecord(value)) return 'expected an object';
  for (const key of KEYS) {
    const v = value[key];
    if (v !== null && (typeof v !== 'number' || !Number.isFinite(v))) return `${key}: expected a number or null`;
  }
  return null;
}

const ms = (v: number | null): string => (v === null ? 'n/a' : `${Number(v.toFixed(2))} ms`);

/** Label/value rows, as the text and HTML reports show them. */
export function cancelRows(c: CancelSummary): [string, string][] {
  return [
    ['Cancelled Streams', `${c.streams}${c.rate === null ? '' : ` (${Number((c.rate * 100).toFixed(2))} % of stream-scenario streams)`}`],
    ['Stop Latency p50', ms(c.stopLatencyMedMs)],
    ['Stop Latency p95', ms(c.stopLatencyP95Ms)],
    ['Refused Stops', String(c.stopFailed)],
  ];
}
