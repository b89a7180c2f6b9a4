/**
 * The JUnit XML report (`benchmark_*.xml`) for CI systems: one test case per threshold
 * that gates the run (the report-only `sse_errors{error_type:…}` ones left out), failed
 * exactly when k6 failed it, plus one test case for stream success (the seed's
 * production-readiness bar: more than 99 % of streams succeeded). Rendered from the
 * JSON report object. Text is XML-escaped; characters XML 1.0 forbids become U+FFFD.
 */
import { ERROR_TYPES } from '../error-types.ts';
import { RATINGS, figureDef, formatFigure } from '../report-fields.ts';
import type { ReportJson } from './report-json.ts';
import type { ThresholdResult } from './summary-figures.ts';

const XML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Whether UTF-16 code unit `c` may stand alone in XML 1.0 text (surrogates are checked in pairs). */
function allowedAlone(c: number): boolean {
  return c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c < 0xd800) || (c > 0xdfff && c < 0xfffe);
}

/**
 * Text safe in XML attributes and elements: markup characters escaped; control
 * characters other than tab/LF/CR, lone surrogates and U+FFFE/U+FFFF replaced by U+FFFD.
 * (A code-unit loop rather than a surrogate regex: k6's regex engine and Node's differ there.)
 */
export function escapeXml(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1); // NaN past the end
    if (c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      out += text[i]! + text[i + 1]!;
      i += 1;
    } else if (!allowedAlone(c)) {
      out += '\uFFFD';
    } else {
      const ch = text[i]!;
      out += XML_ESCAPES[ch] ?? ch;
    }
  }
  return out;
}

interface TestCase {
  readonly classname: string;
  readonly name: string;
  /** Absent when the case passed. */
  readonly failure?: { readonly type: string; readonly message: string; readonly detail: string };
}

const JUNIT_SUITE_NAME = 'sse-bench';
export const STREAM_SUCCESS_CASE = 'stream success rate > 99% (seed: production ready)';

function thresholdCase(report: ReportJson, t: ThresholdResult): TestCase {
  const base = { classname: `${JUNIT_SUITE_NAME}.thresholds`, name: `${t.metric}: ${t.expression}` };
  if (t.ok) return base;
  const observed = t.observed === null ? 'no value for this aggregation in the summary' : `observed ${t.observed}`;
  const values = report.summary.metrics[t.metric]?.values ?? {};
  const detail = Object.entries(values)
    .map(([stat, v]) => `${stat}=${v}`)
    .join(', ');
  return { ...base, failure: { type: 'threshold', message: `threshold '${t.expression}' on ${t.metric} failed: ${observed}`, detail } };
}

function streamSuccessCase(report: ReportJson): TestCase {
  const base = { classname: `${JUNIT_SUITE_NAME}.streams`, name: STREAM_SUCCESS_CASE };
  const def = RATINGS.find((r) => r.key === 'successRate');
  const rating = report.ratings.successRate;
  if (def && rating.label === def.bands[0]?.label) return base;
  const message = rating.value === null ? 'no stream completed' : `${formatFigure(figureDef('successRate'), rating.value)} of streams succeeded (needs > 99%)`;
  const errors = ERROR_TYPES.filter((t) => report.errorsByType[t] > 0).map((t) => `${t}=${report.errorsByType[t]}`);
  const detail = `failed streams by error type: ${errors.length > 0 ? errors.join(', ') : 'none recorded'}`;
  return { ...base, failure: { type: 'stream-success', message, detail } };
}

function renderCase(c: TestCase): string {
  const open = `    <testcase classname="${escapeXml(c.classname)}" name="${escapeXml(c.name)}" time="0"`;
  if (!c.failure) return `${open}/>`;
  const f = c.failure;
  return [
    `${open}>`,
    `      <failure type="${escapeXml(f.type)}" message="${escapeXml(f.message)}">${escapeXml(f.detail)}</failure>`,
    '    </testcase>',
  ].join('\n');
}

/** The JUnit XML document; ends with a newline. */
export function renderJunit(report: ReportJson): string {
  const cases = [...report.thresholds.map((t) => thresholdCase(report, t)), streamSuccessCase(report)];
  const failures = cases.filter((c) => c.failure).length;
  const time = (report.summary.state.testRunDurationMs / 1000).toFixed(3);
  const timestamp = report.generatedAt.replace(/\.\d+Z$|Z$/, ''); // JUnit's schema: xs:dateTime without zone (UTC here)
  const s = report.settings;
  const properties = [
    ['target', s.target],
    ['url', s.url],
    ['profile', s.profile],
    ['scenarios', s.scenarios.join(',')],
    ['thresholds', s.thresholds],
  ].map(([name = '', value = '']) => `      <property name="${escapeXml(name)}" value="${escapeXml(value)}"/>`);
  const counts = `tests="${cases.length}" failures="${failures}" errors="0"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${JUNIT_SUITE_NAME}" ${counts} time="${time}">`,
    `  <testsuite name="${JUNIT_SUITE_NAME}" ${counts} skipped="0" time="${time}" timestamp="${timestamp}" hostname="k6">`,
    '    <properties>',
    ...properties,
    '    </properties>',
    ...cases.map(renderCase),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
