import { describe, expect, it } from 'vitest';
import { METRICS } from '../../lib/metric-defs.ts';
import { bucketGrowth, K6_NATIVE_HISTOGRAM_SCHEMA, rwNativeHistogramName, rwStatSuffix, rwTrendStatName } from '../../lib/prometheus-rw.ts';
import type { FixtureSample } from './k6-run-fixture.ts';
import { bucketIndex, bucketUpperBound, K6_ZERO_THRESHOLD, k6FlushNativeHistograms, k6FlushNativeRun, k6StaleMarkers, NativeHistogram, pickSchema, STALE_NAN } from './native-histogram.ts';
import { decodeWriteRequest, encodeWriteRequest } from './prom-remote-write.ts';
import { compress } from 'snappyjs';

describe('k6 remote-write names (lib/prometheus-rw.ts)', () => {
  it('native histograms: _seconds for time trends, no suffix for unitless ones; refuses non-trends', () => {
    expect(rwNativeHistogramName(METRICS.ttfe)).toBe('k6_sse_ttfe_seconds');
    expect(rwNativeHistogramName(METRICS.gapMax)).toBe('k6_sse_stream_gap_max_seconds');
    expect(rwNativeHistogramName(METRICS.llmTokensPerSecond)).toBe('k6_llm_tokens_per_second');
    expect(() => rwNativeHistogramName(METRICS.streamsOpened)).toThrow('only trends');
  });

  it('trend-stat gauges as k6 names them', () => {
    expect(rwStatSuffix('p(95)')).toBe('p95');
    expect(rwStatSuffix('p(99.9)')).toBe('p999');
    expect(rwStatSuffix('avg')).toBe('avg');
    expect(rwTrendStatName('sse_ttfe', 'p(99)')).toBe('k6_sse_ttfe_p99');
  });
});

describe('native histogram buckets as client_golang makes them', () => {
  it('k6’s bucket factor 1.1 gives schema 3 (growth 2^(1/8) ≈ 9.05 %)', () => {
    expect(pickSchema(1.1)).toBe(K6_NATIVE_HISTOGRAM_SCHEMA);
    expect([pickSchema(2), pickSchema(1.5), pickSchema(1.005), pickSchema(65536)]).toEqual([0, 1, 8, -4]);
    expect(() => pickSchema(1)).toThrow('above 1');
    expect(bucketGrowth(3)).toBeCloseTo(0.0905077, 6);
  });

  it('bucket i holds (2^((i−1)/8), 2^(i/8)], upper bound included', () => {
    expect([1, 2, 0.5].map((v) => bucketIndex(v, 3))).toEqual([0, 8, -8]);
    const b1 = bucketUpperBound(1, 3);
    expect(bucketIndex(b1, 3)).toBe(1);
    expect(bucketIndex(b1 * (1 + 1e-12), 3)).toBe(2);
    expect(bucketIndex(1 + 1e-12, 3)).toBe(1);
    // 0.113 s: 2^(-26/8) ≈ 0.10511 < 0.113 ≤ 2^(-25/8) ≈ 0.11502
    expect(bucketIndex(0.113, 3)).toBe(-25);
    expect(() => bucketIndex(0, 3)).toThrow('positive');
  });

  it('spans and deltas: new span at a gap of three, small gaps filled with empty buckets; zero bucket counted apart', () => {
    const h = new NativeHistogram();
    for (const v of [1, 0.95, 1.05, 1.4, 2, 0]) h.observe(v);
    expect(h.toSample(1234)).toEqual({
      timestampMs: 1234,
      count: 6,
      sum: 1 + 0.95 + 1.05 + 1.4 + 2,
      schema: 3,
      zeroThreshold: K6_ZERO_THRESHOLD,
      zeroCount: 1,
      // buckets 0 (×2), 1, 4 (2 and 3 empty, filled), 8 (after a gap of 3: new span)
      positiveSpans: [
        { offset: 0, length: 5 },
        { offset: 3, length: 1 },
      ],
      positiveDeltas: [2, -1, -1, 0, 1, 0],
    });
    expect(() => h.observe(-1)).toThrow('never negative');
  });
});

