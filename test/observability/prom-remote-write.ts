/**
 * What k6's `experimental-prometheus-rw` output sends, for the live Prometheus tests:
 * - `k6FlushSeries` replays k6's aggregation: every push interval, each k6 time series
 *   (metric + tag set) that got samples is written as `k6_<name>_total` (counter: running
 *   sum), `k6_<name>_rate` (rate: share of non-zero samples so far) or one gauge per
 *   trend stat `k6_<name>_<stat>` (p(N) → pN) over every sample so far, time trends
 *   converted from ms to seconds — as in k6's remotewrite.go and trend.go (k6's
 *   TrendSink percentile: linear interpolation between ranks). Trends as native
 *   histograms are replayed by native-histogram.ts.
 * - `encodeWriteRequest` + `remoteWrite` build and send the remote-write body as k6 does:
 *   a protobuf `prometheus.WriteRequest` (protobufjs, from the schema below), snappy
 *   block-compressed (snappyjs).
 */
import protobuf from 'protobufjs';
import { compress, uncompress } from 'snappyjs';
import type { FixtureSample } from './k6-run-fixture.ts';

/** One native histogram sample as remote write carries it (integer counts, positive buckets only). */
export interface NativeHistogramSample {
  readonly timestampMs: number;
  readonly count: number;
  readonly sum: number;
  readonly schema: number;
  readonly zeroThreshold: number;
  readonly zeroCount: number;
  readonly positiveSpans: readonly { readonly offset: number; readonly length: number }[];
  /** Each bucket's count minus the previous bucket's (the first: minus 0). */
  readonly positiveDeltas: readonly number[];
}

export interface PromSeries {
  /** Sorted by name, `__name__` included (remote-write requires sorted labels). */
  readonly labels: readonly (readonly [string, string])[];
  readonly samples: readonly { readonly value: number; readonly timestampMs: number }[];
  readonly histograms?: readonly NativeHistogramSample[];
}

/** k6 TrendSink.P: linear interpolation between the closest ranks. */
export function k6Percentile(sorted: readonly number[], pct: number): number {
  if (sorted.length === 0) return 0;
  if (sorted.length === 1) return sorted[0] ?? 0;
  const i = pct * (sorted.length - 1);
  const lo = sorted[Math.floor(i)] ?? 0;
  const hi = sorted[Math.ceil(i)] ?? 0;
  return lo + (hi - lo) * (i - Math.floor(i));
}

/** `p(95)` → [`p95`, value fn]; avg, min, max, med, count, sum as k6 names them. */
function trendStat(stat: string): [string, (sorted: readonly number[]) => number] {
  const p = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat);
  if (p !== null) return [`p${(p[1] ?? '').replace('.', '')}`, (s) => k6Percentile(s, Number(p[1]) / 100)];
  const sum = (s: readonly number[]): number => s.reduce((a, b) => a + b, 0);
  const fns: Record<string, (s: readonly number[]) => number> = {
    avg: (s) => sum(s) / s.length,
    min: (s) => s[0] ?? 0,
    max: (s) => s[s.length - 1] ?? 0,
    med: (s) => k6Percentile(s, 0.5),
    count: (s) => s.length,
    sum,
  };
  const fn = fns[stat];
  if (fn === undefined) throw new Error(`unknown trend stat ${stat}`);
  return [stat, fn];
}

