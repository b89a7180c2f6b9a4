import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderTextReport } from '../../lib/report/report-text.ts';
import { finishReports, generatorLine, listJsonReports, newJsonReport, renderFinalBlock } from './run-reports.ts';

const dir = mkdtempSync(join(tmpdir(), 'run-reports-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fixture = (name: string): string => new URL(`../fixtures/${name}`, import.meta.url).pathname;
const SATURATED = { measured: true, saturated: true, peakShare: 0.97, cores: 2 };

describe('finding the run\'s JSON report', () => {
  it('returns the newest report that was not there before', () => {
    const d = join(dir, 'find');
    expect(listJsonReports(d).size).toBe(0); // missing directory
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d);
    writeFileSync(join(d, 'benchmark_20261127_090000.json'), '{}');
    const before = listJsonReports(d);
    writeFileSync(join(d, 'benchmark_20261127_100000.json'), '{}');
    writeFileSync(join(d, 'benchmark_20261127_100001.json'), '{}');
    writeFileSync(join(d, 'benchmark_20261127_100002.txt'), '');
    writeFileSync(join(d, 'other.json'), '{}');
    expect(newJsonReport(d, before)).toBe(join(d, 'benchmark_20261127_100001.json'));
    expect(newJsonReport(d, listJsonReports(d))).toBe('');
  });
});

describe('finishReports', () => {
  it('records saturation in the JSON and text reports and writes the HTML beside them', () => {
    const stem = join(dir, 'benchmark_20261127_110000');
    copyFileSync(fixture('report-a.json'), `${stem}.json`);
    writeFileSync(`${stem}.txt`, 'old text report\n');
    const done = finishReports(`${stem}.json`, [], 5, SATURATED, '/* chart.js */');
    expect(done.files).toEqual([`${stem}.txt`, `${stem}.json`, `${stem}.html`]);
    expect((JSON.parse(readFileSync(`${stem}.json`, 'utf8')) as { generatorSaturated: boolean }).generatorSaturated).toBe(true);
    const text = readFileSync(`${stem}.txt`, 'utf8');
    expect(text).toBe(renderTextReport(done.report));
    expect(text).toMatch(/^=+\nFINAL BENCHMARK RESULTS\n[\s\S]*\n⚠ generator saturated — results understate the target\n\n=+\n$/);
    expect(readFileSync(`${stem}.html`, 'utf8')).toContain('class="banner">⚠ generator saturated');
    const block = renderFinalBlock(done.report, SATURATED, done.files, 'reports/k6-dashboard_x.html');
    expect(block.match(/generator saturated/g)).toHaveLength(1); // the text report's note, not repeated
    expect(block.split('\n').slice(-10)).toEqual([
      '⚠ generator saturated — results understate the target',
      '',
      'Generator CPU: peak 97% of 2 cores (saturated; see npm run calibrate)',
      '',
      'Reports:',
      `  ${stem}.txt`,
      `  ${stem}.json`,
      `  ${stem}.html`,
      '  reports/k6-dashboard_x.html (k6 web dashboard export)',
      '='.repeat(70),
    ]);
  });

  it('leaves the reports alone when CPU was not measured', () => {
    const stem = join(dir, 'benchmark_20261127_120000');
    copyFileSync(fixture('report-a.json'), `${stem}.json`);
    const gen = { measured: false, saturated: false, peakShare: 0, cores: 2 };
    finishReports(`${stem}.json`, [], 5, gen, '');
    expect(readFileSync(`${stem}.json`, 'utf8')).toBe(readFileSync(fixture('report-a.json'), 'utf8'));
    expect(generatorLine(gen)).toBe('Generator CPU: not measured (no /proc, or the run was shorter than one interval)');
  });

  it("records the failure reasons from k6's log in the JSON, text and HTML reports", () => {
    const stem = join(dir, 'benchmark_20261127_130000');
    copyFileSync(fixture('report-b.json'), `${stem}.json`); // 1 timeout, 2 http_5xx
    writeFileSync(`${stem}.txt`, 'old text report\n');
    const gen = { measured: false, saturated: false, peakShare: 0, cores: 2 };
    const failureReasons = { http_5xx: { reasons: [{ reason: 'status 503: <html>busy</html>', count: 2 }], more: 0 } };
    const done = finishReports(`${stem}.json`, [], 5, gen, '', failureReasons);
    const json = JSON.parse(readFileSync(`${stem}.json`, 'utf8')) as { failureReasons: unknown; generatorSaturated?: boolean };
    expect(json.failureReasons).toEqual(failureReasons);
    expect(json.generatorSaturated).toBe(true); // the fixture's verdict, untouched when CPU was not measured
    expect(readFileSync(`${stem}.txt`, 'utf8')).toBe(renderTextReport(done.report));
    expect(readFileSync(`${stem}.txt`, 'utf8')).toContain("  http_5xx (2 failed streams):\n    2 × status 503: <html>busy</html>\n");
    const html = readFileSync(`${stem}.html`, 'utf8');
    expect(html).toContain('<td class="num">2</td><td><code>status 503: &#60;html&#62;busy&#60;/html&#62;</code></td>');
    expect(html).toContain(`<td></td><td class="muted">no reason in k6's log</td>`);
  });
});
