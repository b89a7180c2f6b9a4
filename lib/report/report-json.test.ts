import { describe, expect, it } from 'vitest';
import { reportSettings } from './redact.ts';
import { REPORT_SCHEMA, ReportFormatError, buildReport, parseReportJson, readReportJson, renderReportJson } from './report-json.ts';
import { FIXTURE_API_KEY, k6Summary, testConfig } from './summary-data.fixture.ts';

const AT = new Date(Date.UTC(2026, 10, 27, 23, 9, 33, 456));
const report = () => buildReport(k6Summary(), reportSettings(testConfig()), AT);
const text = () => renderReportJson(report());

function parseError(mutate: (r: Record<string, unknown>) => void): string {
  const value = JSON.parse(text()) as Record<string, unknown>;
  mutate(value);
  try {
    parseReportJson(JSON.stringify(value), 'reports/old.json');
  } catch (e) {
    expect(e).toBeInstanceOf(ReportFormatError);
    return (e as Error).message;
  }
  throw new Error('expected parseReportJson to throw');
}

describe('buildReport', () => {
  it('carries the schema, time, settings, figures, errors, ratings, thresholds and the raw summary', () => {
    const r = report();
    expect(r.schema).toBe('sse-bench/report@2');
    expect(r.figures.successRate).toBe(0.976);
    expect(r.ratings.successRate).toEqual({ value: 0.976, label: 'Needs Improvement' });
    expect(r.generatedAt).toBe('2026-11-27T23:09:33.456Z');
    expect(r.settings.apiKey).toBe('set');
    expect(r.figures.totalConnections).toBe(250);
    expect(r.figures.eventThroughput).toBe(80);
    expect(r.errorsByType.timeout).toBe(4);
    expect(r.ratings.ttfe).toEqual({ value: 48.25, label: 'Excellent' });
    expect(r.thresholds.map((t) => `${t.metric} ${t.expression} ${t.ok}`)).toEqual([
      'sse_errors{error_type:http_5xx} count<5 true',
      'sse_stream_success rate>0.99 false',
      'sse_ttfe p(95)<500 true',
    ]);
    expect(r.summary).toEqual(k6Summary());
  });
});

