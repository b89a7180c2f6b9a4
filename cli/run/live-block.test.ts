import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMetricsResponse } from './k6-rest.ts';
import { computeLiveFigures, renderLiveBlock, renderLiveLine, toSeriesPoint } from './live-block.ts';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));
// Recorded 5 s apart (local clock): t=10 s and t=15 s of a 10-VU run.
const t10 = parseMetricsResponse(fixture('rest-metrics-t10.json'), 1_000_000);
const t15 = parseMetricsResponse(fixture('rest-metrics-t15.json'), 1_005_000);

describe('computeLiveFigures', () => {
  it('derives active streams, rates over the snapshot gap and totals', () => {
    const f = computeLiveFigures(t10, t15, 15, { coresUsed: 0.7, share: 0.35 }, 2);
    expect(f.activeStreams).toBe(42 - 34);
    expect(f.connectionsPerSec).toBeCloseTo((42 - 30) / 5, 10); // 2.4
    expect(f.eventsPerSec).toBeCloseTo((629 - 400) / 5, 10); // 45.8
    expect(f.ttfeAvgMs).toBe(42.125);
    expect(f.ttfeP95Ms).toBe(58.875);
    expect(f.totalConnections).toBe(42);
    expect(f.totalEvents).toBe(629);
    expect(f.errors).toBe(3);
    expect(f.errorsByType).toEqual([
      ['http_5xx', 2],
      ['timeout', 1],
    ]);
    expect(f.vus).toBe(10);
    expect(f.droppedIterations).toBe(4);
  });

  it('has no rates for the first snapshot and drops zero error types', () => {
    const f = computeLiveFigures(null, t10, 10, null, 2);
    expect(f.connectionsPerSec).toBeNull();
    expect(f.eventsPerSec).toBeNull();
    expect(f.activeStreams).toBe(8);
    expect(f.errorsByType).toEqual([['timeout', 1]]);
  });

  it('reports no TTFE before k6 has seen one', () => {
    const empty = parseMetricsResponse({ data: [] }, 0);
    const f = computeLiveFigures(null, empty, 0, null, 1);
    expect(f.ttfeAvgMs).toBeNull();
    expect(f.activeStreams).toBe(0);
    expect(renderLiveLine(f)).toContain('ttfe_avg_ms=– ttfe_p95_ms=–');
  });
});

describe('rendering', () => {
  const f = computeLiveFigures(t10, t15, 15, { coresUsed: 0.7, share: 0.35 }, 2);

  it('renders the terminal block', () => {
    expect(renderLiveBlock(f)).toBe(
      [
        '── Live Metrics (0m15s) ──',
        '  Active Streams:     8',
        '  Connection Rate:    2.40 conn/sec',
        '  Event Throughput:   45.80 events/sec',
        '  TTFE avg / p95:     42.1 ms / 58.9 ms',
        '  Total Connections:  42',
        '  Total Events:       629',
        '  Errors:             3 (http_5xx 2, timeout 1)',
        '  VUs:                10',
        '  Generator CPU:      35% of 2 cores',
        '  Dropped Iterations: 4 (k6 ran out of VUs)',
      ].join('\n'),
    );
  });

  it('renders one plain line for non-TTY output', () => {
    expect(renderLiveLine(f)).toBe(
      '[live 0m15s] active=8 conn/s=2.40 events/s=45.80 ttfe_avg_ms=42.1 ttfe_p95_ms=58.9 connections=42 events=629 ' +
        'errors=3 (http_5xx=2 timeout=1) vus=10 cpu=35%/2 dropped_iterations=4',
    );
  });

  it('turns figures into a time-series point', () => {
    expect(toSeriesPoint(f)).toEqual({
      tSec: 15,
      activeStreams: 8,
      connectionsPerSec: f.connectionsPerSec,
      eventsPerSec: f.eventsPerSec,
      ttfeP95Ms: 58.875,
      ttftP95Ms: null, // the t=15 s answer has no sse_ttft
      errorCounts: { http_5xx: 2, timeout: 1 },
      cpuShare: 0.35,
    });
    const first = toSeriesPoint(computeLiveFigures(null, t10, 10, null, 2));
    expect([first.ttftP95Ms, first.errorCounts, first.cpuShare]).toEqual([90.5, { timeout: 1 }, null]);
  });
});
