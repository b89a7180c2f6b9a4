import { describe, expect, it } from 'vitest';
import { reportSettings } from './redact.ts';
import { buildReport, type ReportJson } from './report-json.ts';
import { SATURATION_NOTE } from '../report-fields.ts';
import { renderTextReport } from './report-text.ts';
import { FIXTURE_API_KEY, k6Summary, testConfig } from './summary-data.fixture.ts';
import type { SummaryData } from './summary-data.ts';

const AT = new Date(Date.UTC(2026, 10, 27, 23, 9, 33, 456));
const reportOf = (data: SummaryData = k6Summary()): ReportJson => buildReport(data, reportSettings(testConfig()), AT);
const lines = (report: ReportJson = reportOf()): string[] => renderTextReport(report).split('\n');

/** The lines from `heading` up to the next blank line. */
function section(all: string[], heading: string): string[] {
  const start = all.indexOf(heading);
  expect(start, `section ${heading}`).toBeGreaterThanOrEqual(0);
  const end = all.indexOf('', start);
  return all.slice(start, end);
}

describe('renderTextReport', () => {
  it('opens with the seed header and the run settings, without the key', () => {
    expect(lines().slice(0, 10)).toEqual([
      '='.repeat(70),
      'FINAL BENCHMARK RESULTS',
      '='.repeat(70),
      '',
      '  Generated:                     2026-11-27T23:09:33.456Z',
      '  Target:                        dify-workflow (POST http://localhost:5001/v1/workflows/run)',
      '  Profile:                       default; scenarios: stream, burst',
      '  Thresholds:                    default',
      '  API key:                       set',
      '',
    ]);
  });

  it("has the seed's Final Metrics and Overall Rates blocks", () => {
    const all = lines();
    expect(section(all, '📈 Final Metrics:')).toEqual([
      '📈 Final Metrics:',
      '  Total Connections:             250',
      '  Total Events:                  5000',
      '  Average TTFE:                  42.5 ms',
      '  TTFE Samples:                  244',
    ]);
    expect(section(all, '📊 Overall Rates:')).toEqual([
      '📊 Overall Rates:',
      '  Connection Rate:               4.00 conn/sec',
      '  Event Throughput:              80.00 events/sec',
      '  Requests per Second:           4.00 req/sec',
      '  Goodput:                       3.20 streams/sec',
    ]);
    expect(all).toContain('  Goodput Rate:                  80.00%'); // a 0–1 fraction shown as a percentage
  });

  it('shows stream duration, inter-event latency and the rest', () => {
    const all = lines();
    expect(all).toContain('  Average Stream Duration:       663 ms');
    expect(all).toContain('  Stream Duration p95:           799 ms');
    expect(all).toContain('  Average Inter-event Gap:       33.1 ms');
    expect(all).toContain('  Longest Gap p95:               141 ms');
    expect(all).toContain('  Data Received:                 1.84 MB');
    expect(all).toContain('  Success Rate:                  97.60%');
    expect(all).toContain('  Test Duration:                 62.50 s');
    expect(all).toContain('  Average Tokens per Second:     31.4 tokens/s');
  });

  it('lists errors by type with a total', () => {
    expect(section(lines(), '❌ Errors by Type:')).toEqual([
      '❌ Errors by Type:',
      '  connection_error:              0',
      '  timeout:                       4',
      '  http_4xx:                      0',
      '  http_5xx:                      2',
      '  invalid_json:                  0',
      '  invalid_response:              0',
      '  protocol_error:                0',
      '  server_error_event:            0',
      '  early_termination:             0',
      '  total:                         6',
    ]);
  });

  it("gives the seed's ratings with their bands", () => {
    expect(section(lines(), '⭐ Ratings:')).toEqual([
      '⭐ Ratings:',
      '  Requests per second:           4.00 req/sec → Needs Improvement',
      '                                 (Excellent > 50, Good 20–50, Acceptable 10–20, Needs Improvement < 10)',
      '  Time to first event (p95):     48.3 ms → Excellent',
      '                                 (Excellent < 100 ms, Acceptable < 500 ms, else Needs Improvement)',
      '  Success rate:                  97.60% → Needs Improvement',
      '                                 (Production Ready > 99%, else Needs Improvement)',
    ]);
  });

  it('lists the gating thresholds pass/fail with observed values, not the report-only ones', () => {
    expect(section(lines(), '❌ Thresholds: 2 passed, 1 failed')).toEqual([
      '❌ Thresholds: 2 passed, 1 failed',
      '  ✓ sse_errors{error_type:http_5xx}: count<5 (observed 2)',
      '  ✗ sse_stream_success: rate>0.99 (observed 0.976)',
      '  ✓ sse_ttfe: p(95)<500 (observed 48.25 ms)',
    ]);
  });

  it('says n/a for figures without samples and when no threshold is set', () => {
    const data = k6Summary();
    const metrics = Object.fromEntries(
      Object.entries(data.metrics)
        .filter(([k]) => k !== 'sse_ttft' && k !== 'sse_stream_success')
        .map(([k, m]) => [k, { type: m.type, contains: m.contains, values: m.values }]),
    );
    const all = lines(reportOf({ ...data, metrics }));
    expect(all).toContain('  Average TTFT:                  n/a');
    expect(all).toContain('  Success rate:                  n/a → n/a (no samples)');
    expect(all).toContain('✅ Thresholds: none configured (THRESHOLDS=none?)');
  });

  it('lists the failure reasons after the errors when the bench CLI collected them (and only then)', () => {
    const withReasons = lines({ ...reportOf(), failureReasons: { http_5xx: { reasons: [{ reason: 'status 502: bad gateway', count: 2 }], more: 0 } } });
    expect(section(withReasons, "🔎 Failure Reasons (from k6's log: the first failure of each type in each VU; count = log lines):")).toEqual([
      "🔎 Failure Reasons (from k6's log: the first failure of each type in each VU; count = log lines):",
      '  timeout (4 failed streams):',
      "    (no reason in k6's log)",
      '  http_5xx (2 failed streams):',
      '    2 × status 502: bad gateway',
    ]);
    expect(withReasons.indexOf('  total:                         6')).toBeLessThan(withReasons.indexOf('  http_5xx (2 failed streams):'));
    expect(lines().some((l) => l.startsWith('🔎'))).toBe(false);
  });

  it('ends with the rule and a newline, and never contains the key', () => {
    const text = renderTextReport(reportOf());
    expect(text.endsWith(`${'='.repeat(70)}\n`)).toBe(true);
    expect(text).not.toContain(FIXTURE_API_KEY);
    expect(text).not.toContain(SATURATION_NOTE);
  });

  it('warns before the closing rule when the generator was saturated (and only then)', () => {
    const saturated = renderTextReport({ ...reportOf(), generatorSaturated: true });
    expect(saturated.endsWith(`(observed 48.25 ms)\n\n⚠ generator saturated — results understate the target\n\n${'='.repeat(70)}\n`)).toBe(true);
    expect(renderTextReport({ ...reportOf(), generatorSaturated: false })).toBe(renderTextReport(reportOf()));
  });
});