/** The series k6 pushes for `samples` (ms after t0) with the given push interval and trend stats. */
export function k6FlushSeries(samples: readonly FixtureSample[], t0Ms: number, pushIntervalMs: number, trendStats: string): PromSeries[] {
  const stats = trendStats.split(',').map((s) => trendStat(s.trim()));
  const bySeries = new Map<string, FixtureSample[]>();
  for (const s of samples) {
    const key = JSON.stringify([s.metric, Object.entries(s.tags).sort()]);
    bySeries.set(key, [...(bySeries.get(key) ?? []), s]);
  }
  const out = new Map<string, { labels: [string, string][]; samples: { value: number; timestampMs: number }[] }>();
  const emit = (name: string, tags: Readonly<Record<string, string>>, timestampMs: number, value: number): void => {
    const labels: [string, string][] = [['__name__', name], ...Object.entries(tags).filter(([, v]) => v !== '')];
    labels.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const key = JSON.stringify(labels);
    const entry = out.get(key) ?? { labels, samples: [] };
    entry.samples.push({ value, timestampMs });
    out.set(key, entry);
  };
  for (const series of bySeries.values()) {
    const first = series[0];
    if (first === undefined) continue;
    const lastMs = series[series.length - 1]?.atMs ?? 0;
    for (let flush = pushIntervalMs; flush - pushIntervalMs <= lastMs; flush += pushIntervalMs) {
      const upTo = series.filter((s) => s.atMs < flush);
      if (!series.some((s) => s.atMs >= flush - pushIntervalMs && s.atMs < flush)) continue; // only series with new samples
      const ts = t0Ms + flush;
      const values = upTo.map((s) => s.value);
      if (first.kind === 'counter') emit(`k6_${first.metric}_total`, first.tags, ts, values.reduce((a, b) => a + b, 0));
      else if (first.kind === 'rate') emit(`k6_${first.metric}_rate`, first.tags, ts, values.filter((v) => v !== 0).length / values.length);
      else {
        const sorted = values.map((v) => (first.isTime ? v / 1000 : v)).sort((a, b) => a - b);
        for (const [suffix, fn] of stats) emit(`k6_${first.metric}_${suffix}`, first.tags, ts, fn(sorted));
      }
    }
  }
  return [...out.values()];
}

// ---------------------------------------------------------------- protobuf + snappy

/**
 * The part of Prometheus' remote-write schema (prompb/types.proto, remote.proto) a k6
 * push uses: samples for counters, rates and trend-stat gauges, native histograms for
 * trends with K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM=true. Field numbers as upstream.
 */
const REMOTE_WRITE_PROTO = `
syntax = "proto3";
package prometheus;
message WriteRequest { repeated TimeSeries timeseries = 1; }
message TimeSeries {
  repeated Label labels = 1;
  repeated Sample samples = 2;
  repeated Histogram histograms = 4;
}
message Label { string name = 1; string value = 2; }
message Sample { double value = 1; int64 timestamp = 2; }
message BucketSpan { sint32 offset = 1; uint32 length = 2; }
message Histogram {
  oneof count { uint64 count_int = 1; double count_float = 2; }
  double sum = 3;
  sint32 schema = 4;
  double zero_threshold = 5;
  oneof zero_count { uint64 zero_count_int = 6; double zero_count_float = 7; }
  repeated BucketSpan negative_spans = 8;
  repeated sint64 negative_deltas = 9;
  repeated BucketSpan positive_spans = 11;
  repeated sint64 positive_deltas = 12;
  int64 timestamp = 15;
}
`;

const WriteRequest = protobuf.parse(REMOTE_WRITE_PROTO).root.lookupType('prometheus.WriteRequest');

/** prometheus.WriteRequest, protobuf-encoded. */
export function encodeWriteRequest(series: readonly PromSeries[]): Uint8Array {
  const timeseries = series.map((s) => ({
    labels: s.labels.map(([name, value]) => ({ name, value })),
    samples: s.samples.map((x) => ({ value: x.value, timestamp: x.timestampMs })),
    histograms: (s.histograms ?? []).map((h) => ({
      countInt: h.count,
      sum: h.sum,
      schema: h.schema,
      zeroThreshold: h.zeroThreshold,
      zeroCountInt: h.zeroCount,
      positiveSpans: h.positiveSpans,
      positiveDeltas: h.positiveDeltas,
      timestamp: h.timestampMs,
    })),
  }));
  return WriteRequest.encode(WriteRequest.fromObject({ timeseries })).finish();
}

/** Decodes a WriteRequest body (snappy + protobuf) back to plain objects: for the encoder's own test. */
export function decodeWriteRequest(body: Uint8Array): Record<string, unknown> {
  return WriteRequest.toObject(WriteRequest.decode(uncompress(body)), { longs: Number, defaults: false, oneofs: false });
}

/** POSTs series to a remote-write endpoint as k6 does (`Content-Encoding: snappy`, protobuf). */
export async function remoteWrite(url: string, series: readonly PromSeries[]): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'Content-Encoding': 'snappy',
      'Content-Type': 'application/x-protobuf',
      'X-Prometheus-Remote-Write-Version': '0.1.0',
    },
    body: compress(encodeWriteRequest(series)),
  });
  if (!res.ok) throw new Error(`remote write failed: ${res.status} ${await res.text()}`);
}
