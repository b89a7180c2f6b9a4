import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { reportSettings } from './redact.ts';
import { buildReport } from './report-json.ts';
import { STREAM_SUCCESS_CASE, escapeXml, renderJunit } from './report-junit.ts';
import { FIXTURE_API_KEY, k6Summary, testConfig } from './summary-data.fixture.ts';
import type { SummaryData, SummaryMetric } from './summary-data.ts';

const AT = new Date(Date.UTC(2026, 10, 27, 23, 9, 33, 456));
const xmlOf = (data: SummaryData = k6Summary()): string => renderJunit(buildReport(data, reportSettings(testConfig()), AT));

interface Case {
  '@_classname': string;
  '@_name': string;
  failure?: { '@_type': string; '@_message': string; '#text': string };
}

function parse(xml: string): { suites: Record<string, string>; suite: Record<string, string>; cases: Case[] } {
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testcase' || name === 'property' }).parse(xml);
  const suite = doc.testsuites.testsuite;
  return { suites: doc.testsuites, suite, cases: suite.testcase };
}

function withSuccessRate(rate: number | null): SummaryData {
  const data = k6Summary();
  const metrics: Record<string, SummaryMetric> = { ...data.metrics };
  if (rate === null) delete metrics['sse_stream_success'];
  else metrics['sse_stream_success'] = { type: 'rate', contains: 'default', values: { rate, passes: 0, fails: 0 } };
  return { ...data, metrics };
}

describe('renderJunit', () => {
  it('is valid XML with one case per gating threshold plus stream success', () => {
    const { suites, suite, cases } = parse(xmlOf());
    expect(cases.map((c) => c['@_name'])).toEqual([
      'sse_errors{error_type:http_5xx}: count<5',
      'sse_stream_success: rate>0.99',
      'sse_ttfe: p(95)<500',
      STREAM_SUCCESS_CASE,
    ]);
    expect(suites['@_tests']).toBe('4');
    expect(suites['@_failures']).toBe('2');
    expect(suite['@_time']).toBe('62.500');
    expect(suite['@_timestamp']).toBe('2026-11-27T23:09:33');
  });

  it('fails exactly the thresholds k6 failed, with the observed value', () => {
    const { cases } = parse(xmlOf());
    expect(cases.filter((c) => c.failure).map((c) => c['@_name'])).toEqual(['sse_stream_success: rate>0.99', STREAM_SUCCESS_CASE]);
    const failed = cases[1]!.failure!;
    expect(failed['@_type']).toBe('threshold');
    expect(failed['@_message']).toBe("threshold 'rate>0.99' on sse_stream_success failed: observed 0.976");
    expect(failed['#text']).toBe('rate=0.976, passes=244, fails=6');
  });

  it('fails stream success at ≤ 99 % with the errors by type, passes above', () => {
    const streamCase = (data?: SummaryData): Case => parse(xmlOf(data)).cases.find((c) => c['@_name'] === STREAM_SUCCESS_CASE)!;
    const failure = streamCase().failure!;
    expect(failure['@_message']).toBe('97.60% of streams succeeded (needs > 99%)');
    expect(failure['#text']).toBe('failed streams by error type: timeout=4, http_5xx=2');
    expect(streamCase(withSuccessRate(0.995)).failure).toBeUndefined();
    expect(streamCase(withSuccessRate(0.99)).failure).toBeDefined();
    expect(streamCase(withSuccessRate(null)).failure!['@_message']).toBe('no stream completed');
  });

  it('escapes markup and drops characters XML forbids', () => {
    expect(escapeXml(`a&b<c>d"e'f`)).toBe('a&amp;b&lt;c&gt;d&quot;e&apos;f');
    expect(escapeXml('x\u0001y\u0009z\uD800w😀')).toBe('x\uFFFDy\u0009z\uFFFDw😀');
    const data = k6Summary();
    const odd = `weird{tag:<a & "b"> \u0007}`;
    const metrics = { ...data.metrics, [odd]: { type: 'counter' as const, contains: 'default' as const, values: { count: 1, rate: 0 }, thresholds: { "count<1 && '1'": { ok: false } } } };
    const { cases } = parse(xmlOf({ ...data, metrics }));
    expect(cases.map((c) => c['@_name'])).toContain(`weird{tag:<a & "b"> \uFFFD}: count<1 && '1'`);
  });

  it('never contains the API key', () => {
    expect(xmlOf()).not.toContain(FIXTURE_API_KEY);
  });
});