describe('k6’s native-histogram pushes', () => {
  const sample = (metric: string, isTime: boolean, atS: number, value: number): FixtureSample => ({
    metric,
    kind: 'trend',
    isTime,
    atMs: atS * 1000,
    value,
    tags: { instance_id: '1', scenario: 'stream', target: '', testid: 't' },
  });

  it('cumulative per series, pushed only after new samples, stamped with the latest sample; ms → s for time trends', () => {
    const series = k6FlushNativeHistograms([sample('sse_ttfe', true, 1, 1000), sample('sse_ttfe', true, 2, 2000), sample('sse_ttfe', true, 17, 500)], 1_000_000, 5000);
    expect(series).toHaveLength(1);
    expect(series[0]?.labels).toEqual([
      ['__name__', 'k6_sse_ttfe_seconds'],
      ['instance_id', '1'],
      ['scenario', 'stream'],
      ['testid', 't'],
    ]);
    expect(series[0]?.histograms?.map((h) => [h.timestampMs, h.count, h.sum])).toEqual([
      [1_002_000, 2, 3],
      [1_017_000, 3, 3.5],
    ]);
    const unitless = k6FlushNativeHistograms([sample('llm_tokens_per_second', false, 1, 40)], 0, 5000);
    expect(unitless[0]?.labels[0]).toEqual(['__name__', 'k6_llm_tokens_per_second']);
    expect(unitless[0]?.histograms?.[0]).toMatchObject({ sum: 40, positiveSpans: [{ offset: bucketIndex(40, 3), length: 1 }] });
  });

  it('stale markers: one StaleNaN sample per series, 1 ms after the stop, bit for bit through the encoder', () => {
    const series = k6FlushNativeRun([sample('sse_ttfe', true, 1, 100)], 0, 5000);
    const markers = k6StaleMarkers(series, 7000);
    expect(markers).toEqual([{ labels: series[0]?.labels, samples: [{ value: STALE_NAN, timestampMs: 7001 }] }]);
    // DataView keeps a NaN's payload (a Float64Array built from a number may quiet it)
    const bits = (v: number): bigint => {
      const view = new DataView(new ArrayBuffer(8));
      view.setFloat64(0, v, true);
      return view.getBigUint64(0, true);
    };
    expect(bits(STALE_NAN)).toBe(0x7ff0000000000002n);
    // on the wire: field 1 (double) of Sample, little-endian 0x7ff0000000000002
    expect(Buffer.from(encodeWriteRequest(markers)).toString('hex')).toContain('09020000000000f07f');
  });

  it('a native run pushes counters as usual and no trend-stat gauge', () => {
    const counter: FixtureSample = { metric: 'sse_streams_opened', kind: 'counter', isTime: false, atMs: 1000, value: 1, tags: { testid: 't' } };
    const names = k6FlushNativeRun([counter, sample('sse_ttfe', true, 1, 100)], 0, 5000).map((s) => s.labels[0]?.[1]);
    expect(names).toEqual(['k6_sse_streams_opened_total', 'k6_sse_ttfe_seconds']);
  });
});

describe('remote-write encoding (protobufjs + snappyjs)', () => {
  it('round-trips labels, float samples and native histograms with negative offsets and deltas', () => {
    const h = new NativeHistogram();
    for (const v of [0.113, 0.2, 0.21]) h.observe(v);
    const body = compress(
      encodeWriteRequest([
        { labels: [['__name__', 'k6_sse_streams_opened_total']], samples: [{ value: 3, timestampMs: 1_700_000_000_123 }] },
        { labels: [['__name__', 'k6_sse_ttfe_seconds']], samples: [], histograms: [h.toSample(1_700_000_000_456)] },
      ]),
    );
    expect(decodeWriteRequest(body)).toEqual({
      timeseries: [
        { labels: [{ name: '__name__', value: 'k6_sse_streams_opened_total' }], samples: [{ value: 3, timestamp: 1_700_000_000_123 }] },
        {
          labels: [{ name: '__name__', value: 'k6_sse_ttfe_seconds' }],
          histograms: [
            {
              countInt: 3,
              sum: 0.113 + 0.2 + 0.21,
              schema: 3,
              zeroThreshold: K6_ZERO_THRESHOLD,
              zeroCountInt: 0,
              // 0.113 → −25; 0.2, 0.21 → −18 (2^(−19/8) ≈ 0.1927 < 0.2 < 0.21 ≤ 2^(−18/8) ≈ 0.2102)
              positiveSpans: [
                { offset: -25, length: 1 },
                { offset: 6, length: 1 },
              ],
              positiveDeltas: [1, 1],
              timestamp: 1_700_000_000_456,
            },
          ],
        },
      ],
    });
  });
});
