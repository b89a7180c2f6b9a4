import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SeriesPoint } from './live-block.ts';
import { errorIntervals, hasLatencySamples } from './report-series.ts';

const point = (tSec: number, errorCounts: Record<string, number>, ttfeP95Ms: number | null = null): SeriesPoint => ({
  tSec,
  activeStreams: 0,
  connectionsPerSec: null,
  eventsPerSec: null,
  ttfeP95Ms,
  ttftP95Ms: null,
  errorCounts,
  cpuShare: null,
});

describe('errorIntervals', () => {
  it('turns running totals into failed streams per interval, types in ERROR_TYPES order', () => {
    const r = errorIntervals([point(5, {}), point(10, { timeout: 2 }), point(15, { http_5xx: 1, timeout: 2 }), point(20, { http_5xx: 4, timeout: 3 })]);
    expect(r.types).toEqual(['timeout', 'http_5xx']);
    expect(r.perInterval).toEqual({ timeout: [0, 2, 0, 1], http_5xx: [0, 0, 1, 3] });
  });

  it('counts the first sample from the start, puts unknown types last, and never goes negative', () => {
    const r = errorIntervals([point(5, { zzz_new: 1, connection_error: 3 }), point(10, { zzz_new: 1 }), point(15, { zzz_new: 2, connection_error: 3 })]);
    expect(r.types).toEqual(['connection_error', 'zzz_new']);
    expect(r.perInterval).toEqual({ connection_error: [3, 0, 0], zzz_new: [1, 0, 1] });
  });

  it('matches the recorded series fixture (1 timeout, then 2 http_5xx)', () => {
    const series = JSON.parse(readFileSync(new URL('../fixtures/series.json', import.meta.url), 'utf8')) as SeriesPoint[];
    const r = errorIntervals(series);
    expect(r.types).toEqual(['timeout', 'http_5xx']);
    expect(r.perInterval['timeout']!.reduce((a, b) => a + b, 0)).toBe(1);
    expect(r.perInterval['http_5xx']).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0]);
  });

  it('is empty without failures', () => {
    expect(errorIntervals([point(5, {})])).toEqual({ types: [], perInterval: {} });
  });
});

describe('hasLatencySamples', () => {
  it('is true once any sample has a TTFE or TTFT percentile', () => {
    expect(hasLatencySamples([point(5, {})])).toBe(false);
    expect(hasLatencySamples([point(5, {}), point(10, {}, 51)])).toBe(true);
    expect(hasLatencySamples([{ ...point(5, {}), ttftP95Ms: 70 }])).toBe(true);
  });
});