describe('renderReportJson / parseReportJson', () => {
  it('round-trips', () => {
    const t = text();
    expect(t.endsWith('}\n')).toBe(true);
    expect(t).not.toContain(FIXTURE_API_KEY);
    expect(parseReportJson(t, 'reports/benchmark_20261127_230933.json')).toEqual(JSON.parse(JSON.stringify(report())));
  });

  it('names the file for text that is not JSON', () => {
    expect(() => parseReportJson('{"schema":', 'a.json')).toThrow(/^a\.json: not valid JSON \(/);
    expect(() => parseReportJson('[1]', 'a.json')).toThrow('a.json: expected a JSON object (a benchmark_*.json report)');
  });

  it('names the file and the field', () => {
    expect(parseError((r) => (r['schema'] = 'k6-summary'))).toBe(
      `reports/old.json: schema: expected "${REPORT_SCHEMA}" (or the older "sse-bench/report@1"), got "k6-summary" (is this a benchmark_*.json report from sse-bench?)`,
    );
    expect(parseError((r) => delete r['schema'])).toContain('reports/old.json: schema: expected "sse-bench/report@2" (or the older "sse-bench/report@1"), got null');
    expect(parseError((r) => (r['generatedAt'] = 'yesterday'))).toBe('reports/old.json: generatedAt: expected an ISO 8601 date string');
    expect(parseError((r) => delete (r['settings'] as Record<string, unknown>)['url'])).toBe('reports/old.json: settings.url: expected a string');
    expect(parseError((r) => delete (r['figures'] as Record<string, unknown>)['ttfeP95Ms'])).toBe('reports/old.json: figures.ttfeP95Ms: missing');
    expect(parseError((r) => ((r['figures'] as Record<string, unknown>)['ttfeP95Ms'] = '48'))).toBe(
      'reports/old.json: figures.ttfeP95Ms: expected a number or null',
    );
    expect(parseError((r) => delete (r['errorsByType'] as Record<string, unknown>)['timeout'])).toBe('reports/old.json: errorsByType.timeout: expected a number');
    expect(parseError((r) => delete (r['ratings'] as Record<string, unknown>)['ttfe'])).toBe('reports/old.json: ratings.ttfe: expected { value, label }');
    expect(parseError((r) => ((r['thresholds'] as unknown[])[1] = { metric: 'x' }))).toBe(
      'reports/old.json: thresholds[1]: expected { metric: string, expression: string, ok: boolean }',
    );
    expect(parseError((r) => (r['generatorSaturated'] = 'no'))).toBe('reports/old.json: generatorSaturated: expected a boolean');
    expect(parseError((r) => (r['failureReasons'] = { timeout: { reasons: [{ reason: 1, count: 1 }], more: 0 } }))).toBe(
      'reports/old.json: failureReasons.timeout.reasons[0]: expected { reason: string, count: number }',
    );
    expect(parseError((r) => delete r['summary'])).toBe('reports/old.json: summary: expected an object');
    expect(parseError((r) => ((r['summary'] as { state: Record<string, unknown> }).state['testRunDurationMs'] = '62s'))).toBe(
      'reports/old.json: summary.state.testRunDurationMs: expected a number',
    );
  });

  it('reads back the failure reasons the bench CLI adds', () => {
    const failureReasons = { timeout: { reasons: [{ reason: 'context deadline exceeded', count: 2 }], more: 1 } };
    const back = parseReportJson(renderReportJson({ ...report(), failureReasons }), 'x.json');
    expect(back.failureReasons).toEqual(failureReasons);
  });

  it('accepts null figures (no samples)', () => {
    const value = JSON.parse(text());
    value.figures.ttftAvgMs = null;
    expect(parseReportJson(JSON.stringify(value), 'x.json').figures.ttftAvgMs).toBeNull();
  });

  it('reads a sse-bench/report@1 report (success rate in percent) as @2 (a fraction), and says so', () => {
    const v1 = JSON.parse(text());
    v1.schema = 'sse-bench/report@1';
    v1.figures.successRate = 97.6;
    v1.ratings.successRate = { value: 97.6, label: 'Needs Improvement' };
    const { report: read, convertedFrom } = readReportJson(JSON.stringify(v1), 'old.json');
    expect(convertedFrom).toBe('sse-bench/report@1');
    expect(read.schema).toBe('sse-bench/report@2');
    expect(read.figures.successRate).toBeCloseTo(0.976, 12);
    expect(read.ratings.successRate.value).toBeCloseTo(0.976, 12);
    expect(read.ratings.successRate.label).toBe('Needs Improvement');
    expect(read.figures.ttfeP95Ms).toBe(48.25); // nothing else changes
    v1.figures.successRate = null;
    v1.ratings.successRate = { value: null, label: null };
    expect(parseReportJson(JSON.stringify(v1), 'old.json').figures.successRate).toBeNull();
    expect(readReportJson(text(), 'new.json').convertedFrom).toBeNull();
  });

  it('reads an early @1 report that lacks later figures: they are null (n/a); a @2 report must have every one', () => {
    const v1 = JSON.parse(text());
    v1.schema = 'sse-bench/report@1';
    delete v1.figures.dataReceived;
    delete v1.figures.gapMaxP95Ms;
    const read = parseReportJson(JSON.stringify(v1), 'old.json');
    expect([read.figures.dataReceived, read.figures.gapMaxP95Ms]).toEqual([null, null]);
    expect(parseError((r) => delete (r['figures'] as Record<string, unknown>)['gapMaxP95Ms'])).toBe('reports/old.json: figures.gapMaxP95Ms: missing');
  });
});
