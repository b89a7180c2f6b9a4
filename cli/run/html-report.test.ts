import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseReportJson, type ReportJson } from '../../lib/report/report-json.ts';
import { findChromium, runChromium as runChromiumIn } from '../../test/chromium.ts';
import { escapeHtml, loadChartJs, renderHtmlReport, scriptJson } from './html-report.ts';
import type { SeriesPoint } from './live-block.ts';
import { WindowCollector, type LatencyWindows } from './latency-windows.ts';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
const reportB = parseReportJson(fixture('report-b.json'), 'report-b.json'); // saturated, 3 errors, 1 failed threshold
const reportA = parseReportJson(fixture('report-a.json'), 'report-a.json'); // no errors
const series = JSON.parse(fixture('series.json')) as SeriesPoint[];
const chartJs = loadChartJs();

/** 60 s in 5 s windows: TTFE 20 ms, 220 ms from 30 s on; TTFT 40/240 ms; streams 500 ms. */
function steppedWindows(): LatencyWindows {
  const c = new WindowCollector(1_000_000, 5);
  for (let t = 0; t < 60_000; t += 250) {
    const up = t >= 30_000 ? 200 : 0;
    c.add({ metric: 'sse_ttfe', atMs: 1_000_000 + t, value: 20 + up });
    c.add({ metric: 'sse_ttft', atMs: 1_000_000 + t, value: 40 + up });
    c.add({ metric: 'sse_stream_duration', atMs: 1_000_000 + t, value: 500 });
  }
  return c.result() as LatencyWindows;
}
const dir = mkdtempSync(join(tmpdir(), 'html-report-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('renderHtmlReport', () => {
  const html = renderHtmlReport({ report: reportB, series, intervalSec: 5, siblings: ['benchmark_x.json'] }, chartJs);

  it('is self-contained: Chart.js inlined, nothing loaded from elsewhere', () => {
    expect(html).toContain('Chart.js v4');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|<img/);
  });

  it('shows saturation, threshold results and settings without the API key', () => {
    expect(html).toContain('generator saturated — results understate the target');
    expect(html).toContain('thresholds 1/2 passed');
    expect(html).toContain('<tr class="fail"><td>✗ fail</td><td><code>sse_stream_success</code></td><td><code>rate&#62;0.99</code></td><td>0.98</td></tr>');
    expect(html).toContain('<td><code>p(95)&#60;500</code></td><td>77 ms</td></tr>');
    expect(html).toContain('<tr><th>apiKey</th><td><code>unset</code></td></tr>'); // only set/unset exists in a report
  });

  it('shows the workload (TTFT by turn) only for runs that have one', () => {
    expect(html).not.toContain('<h2>Workload');
    const workload = {
      dataset: null,
      turns: 2,
      thinkTime: '',
      promptChars: null,
      answerTokens: null,
      conversations: { started: 2, completed: 2, meanTurns: 2 },
      byTurn: [
        { turn: '1', streams: 2, ttftMed: 30, ttftP95: 31, ttfeMed: 30, ttfeP95: 31 },
        { turn: '2', streams: 2, ttftMed: 55, ttftP95: 56, ttfeMed: 55, ttfeP95: 56 },
      ],
    };
    const page = renderHtmlReport({ report: { ...reportA, workload }, series: [], intervalSec: 5, siblings: [] }, '');
    expect(page).toContain('<h2>Workload');
    expect(page).toContain('<tr><th>Turn 2</th><td>TTFT p50 55 ms · p95 56 ms; TTFE p50 55 ms · p95 56 ms (2 streams)</td></tr>');
    expect(page).toContain('<tr><th>Conversations</th><td>2 started, 2 completed; 2 of 2 turns on average</td></tr>');
  });

  it('escapes text and JSON placed in the page', () => {
    expect(escapeHtml('<a href="x">&\'')).toBe('&#60;a href=&#34;x&#34;&#62;&#38;&#39;');
    expect(scriptJson({ s: '</script><b>' })).toBe('{"s":"\\u003c/script>\\u003cb>"}');
    const evil: ReportJson = { ...reportA, settings: { ...reportA.settings, target: '</title><script>alert(1)</script>' } };
    expect(renderHtmlReport({ report: evil, series: [], intervalSec: 5, siblings: [] }, '')).not.toContain('<script>alert(1)');
  });

  it('leaves out charts without data', () => {
    const page = renderHtmlReport({ report: reportA, series: [], intervalSec: 5, siblings: [] }, '');
    expect(page).toContain('No failed streams.');
    expect(page).toContain('No live samples');
    expect(page.match(/<canvas /g)).toHaveLength(1); // the latency distribution only
    const noErrors = series.map((p) => ({ ...p, errorCounts: {} }));
    const quiet = renderHtmlReport({ report: reportA, series: noErrors, intervalSec: 5, siblings: [] }, '');
    expect(quiet).toContain('id="chart-latency-time"');
    expect(quiet).not.toContain('id="chart-errors-time"');
  });

  it('charts TTFE/TTFT p95 and failed streams per interval by error type over time, from the samples', () => {
    expect(html).toContain('<h3>TTFE and TTFT p95 over time (ms; k6&#39;s p95 since the start, at each sample)</h3>');
    expect(html).toContain('<h3>Failed streams per 5 s interval, by error type</h3>');
    const data = JSON.parse(/<script type="application\/json" id="report-data">(.*?)<\/script>/.exec(html)![1]!) as {
      series: { ttftP95Ms: number | null }[];
      errorTypesOverTime: string[];
      errorsPerInterval: Record<string, number[]>;
      errorColors: string[];
    };
    expect(data.series.map((p) => p.ttftP95Ms).slice(0, 3)).toEqual([null, 70, 71]);
    expect(data.errorTypesOverTime).toEqual(['timeout', 'http_5xx']);
    expect(data.errorsPerInterval).toEqual({ timeout: [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0], http_5xx: [0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0] });
    expect(data.errorColors).toEqual(['#ef6c00', '#2457c5']);
  });

  it('with a time breakdown over time: one chart of each part\'s p50 per window of request start, its data in the page', () => {
    const overTime = { windowSec: 5, tSec: [0, 5, 10], p50: { beforeModel: [40, 40, 100], modelTtft: [200, 200, 200], relayPerToken: [7, 7, 7], afterModel: [9, 9, 9] } };
    const part = { p50: 40, p95: 100, samples: 15 };
    const breakdown = { streams: 15, unmatched: 0, parts: { beforeModel: part, modelTtft: part, relayPerToken: part, afterModel: part }, overTime };
    const page = renderHtmlReport({ report: { ...reportB, breakdown }, series, intervalSec: 5, siblings: [], windows: null }, '');
    expect(page).toContain('id="chart-breakdown-windows"');
    const data = JSON.parse(/<script type="application\/json" id="report-data">(.*?)<\/script>/.exec(page)![1]!) as { breakdownOverTime: typeof overTime; breakdownParts: { key: string }[] };
    expect(data.breakdownOverTime.p50.beforeModel).toEqual([40, 40, 100]);
    expect(data.breakdownParts.map((p) => p.key)).toEqual(['beforeModel', 'modelTtft', 'relayPerToken', 'afterModel']);
    const { overTime: _none, ...withoutOverTime } = breakdown;
    expect(renderHtmlReport({ report: { ...reportB, breakdown: withoutOverTime }, series, intervalSec: 5, siblings: [], windows: null }, '')).not.toContain('id="chart-breakdown-windows"');
  });

  it('with latency windows: TTFE/TTFT and stream duration per window instead of the cumulative p95, the data per window', () => {
    const page = renderHtmlReport({ report: reportB, series, intervalSec: 5, siblings: [], windows: steppedWindows() }, '');
    expect(page).toContain('<h3>TTFE and TTFT per 5 s window (ms; p50 dashed, p95 solid)</h3>');
    expect(page).toContain('<h3>Stream duration per 5 s window (ms; p50 dashed, p95 solid)</h3>');
    expect(page).not.toContain('id="chart-latency-time"');
    const data = JSON.parse(/<script type="application\/json" id="report-data">(.*?)<\/script>/.exec(page)![1]!) as { windows: LatencyWindows };
    expect(data.windows.tSec).toEqual([0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55]);
    expect(data.windows.metrics.ttfe.p95).toEqual([20, 20, 20, 20, 20, 20, 220, 220, 220, 220, 220, 220]);
    expect(data.windows.metrics.ttfe.n).toEqual(Array(12).fill(20));
    // windows without any sample are left out, as is a null
    const none = renderHtmlReport({ report: reportB, series, intervalSec: 5, siblings: [], windows: null }, '');
    expect(none).toContain('id="chart-latency-time"');
    expect(none).not.toContain('id="chart-latency-windows"');
  });

  it('lists the failure reasons under the errors when the bench CLI collected them', () => {
    const withReasons = { ...reportB, failureReasons: { timeout: { reasons: [{ reason: 'context deadline exceeded', count: 3 }], more: 1 } } };
    const page = renderHtmlReport({ report: withReasons, series, intervalSec: 5, siblings: [] }, '');
    expect(page).toContain(
      '<tr><th rowspan="2"><code>timeout</code><br><span class="muted">1 failed</span></th><td class="num">3</td><td><code>context deadline exceeded</code></td></tr>' +
        '<tr><td class="num">1</td><td class="muted">other reasons</td></tr>' +
        '<tr><th rowspan="1"><code>http_5xx</code><br><span class="muted">2 failed</span></th><td></td><td class="muted">no reason in k6\'s log</td></tr>',
    );
    expect(html).not.toContain('Failure reasons'); // a report without them (e.g. from plain k6 run)
  });
});

