import { describe, expect, it } from 'vitest';
import { createHandleSummary } from './handle-summary.ts';
import { parseReportJson } from './report-json.ts';
import { renderStdoutSummary } from './report-stdout.ts';
import { FIXTURE_API_KEY, k6Summary, testConfig } from './summary-data.fixture.ts';
import type { SummaryData } from './summary-data.ts';

const AT = new Date(Date.UTC(2026, 10, 27, 23, 9, 33, 456));
const FILES = ['reports/benchmark_20261127_230933.txt', 'reports/benchmark_20261127_230933.json', 'reports/benchmark_20261127_230933.xml'];

/** The fixture with the key where a careless user might put it: a tag in a threshold key and setup data. */
function summaryWithKeyInTags(): SummaryData {
  const data = k6Summary();
  const tagged = `sse_ttfe{auth:Bearer ${FIXTURE_API_KEY}}`;
  const metric = { ...data.metrics['sse_ttfe']!, thresholds: { 'p(95)<500': { ok: true } } };
  return { ...data, metrics: { ...data.metrics, [tagged]: metric }, setup_data: { apiKey: FIXTURE_API_KEY } };
}

describe('createHandleSummary', () => {
  it("returns k6's text summary on stdout and the three reports named from the injected time", () => {
    const out = createHandleSummary(testConfig(), () => AT)(k6Summary());
    expect(Object.keys(out).sort()).toEqual(['stdout', ...FILES].sort());
    expect(out['stdout']).toBe(`${renderStdoutSummary(k6Summary())}Reports: ${FILES.join(', ')}\n`);
    expect(out['stdout']).toContain("\n    ✗ 'rate>0.99' rate=97.60%\n");
    expect(out['stdout']!.endsWith(`\n\nReports: ${FILES.join(', ')}\n`)).toBe(true);
    expect(out[FILES[0]!]).toContain('FINAL BENCHMARK RESULTS');
    expect(parseReportJson(out[FILES[1]!]!, FILES[1]!).figures.totalConnections).toBe(250);
    expect(out[FILES[2]!]).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites /);
  });

  it('colours stdout only on a terminal without --no-color', () => {
    const data = k6Summary();
    const run = (isStdOutTTY: boolean, noColor: boolean) =>
      createHandleSummary(testConfig(), () => AT)({ ...data, state: { ...data.state, isStdOutTTY }, options: { ...data.options, noColor } })['stdout'];
    const ESC = '\x1b[';
    expect(run(true, false)).toContain(`${ESC}1mTOTAL RESULTS${ESC}0m`);
    expect(run(true, true)).not.toContain(ESC);
    expect(run(false, false)).not.toContain(ESC);
    for (const [path, text] of Object.entries(createHandleSummary(testConfig(), () => AT)({ ...data, state: { ...data.state, isStdOutTTY: true } }))) {
      if (path !== 'stdout') expect(text, path).not.toContain(ESC);
    }
  });

  it('writes into REPORTS_DIR', () => {
    const out = createHandleSummary(testConfig({ reportsDir: '/tmp/ci-reports/' }), () => AT)(k6Summary());
    expect(Object.keys(out)).toContain('/tmp/ci-reports/benchmark_20261127_230933.xml');
  });

  it('puts the API key in no output, even when a tag or setup data carries it', () => {
    const out = createHandleSummary(testConfig(), () => AT)(summaryWithKeyInTags());
    for (const [path, text] of Object.entries(out)) {
      expect(path).not.toContain(FIXTURE_API_KEY);
      expect(text, path).not.toContain(FIXTURE_API_KEY);
    }
    expect(out['stdout']).toContain("\n      {auth:Bearer [REDACTED]}\n      ✓ 'p(95)<500' p(95)=48.25ms\n");
    expect(out['stdout']).toContain('\n      { auth:Bearer [REDACTED] }...');
    expect(out[FILES[2]!]).toContain('sse_ttfe{auth:Bearer [REDACTED]}: p(95)&lt;500');
    expect(JSON.parse(out[FILES[1]!]!).settings.apiKey).toBe('set');
  });

  it('scrubs the API key from the raw summary in the JSON report (a user put it in a tag)', () => {
    const data = k6Summary();
    const key = `http_req_duration{url:http://localhost:5001/v1/workflows/run?key=${FIXTURE_API_KEY}}`;
    const withKey = { ...data, metrics: { ...data.metrics, [key]: data.metrics['http_req_duration']! }, setup_data: { token: FIXTURE_API_KEY } };
    const json = createHandleSummary(testConfig(), () => AT)(withKey)[FILES[1]!]!;
    expect(json).not.toContain(FIXTURE_API_KEY);
    expect(json).toContain('run?key=[REDACTED]}');
    expect(JSON.parse(json).setup_data).toBeUndefined(); // setup_data lives inside summary
    expect(JSON.parse(json).summary.setup_data).toEqual({ token: '[REDACTED]' });
  });

  it('keeps stdout and explains on stderr when the reports cannot be built', () => {
    const out = createHandleSummary(testConfig(), () => new Date(Number.NaN))(k6Summary());
    expect(Object.keys(out).sort()).toEqual(['stderr', 'stdout']);
    expect(out['stderr']).toBe('sse-bench: could not build the reports: report time is not a valid date\n');
    expect(out['stdout']).toBe(renderStdoutSummary(k6Summary()));
  });
});

describe('handleSummary of the bundled build/sse.js', () => {
  it('writes the three reports and no API key', async () => {
    const { startRun } = await import('../../test/k6-harness.ts');
    const env = { API_KEY: FIXTURE_API_KEY, TARGET: 'dify-workflow' };
    const run = startRun();
    await run.loadVu({ env });
    const out = await run.handleSummary(summaryWithKeyInTags(), { env }); // in k6's own instance (__VU 0), as k6 runs it
    const files = Object.keys(out).filter((k) => k !== 'stdout');
    expect(files.map((f) => f.replace(/\d{8}_\d{6}/, 'STAMP')).sort()).toEqual([
      'reports/benchmark_STAMP.json',
      'reports/benchmark_STAMP.txt',
      'reports/benchmark_STAMP.xml',
    ]);
    for (const text of Object.values(out)) expect(text).not.toContain(FIXTURE_API_KEY);
    expect(out['stdout']).toContain('\n  █ TOTAL RESULTS\n');
    expect(out['stdout']).toContain('{ auth:Bearer [REDACTED] }');
  });
});
