/**
 * What k6's `experimental-prometheus-rw` output sends, for the live Prometheus test:
 * - `k6FlushSeries` replays k6's aggregation: every push interval, each k6 time series
 *   (metric + tag set) that got samples is written as `k6_<name>_total` (counter: running
 *   sum), `k6_<name>_rate` (rate: share of non-zero samples so far) or one gauge per
 *   trend stat `k6_<name>_<stat>` (p(N) → pN) over every sample so far, time trends
 *   converted from ms to seconds — as in xk6-output-prometheus-remote's remotewrite.go
 *   and trend.go (k6's TrendSink percentile: linear interpolation between ranks).
 * - `encodeWriteRequest` + `snappyLiteral` build the remote-write body: a protobuf
 *   `prometheus.WriteRequest`, snappy block-compressed. Hand-written (about 40 lines)
 *   rather than adding protobuf and snappy packages for one test: snappy's format allows
 *   a block made only of literals, and the message has four small fixed types.
 */
import type { FixtureSample } from './k6-run-fixture.ts';

export interface PromSeries {
  /** Sorted by name, `__name__` included (remote-write requires sorted labels). */
  readonly labels: readonly (readonly [string, string])[];
  readonly samples: readonly { readonly value: number; readonly timestampMs: number }[];
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

function varint(n: number | bigint): number[] {
  let v = BigInt(n);
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}
const bytesField = (field: number, bytes: readonly number[] | Uint8Array): number[] => [(field << 3) | 2, ...varint(bytes.length), ...bytes];
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** prometheus.WriteRequest{timeseries: [TimeSeries{labels: [Label{name, value}], samples: [Sample{value, timestamp}]}]} */
export function encodeWriteRequest(series: readonly PromSeries[]): Uint8Array {
  const out: number[] = [];
  for (const s of series) {
    const ts: number[] = [];
    for (const [name, value] of s.labels) ts.push(...bytesField(1, [...bytesField(1, utf8(name)), ...bytesField(2, utf8(value))]));
    for (const sample of s.samples) {
      const dbl = new Uint8Array(8);
      new DataView(dbl.buffer).setFloat64(0, sample.value, true);
      ts.push(...bytesField(2, [(1 << 3) | 1, ...dbl, (2 << 3) | 0, ...varint(sample.timestampMs)]));
    }
    out.push(...bytesField(1, ts));
  }
  return Uint8Array.from(out);
}

/** A valid snappy block holding `data` as literals only (no compression; any decoder accepts it). */
export function snappyLiteral(data: Uint8Array): Uint8Array {
  const out: number[] = varint(data.length);
  for (let off = 0; off < data.length; off += 65536) {
    const chunk = data.subarray(off, Math.min(off + 65536, data.length));
    const n = chunk.length - 1;
    if (n < 60) out.push(n << 2);
    else if (n < 256) out.push(60 << 2, n);
    else out.push(61 << 2, n & 0xff, n >> 8);
    out.push(...chunk);
  }
  return Uint8Array.from(out);
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
    body: snappyLiteral(encodeWriteRequest(series)),
  });
  if (!res.ok) throw new Error(`remote write failed: ${res.status} ${await res.text()}`);
}
