import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseReportJson, type ReportJson } from '../lib/report-json.ts';
import { findChromium, runChromium } from './headless-chromium.ts';
import { escapeHtml, loadChartJs, renderHtmlReport, scriptJson } from './html-report.ts';
import type { SeriesPoint } from './live-block.ts';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const reportB = parseReportJson(fixture('report-b.json'), 'report-b.json'); // saturated, 3 errors, 1 failed threshold
const reportA = parseReportJson(fixture('report-a.json'), 'report-a.json'); // no errors
const series = JSON.parse(fixture('series.json')) as SeriesPoint[];
const chartJs = loadChartJs();
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
  });
});

const chromium = findChromium();
if (chromium === '') console.warn('SKIPPED: HTML screenshot tests need Chromium (Debian package `chromium`, or CHROMIUM_BIN)');

const runBrowser = (args: string[], profile: string): Promise<string> => runChromium(chromium, args, join(dir, profile));

describe.skipIf(chromium === '')('HTML report in headless Chromium', () => {
  it('draws every chart (pixels painted on each canvas) and screenshots a non-blank page', { timeout: 120_000 }, async () => {
    const page = join(dir, 'report.html');
    writeFileSync(page, renderHtmlReport({ report: reportB, series, intervalSec: 5, siblings: [] }, chartJs));
    const dom = await runBrowser(['--dump-dom', `file://${page}`], 'p1');
    // 4 time series (active, conn/s, events/s, CPU) + latency distribution + errors.
    expect(dom).toMatch(/<body data-charts-drawn="6" data-charts-total="6">/);
    const png = join(dir, 'report.png');
    await runBrowser([`--screenshot=${png}`, '--window-size=1200,2000', `file://${page}`], 'p2');
    const bytes = readFileSync(png);
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    expect(statSync(png).size).toBeGreaterThan(50_000); // a blank 1200x2000 page compresses to a few kB
  });

  it('draws the one chart of a run without samples or errors', { timeout: 60_000 }, async () => {
    const page = join(dir, 'quiet.html');
    writeFileSync(page, renderHtmlReport({ report: reportA, series: [], intervalSec: 5, siblings: [] }, chartJs));
    expect(await runBrowser(['--dump-dom', `file://${page}`], 'p3')).toMatch(/<body data-charts-drawn="1" data-charts-total="1">/);
  });
});
