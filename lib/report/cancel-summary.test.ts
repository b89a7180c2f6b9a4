import { describe, expect, it } from 'vitest';
import { cancelRows, cancelSummary, cancelSummaryProblem } from './cancel-summary.ts';
import { k6Summary } from './summary-data.fixture.ts';
import type { SummaryData } from './summary-data.ts';

/** The fixture run with CANCEL_RATE's metrics as k6 reports them. */
function withCancels(): SummaryData {
  const data = k6Summary();
  return {
    ...data,
    metrics: {
      ...data.metrics,
      sse_stream_cancelled: { type: 'rate', contains: 'default', values: { rate: 0.3, passes: 75, fails: 175 } },
      sse_streams_cancelled: { type: 'counter', contains: 'default', values: { count: 75, rate: 1.2 } },
      sse_stop_latency: { type: 'trend', contains: 'time', values: { avg: 22, min: 20, med: 21.5, max: 40, 'p(90)': 24, 'p(95)': 26.25, 'p(99)': 39, count: 75 } },
    },
  };
}

describe('cancelSummary', () => {
  it('reads the cancel metrics; a run without CANCEL_RATE has none', () => {
    expect(cancelSummary(k6Summary())).toBeNull();
    expect(cancelSummary(withCancels())).toEqual({ streams: 75, rate: 0.3, stopLatencyMedMs: 21.5, stopLatencyP95Ms: 26.25, stopFailed: 0 });
  });

  it('renders rows for the text and HTML reports', () => {
    expect(cancelRows(cancelSummary(withCancels())!)).toEqual([
      ['Cancelled Streams', '75 (30 % of stream-scenario streams)'],
      ['Stop Latency p50', '21.5 ms'],
      ['Stop Latency p95', '26.25 ms'],
      ['Refused Stops', '0'],
    ]);
  });

  it('checks a section read back from a report', () => {
    expect(cancelSummaryProblem({ streams: 1, rate: null, stopLatencyMedMs: 2, stopLatencyP95Ms: 3, stopFailed: 0 })).toBeNull();
    expect(cancelSummaryProblem({ streams: '1' })).toBe('streams: expected a number or null');
    expect(cancelSummaryProblem([])).toBe('expected an object');
  });
});
