import { describe, expect, it } from 'vitest';
import type { SummaryData, SummaryMetric } from './summary-data.ts';
import { computeFigures, errorsByType, thresholdAggregation, thresholdResults } from './summary-figures.ts';
import { FIGURE_KEYS } from '../report-fields.ts';
import { k6Summary } from './summary-data.fixture.ts';

function without(data: SummaryData, ...names: string[]): SummaryData {
  const metrics: Record<string, SummaryMetric> = { ...data.metrics };
  for (const n of names) delete metrics[n];
  return { ...data, metrics };
}

describe('computeFigures', () => {
  it('derives every figure from a k6 v1.3 summary', () => {
    expect(computeFigures(k6Summary())).toEqual({
      totalConnections: 250,
      totalEvents: 5000,
      ttfeAvgMs: 42.5,
      ttfeSamples: 244,
      connectionRate: 4, // 250 / 62.5 s
      eventThroughput: 80, // 5000 / 62.5 s
      requestsPerSecond: 4,
      goodputPerSecond: 3.2, // 200 passes / 62.5 s
      ttfeMedMs: 41,
      ttfeP95Ms: 48.25,
      ttfeP99Ms: 97.3,
      ttftAvgMs: 88.5,
      ttftMedMs: 85,
      ttftP95Ms: 110.5,
      openTimeP95Ms: 23.75,
      streamDurationAvgMs: 663.2,
      streamDurationP95Ms: 798.6,
      gapMeanAvgMs: 33.15,
      gapMaxP95Ms: 140.5,
      eventsPerStreamAvg: 20,
      dataReceived: 1_843_200,
      dataBytes: 1_234_567,
      successRate: 0.976, // k6's rate: a fraction 0–1
      goodputRate: 0.8,
      failedStreams: 6,
      streamsOpenAtEnd: 2,
      droppedIterations: 0,
      vusMax: 10,
      testDurationMs: 62_500,
      outputTokens: 4392,
      tokensPerSecondAvg: 31.4,
      timePerOutputTokenAvgMs: 31.85,
      difyWorkflowAvgMs: 612.5,
    });
  });

  it('has exactly the keys of REPORT_FIGURES', () => {
    expect(Object.keys(computeFigures(k6Summary())).sort()).toEqual([...FIGURE_KEYS].sort());
  });

  it('falls back to the sum of sse_events_per_stream when the extension counter is absent', () => {
    const figures = computeFigures(without(k6Summary(), 'sse_event'));
    expect(figures.totalEvents).toBe(4880); // 20 avg × 244 streams
    expect(figures.eventThroughput).toBe(78.08); // 4880 / 62.5 s
  });

  it('counts absent counters as 0 and absent trends and rates as null', () => {
    const figures = computeFigures(without(k6Summary(), 'sse_event', 'sse_events_per_stream', 'sse_ttft', 'sse_stream_success', 'llm_output_tokens', 'sse_goodput'));
    expect(figures.totalEvents).toBe(0);
    expect(figures.goodputRate).toBeNull();
    expect(figures.goodputPerSecond).toBeNull(); // no sse_goodput recorded: not "0 streams/s"
    expect(figures.ttftAvgMs).toBeNull();
    expect(figures.successRate).toBeNull();
    expect(figures.outputTokens).toBe(0);
  });

  it('gives no rates for a zero-length run', () => {
    const data = k6Summary();
    const figures = computeFigures({ ...data, state: { ...data.state, testRunDurationMs: 0 } });
    expect(figures.connectionRate).toBeNull();
    expect(figures.eventThroughput).toBeNull();
  });

  it('reads a user percentile that is not in summaryTrendStats as null', () => {
    const data = k6Summary();
    const { ['p(95)']: _dropped, ...values } = data.metrics['sse_ttfe']!.values;
    const figures = computeFigures({ ...data, metrics: { ...data.metrics, sse_ttfe: { ...data.metrics['sse_ttfe']!, values } } });
    expect(figures.ttfeP95Ms).toBeNull();
    expect(figures.ttfeAvgMs).toBe(42.5);
  });
});

describe('errorsByType', () => {
  it('reads the sse_errors{error_type:X} sub-metrics, 0 for the rest', () => {
    expect(errorsByType(k6Summary())).toEqual({
      connection_error: 0,
      timeout: 4,
      http_4xx: 0,
      http_5xx: 2,
      invalid_json: 0,
      invalid_response: 0,
      protocol_error: 0,
      server_error_event: 0,
      early_termination: 0,
    });
  });

  it('counts 0 for every type when the sub-metrics are missing', () => {
    const data = k6Summary();
    const metrics = Object.fromEntries(Object.entries(data.metrics).filter(([k]) => !k.startsWith('sse_errors{')));
    expect(Object.values(errorsByType({ ...data, metrics }))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });
});

describe('thresholds', () => {
  it('finds the aggregation of an expression', () => {
    expect(thresholdAggregation('p(95)<500')).toBe('p(95)');
    expect(thresholdAggregation('p( 99.9 ) <= 800')).toBe('p(99.9)');
    expect(thresholdAggregation('rate>0.99')).toBe('rate');
    expect(thresholdAggregation('count == 0')).toBe('count');
    expect(thresholdAggregation('nonsense')).toBeNull();
  });

  it('lists the gating thresholds with their observed values, sorted, report-only ones left out', () => {
    expect(thresholdResults(k6Summary())).toEqual([
      { metric: 'sse_errors{error_type:http_5xx}', expression: 'count<5', ok: true, observed: 2 },
      { metric: 'sse_stream_success', expression: 'rate>0.99', ok: false, observed: 0.976 },
      { metric: 'sse_ttfe', expression: 'p(95)<500', ok: true, observed: 48.25 },
    ]);
  });
});
