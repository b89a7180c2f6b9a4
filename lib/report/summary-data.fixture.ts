/**
 * Test fixture: handleSummary data shaped like k6 v1.3 produces it for a 62.5 s run of
 * build/sse.js (dify-workflow, stream + burst, 10 VUs, thresholds/default.json plus the
 * report-only `sse_errors{error_type:…}` thresholds, summaryTrendStats as lib/init/profiles.ts
 * sets them). Numbers are chosen so the derived figures are exact. Only for tests.
 */
import { loadConfig, type Config } from '../init/config.ts';
import { ERROR_TYPES } from '../error-types.ts';
import { SUMMARY_TREND_STATS } from '../init/profiles.ts';
import type { SummaryData, SummaryMetric } from './summary-data.ts';

type TrendValues = Record<(typeof SUMMARY_TREND_STATS)[number], number>;

function trend(values: TrendValues, contains: 'time' | 'default' = 'time', thresholds?: Record<string, { ok: boolean }>): SummaryMetric {
  return { type: 'trend', contains, values, ...(thresholds ? { thresholds } : {}) };
}

function counter(count: number, durationS: number, contains: 'default' | 'data' = 'default', thresholds?: Record<string, { ok: boolean }>): SummaryMetric {
  return { type: 'counter', contains, values: { count, rate: count / durationS }, ...(thresholds ? { thresholds } : {}) };
}

const T = (avg: number, min: number, med: number, max: number, p90: number, p95: number, p99: number, count: number): TrendValues => ({
  avg,
  min,
  med,
  max,
  'p(90)': p90,
  'p(95)': p95,
  'p(99)': p99,
  count,
});

const FIXTURE_DURATION_MS = 62_500;

/** A fresh copy of the fixture each call (tests may mutate it). */
export function k6Summary(): SummaryData {
  const s = FIXTURE_DURATION_MS / 1000;
  const errorsByType: Record<string, number> = { timeout: 4, http_5xx: 2 };
  const errorSubMetrics: Record<string, SummaryMetric> = {};
  for (const type of ERROR_TYPES) {
    const thresholds: Record<string, { ok: boolean }> = { 'count>=0': { ok: true } };
    if (type === 'http_5xx') thresholds['count<5'] = { ok: true }; // a user's real threshold on a sub-metric
    errorSubMetrics[`sse_errors{error_type:${type}}`] = counter(errorsByType[type] ?? 0, s, 'default', thresholds);
  }
  return {
    root_group: { name: '', path: '', id: 'd41d8cd98f00b204e9800998ecf8427e', groups: [], checks: [] },
    options: { summaryTrendStats: [...SUMMARY_TREND_STATS], summaryTimeUnit: '', noColor: false },
    state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: FIXTURE_DURATION_MS },
    metrics: {
      data_received: counter(1_843_200, s, 'data'),
      data_sent: counter(96_000, s, 'data'),
      http_reqs: counter(250, s),
      http_req_duration: trend(T(702.4, 180.2, 690.1, 60_001.3, 810.5, 905.2, 1210.7, 250)),
      http_req_sending: trend(T(12.6, 1.1, 10.2, 64.3, 19.8, 24.1, 51.2, 250)),
      iterations: counter(230, s),
      iteration_duration: trend(T(1_604.3, 612.2, 720.4, 60_012.9, 2_210.1, 2_290.5, 2_410.2, 230)),
      vus: { type: 'gauge', contains: 'default', values: { value: 0, min: 0, max: 10 } },
      vus_max: { type: 'gauge', contains: 'default', values: { value: 10, min: 10, max: 10 } },
      sse_event: counter(5000, s),
      sse_open_time: trend(T(12.5, 1.2, 10.1, 63.9, 19.5, 23.75, 50.4, 248)),
      sse_ttfe: trend(T(42.5, 38, 41, 151, 47, 48.25, 97.3, 244), 'time', { 'p(95)<500': { ok: true } }),
      sse_ttft: trend(T(88.5, 60.2, 85, 240.1, 101.9, 110.5, 180.4, 244)),
      sse_stream_duration: trend(T(663.2, 523, 645, 812, 780.4, 798.6, 809.1, 244)),
      sse_stream_gap_mean: trend(T(33.15, 20.2, 30.1, 201.4, 45.8, 51.3, 90.7, 240)),
      sse_stream_gap_max: trend(T(80.4, 21, 60.2, 2_001.4, 95.8, 140.5, 1_500.7, 240)),
      sse_events_per_stream: trend(T(20, 19, 20, 24, 21, 22, 24, 244), 'default'),
      sse_data_bytes: counter(1_234_567, s, 'data'),
      sse_streams_opened: counter(250, s),
      sse_streams_closed: counter(248, s),
      sse_stream_success: {
        type: 'rate',
        contains: 'default',
        values: { rate: 0.976, passes: 244, fails: 6 },
        thresholds: { 'rate>0.99': { ok: false } },
      },
      // SLO_* limits met by 200 of the 250 streams.
      sse_goodput: { type: 'rate', contains: 'default', values: { rate: 0.8, passes: 200, fails: 50 } },
      sse_errors: counter(6, s),
      ...errorSubMetrics,
      llm_output_tokens: counter(4392, s),
      llm_tokens_per_second: trend(T(31.4, 20.5, 31, 44.2, 38.1, 40.2, 43.9, 244), 'default'),
      llm_time_per_output_token: trend(T(31.85, 22.6, 32.2, 48.8, 40.1, 42.3, 47.5, 244)),
      dify_workflow_elapsed: trend(T(612.5, 480, 600, 790, 720, 751, 785, 244)),
    },
  };
}

/** A realistic Dify app key: it must appear in no report. */
export const FIXTURE_API_KEY = 'app-FAKE-fixture-7Qm2vXcK9pLr4TzW'; // shaped like a Dify key, but not one

/** The run's Config from the real loader (API_KEY set), with `overrides` applied on top. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({ API_KEY: FIXTURE_API_KEY, TARGET: 'dify-workflow', PROFILE: 'default' }), ...overrides };
}
