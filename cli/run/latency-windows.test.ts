import { describe, expect, it } from 'vitest';
import { hasWindows, k6Percentile, MAX_WINDOWS, WindowCollector } from './latency-windows.ts';

describe('k6Percentile', () => {
  it('interpolates between ranks like k6’s TrendSink', () => {
    expect(k6Percentile([100, 200, 300], 95)).toBeCloseTo(290, 9);
    expect(k6Percentile([150, 250, 350, 450], 50)).toBe(300);
    expect(k6Percentile([7], 99)).toBe(7);
    expect(k6Percentile([], 50)).toBeNull();
  });
});

describe('WindowCollector', () => {
  const T0 = 1_700_000_000_000;

  it('puts each sample in its window from the run start and computes each window’s percentiles alone', () => {
    const c = new WindowCollector(T0, 5);
    for (const [atS, v] of [
      [0.5, 10],
      [4.999, 30],
      [5, 200],
      [9, 400],
      [12, 20],
    ] as const) {
      c.add({ metric: 'sse_ttfe', atMs: T0 + atS * 1000, value: v });
    }
    c.add({ metric: 'sse_stream_duration', atMs: T0 + 1000, value: 900 });
    c.add({ metric: 'sse_ttfe', atMs: T0 - 200, value: 11 }); // before the start: window 0
    c.add({ metric: 'http_req_duration', atMs: T0, value: 1 }); // not charted
    const w = c.result();
    expect(w?.tSec).toEqual([0, 5, 10]);
    expect(w?.metrics.ttfe).toEqual({ n: [3, 2, 1], p50: [11, 300, 20], p95: [expect.closeTo(28.1, 9), 390, 20], p99: [expect.closeTo(29.62, 9), 398, 20] });
    expect(w?.metrics.ttft).toEqual({ n: [0, 0, 0], p50: [null, null, null], p95: [null, null, null], p99: [null, null, null] });
    expect(w?.metrics.streamDuration.p95).toEqual([900, null, null]);
    expect(hasWindows(w ?? null)).toBe(true);
  });

  it('has no windows without samples', () => {
    const c = new WindowCollector(T0, 5);
    c.add({ metric: 'sse_event', atMs: T0, value: 1 });
    c.add({ metric: 'sse_ttfe', atMs: T0 + MAX_WINDOWS * 5000, value: 1 }); // far off the run: dropped, not allocated
    c.add({ metric: 'sse_ttfe', atMs: NaN, value: 1 });
    expect(c.result()).toBeNull();
    expect(hasWindows(null)).toBe(false);
  });
});
