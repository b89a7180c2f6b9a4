import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findChromium, runChromium } from '../../test/chromium.ts';
import { loadChartJs } from '../run/html-report.ts';
import { kneeChartData, renderSweepHtml } from './sweep-html.ts';
import { parseSweepJson, type SweepReport } from './sweep-report.ts';

/** A recorded sweep (see sweep-report.test.ts for how it was made): knee between 42 and 43 VUs. */
const recorded = parseSweepJson(readFileSync(new URL('../fixtures/sweep-recorded.json', import.meta.url), 'utf8'), 'sweep-recorded.json');
const dir = mkdtempSync(join(tmpdir(), 'sweep-html-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('kneeChartData', () => {
  const d = kneeChartData(recorded);
  it('plots every step in load order, the SLO across the load range and the answer as a vertical line', () => {
    expect(d.ttfe.map((p) => p.x)).toEqual([10, 20, 40, 42, 43, 45, 50, 60, 80]);
    expect(d.ttfe.map((p) => p.y)).toEqual([...recorded.steps].sort((a, b) => a.load - b.load).map((s) => s.figures.ttfeP95Ms));
    expect(d.sloLines).toEqual([{ label: 'SLO sse_ttfe p(95)<200', points: [{ x: 0, y: 200 }, { x: 80, y: 200 }] }]);
    expect(d.answer?.label).toBe('max sustainable: 42 VUs');
    expect(d.answer?.points).toEqual([{ x: 42, y: Math.min(...d.ttfe.map((p) => p.y ?? Infinity)) / 2 }, { x: 42, y: Math.max(...d.ttfe.map((p) => p.y ?? 0)) * 2 }]);
    expect(d.saturated).toEqual([]);
    expect(d.unit).toBe('VUs');
  });

  it('marks saturated steps and leaves interrupted ones out', () => {
    const steps = recorded.steps.map((s) => (s.load === 80 ? { ...s, generatorSaturated: true } : s.load === 60 ? { ...s, interrupted: true } : s));
    const d2 = kneeChartData({ ...recorded, steps });
    expect(d2.saturated.map((p) => p.x)).toEqual([80]);
    expect(d2.ttfe.map((p) => p.x)).not.toContain(60);
  });
});

describe('renderSweepHtml', () => {
  const html = renderSweepHtml(recorded, loadChartJs());

  it('is self-contained (Chart.js inlined), with the answer, the steps and links to each step\'s report', () => {
    expect(html).toContain('Chart.js v4');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|<img/);
    expect(html).toContain('<p class="answer">max sustainable: 42 VUs (16.8 streams/s)</p>');
    expect(html.match(/<tr class="(best)?"><td>\d+<\/td>/g)).toHaveLength(recorded.steps.length);
    expect(html).toContain(`<a href="${recorded.steps[0]?.reports[0]?.replace(/\.json$/, '.html')}">report</a>`);
    expect(html).not.toContain('class="banner"');
  });

  it('warns when the generator was the limit', () => {
    const g: SweepReport = { ...recorded, saturatedAt: 80, maxSustainable: { vus: 42, streamsPerSecond: 1, goodputPerSecond: 1, limitedBy: 'generator' } };
    expect(renderSweepHtml(g, '')).toContain("The generator saturated at 80 VUs: the limit found is the generator's, not the server's.");
  });

  it('escapes what it places in the page', () => {
    const evil: SweepReport = { ...recorded, settings: { ...recorded.settings, target: '</title><script>alert(1)</script>' } };
    expect(renderSweepHtml(evil, '')).not.toContain('<script>alert(1)');
  });
});

const chromium = findChromium();
if (chromium === '') console.warn('SKIPPED: sweep knee-chart screenshot test needs Chromium (Debian package `chromium`, or CHROMIUM_BIN)');

const runBrowser = (args: string[], profile: string): Promise<string> => runChromium(chromium, args, join(dir, profile));

describe.skipIf(chromium === '')('the knee chart in headless Chromium', () => {
  it('draws the chart (pixels painted on its canvas) and screenshots a non-blank page', { timeout: 120_000 }, async () => {
    const page = join(dir, 'sweep.html');
    writeFileSync(page, renderSweepHtml(recorded, loadChartJs()));
    expect(await runBrowser(['--dump-dom', `file://${page}`], 'p1')).toMatch(/<body data-charts-drawn="1" data-charts-total="1">/);
    const png = join(dir, 'sweep.png');
    await runBrowser([`--screenshot=${png}`, '--window-size=1200,900', `file://${page}`], 'p2');
    expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
    expect(statSync(png).size).toBeGreaterThan(30_000); // a blank page compresses to a few kB
  });
});
