/**
 * Reads k6's live, aggregated metrics from its REST API (`k6 run --address host:port`,
 * `GET /v1/metrics`). One request per interval, whatever the load: no per-event output.
 *
 * Response shape (k6 api/v1, JSON:API): `{ data: [{ type: 'metrics', id: <name>,
 * attributes: { type: 'counter'|'gauge'|'rate'|'trend', contains: 'default'|'time'|'data',
 * tainted, sample } }] }`. Samples: counter {count, rate}, gauge {value}, rate {rate},
 * trend {min, max, avg, med, p(90), p(95)} (fixed: the REST API ignores summaryTrendStats).
 * Sub-metrics that thresholds define (e.g. `sse_errors{error_type:timeout}`) appear as
 * their own entries.
 */
import { isRecord } from '../../lib/report/summary-data.ts';

export interface RestMetric {
  readonly type: string;
  readonly contains: string;
  readonly sample: Readonly<Record<string, number>>;
}

export interface MetricsSnapshot {
  /** Local clock (ms) when the response arrived; rates use the difference of two snapshots. */
  readonly takenAtMs: number;
  readonly metrics: ReadonlyMap<string, RestMetric>;
}

export class RestResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestResponseError';
  }
}

/** Validates and indexes a `/v1/metrics` body. Malformed entries are an error, not skipped. */
export function parseMetricsResponse(body: unknown, takenAtMs: number): MetricsSnapshot {
  if (!isRecord(body) || !Array.isArray(body.data)) {
    throw new RestResponseError('k6 REST /v1/metrics: expected {"data": [...]}');
  }
  const metrics = new Map<string, RestMetric>();
  for (const item of body.data as unknown[]) {
    const attrs = isRecord(item) ? item.attributes : undefined;
    if (!isRecord(item) || typeof item.id !== 'string' || !isRecord(attrs) || !isRecord(attrs.sample)) {
      throw new RestResponseError('k6 REST /v1/metrics: an entry lacks id or attributes.sample');
    }
    const sample: Record<string, number> = {};
    for (const [k, v] of Object.entries(attrs.sample)) if (typeof v === 'number') sample[k] = v;
    metrics.set(item.id, {
      type: typeof attrs.type === 'string' ? attrs.type : '',
      contains: typeof attrs.contains === 'string' ? attrs.contains : '',
      sample,
    });
  }
  return { takenAtMs, metrics };
}

/** A sample field of a metric, or 0 when k6 has not seen the metric yet. */
export function sampleValue(snap: MetricsSnapshot, metric: string, field: string): number {
  return snap.metrics.get(metric)?.sample[field] ?? 0;
}

export function counterCount(snap: MetricsSnapshot, metric: string): number {
  return sampleValue(snap, metric, 'count');
}

/** `name{tag:value}` entries of a metric, keyed by the tag value. */
export function subMetricCounts(snap: MetricsSnapshot, metric: string, tag: string): Map<string, number> {
  const prefix = `${metric}{${tag}:`;
  const out = new Map<string, number>();
  for (const [id, m] of snap.metrics) {
    if (id.startsWith(prefix) && id.endsWith('}')) out.set(id.slice(prefix.length, -1), m.sample.count ?? 0);
  }
  return out;
}

/** GET http://<address>/v1/metrics with a deadline. Rejects on network error or non-200. */
export async function fetchMetrics(address: string, now: () => number, timeoutMs = 2_000): Promise<MetricsSnapshot> {
  const res = await fetch(`http://${address}/v1/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
  if (res.status !== 200) {
    await res.body?.cancel();
    throw new RestResponseError(`k6 REST /v1/metrics answered HTTP ${res.status}`);
  }
  return parseMetricsResponse(await res.json(), now());
}