/** Debian's chromium (the .ci/run image must install the `chromium` package). */
const chromium = findChromium();
if (chromium === '') console.warn('SKIPPED: HTML screenshot tests need Chromium (Debian package `chromium`, or CHROMIUM_BIN)');

const runChromium = (args: string[], profile: string): Promise<string> => runChromiumIn(chromium, args, join(dir, profile));

describe.skipIf(chromium === '')('HTML report in headless Chromium', () => {
  it('draws every chart (pixels painted on each canvas) and screenshots a non-blank page', { timeout: 120_000 }, async () => {
    const page = join(dir, 'report.html');
    writeFileSync(page, renderHtmlReport({ report: reportB, series, intervalSec: 5, siblings: [] }, chartJs));
    const dom = await runChromium(['--dump-dom', `file://${page}`], 'p1');
    // 4 time series (active, conn/s, events/s, CPU) + latency and errors over time + latency distribution + errors.
    expect(dom).toMatch(/<body data-charts-drawn="8" data-charts-total="8">/);
    const png = join(dir, 'report.png');
    await runChromium([`--screenshot=${png}`, '--window-size=1200,2000', `file://${page}`], 'p2');
    const bytes = readFileSync(png);
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    expect(statSync(png).size).toBeGreaterThan(50_000); // a blank 1200x2000 page compresses to a few kB
  });

  it('draws the per-window latency charts in place of the cumulative one', { timeout: 120_000 }, async () => {
    const page = join(dir, 'windows.html');
    writeFileSync(page, renderHtmlReport({ report: reportB, series, intervalSec: 5, siblings: [], windows: steppedWindows() }, chartJs));
    expect(await runChromium(['--dump-dom', `file://${page}`], 'p4')).toMatch(/<body data-charts-drawn="9" data-charts-total="9">/);
  });

  it('draws the one chart of a run without samples or errors', { timeout: 60_000 }, async () => {
    const page = join(dir, 'quiet.html');
    writeFileSync(page, renderHtmlReport({ report: reportA, series: [], intervalSec: 5, siblings: [] }, chartJs));
    expect(await runChromium(['--dump-dom', `file://${page}`], 'p3')).toMatch(/<body data-charts-drawn="1" data-charts-total="1">/);
  });
});
