/**
 * `reports/benchmark_<timestamp>.html`: one self-contained page per run. Charts are drawn by
 * Chart.js 4 (a well-kept, dependency-free canvas charting library, already a dev
 * dependency), whose UMD build is inlined, so the page renders offline from file://.
 *
 * Content: key figures, time series of active streams, connections/s, events/s and
 * generator CPU (the bench CLI's samples, every --interval seconds), TTFE and TTFT p95 over
 * time (k6's running p95 at each sample) and failed streams per interval by error type,
 * TTFE and TTFT distributions (the percentiles of the JSON report), errors by type with the
 * reasons k6 logged, threshold pass/fail, ratings and the run's settings (the report's
 * settings carry only whether an API key was set, never the key).
 *
 * When every chart has drawn, the page sets `data-charts-drawn` on <body> to the number of
 * canvases with painted pixels: the screenshot test reads it from Chromium's --dump-dom.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ERROR_TYPES } from '../../lib/error-types.ts';
import { METRICS } from '../../lib/metric-defs.ts';
import { FIGURE_SECTIONS, formatFigure, RATINGS, REPORT_FIGURES, SATURATION_NOTE } from '../../lib/report-fields.ts';
import { formatObserved } from '../../lib/report/report-text.ts';
import { cancelRows } from '../../lib/report/cancel-summary.ts';
import { BREAKDOWN_PARTS, PART_LABELS, breakdownRows } from '../../lib/report/breakdown.ts';
import type { ReportJson } from '../../lib/report/report-json.ts';
import { workloadRows } from '../../lib/report/workload-report.ts';
import type { SeriesPoint } from './live-block.ts';
import { errorIntervals, hasLatencySamples } from './report-series.ts';
import { hasWindows, type LatencyWindows } from './latency-windows.ts';

export interface HtmlReportInput {
  readonly report: ReportJson;
  /** Live samples; empty when the live block was off or k6's REST API was unreachable. */
  readonly series: readonly SeriesPoint[];
  readonly intervalSec: number;
  /** File names of the sibling reports, shown as links. */
  readonly siblings: readonly string[];
  /** Per-window latency percentiles (k6's CSV sample output); absent or null: none. */
  readonly windows?: LatencyWindows | null;
}

/** Chart.js's UMD bundle, from node_modules. */
export function loadChartJs(): string {
  const require = createRequire(import.meta.url);
  // The package's exports map hides dist/chart.umd.js: resolve the main entry (dist/chart.cjs), then its sibling.
  return readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.js'), 'utf8');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON safe inside <script>: no `<` that could close the element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** The percentiles shown as a distribution, in order, with the k6 stat that holds each. */
const DISTRIBUTION_STATS = [
  ['min', 'min'],
  ['p50', 'med'],
  ['p90', 'p(90)'],
  ['p95', 'p(95)'],
  ['p99', 'p(99)'],
  ['max', 'max'],
] as const;

function distribution(report: ReportJson, metric: string): (number | null)[] | null {
  const values = report.summary.metrics[metric]?.values;
  if (!values) return null;
  return DISTRIBUTION_STATS.map(([, stat]) => values[stat] ?? null);
}

function figureTables(report: ReportJson): string {
  return FIGURE_SECTIONS.map((section) => {
    const rows = REPORT_FIGURES.filter((f) => f.section === section)
      .map((f) => `<tr><th>${escapeHtml(f.label)}</th><td>${escapeHtml(formatFigure(f, report.figures[f.key as keyof typeof report.figures] ?? null))}</td></tr>`)
      .join('');
    return `<section class="card"><h3>${escapeHtml(section)}</h3><table>${rows}</table></section>`;
  }).join('\n');
}

/** A card of label/value rows (the cancel section; the breakdown). */
function rowsCard(title: string, rows: readonly (readonly [string, string])[]): string {
  const body = rows.map(([label, value]) => `<tr><th>${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`).join('');
  return `<section class="card"><h3>${escapeHtml(title)}</h3><table>${body}</table></section>`;
}

function failureReasonTable(report: ReportJson): string {
  const reasons = report.failureReasons;
  if (!reasons) return '';
  const rows = ERROR_TYPES.filter((t) => report.errorsByType[t] > 0 || reasons[t]).flatMap((t) => {
    const group = reasons[t];
    const head = `<th rowspan="ROWS"><code>${escapeHtml(t)}</code><br><span class="muted">${report.errorsByType[t]} failed</span></th>`;
    const cells = group
      ? [...group.reasons.map((r) => `<td class="num">${r.count}</td><td><code>${escapeHtml(r.reason)}</code></td>`), ...(group.more > 0 ? [`<td class="num">${group.more}</td><td class="muted">other reasons</td>`] : [])]
      : ['<td></td><td class="muted">no reason in k6\'s log</td>'];
    return cells.map((c, i) => `<tr>${i === 0 ? head.replace('ROWS', String(cells.length)) : ''}${c}</tr>`);
  });
  if (rows.length === 0) return '';
  return (
    '<section class="card"><h3>Failure reasons <span class="muted">(k6 log: the first failure of each type in each VU; lines per reason)</span></h3>' +
    `<table class="reasons"><tr><th>Error type</th><th class="num">Lines</th><th>Reason</th></tr>${rows.join('')}</table></section>`
  );
}

/** DATASET / TURNS runs: the workload rows (dataset, lengths, conversations, TTFT by turn). */
function workloadTable(report: ReportJson): string {
  if (report.workload === undefined) return '';
  const rows = workloadRows(report.workload)
    .map(([label, value]) => `<tr><th>${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`)
    .join('');
  return `<h2>Workload <span class="muted">(dataset, prompt and answer lengths, TTFT by turn)</span></h2><section class="card"><table class="workload">${rows}</table></section>`;
}

function thresholdTable(report: ReportJson): string {
  if (report.thresholds.length === 0) return '<p class="muted">No thresholds were set for this run.</p>';
  const rows = report.thresholds
    .map(
      (t) =>
        `<tr class="${t.ok ? 'pass' : 'fail'}"><td>${t.ok ? '✓ pass' : '✗ fail'}</td><td><code>${escapeHtml(t.metric)}</code></td>` +
        `<td><code>${escapeHtml(t.expression)}</code></td><td>${escapeHtml(formatObserved(report, t))}</td></tr>`,
    )
    .join('');
  return `<table class="thresholds"><tr><th>Result</th><th>Metric</th><th>Threshold</th><th>Observed</th></tr>${rows}</table>`;
}

function ratingTable(report: ReportJson): string {
  const ratings = report.ratings as Readonly<Record<string, { value: number | null; label: string | null }>>;
  const rows = RATINGS.map((r) => `<tr><th>${escapeHtml(r.title)}</th><td>${escapeHtml(ratings[r.key]?.label ?? 'n/a')}</td><td class="muted">${escapeHtml(r.legend)}</td></tr>`).join('');
  return `<table>${rows}</table>`;
}

function settingsTable(report: ReportJson): string {
  const rows = Object.entries(report.settings)
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td><code>${escapeHtml(Array.isArray(v) ? v.join(', ') : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v))}</code></td></tr>`)
    .join('');
  return `<table>${rows}</table>`;
}

/** The page style, shared with the sweep's knee chart page (cli/sweep/sweep-html.ts). */
export const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f5f6f8;color:#1d2433}
header{background:#1d2433;color:#fff;padding:18px 28px}header h1{margin:0;font-size:22px}header p{margin:4px 0 0;opacity:.8}
main{padding:20px 28px;max-width:1400px}
h2{font-size:17px;margin:26px 0 10px}h3{margin:0 0 8px;font-size:14px;color:#475066}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:14px}
.card{background:#fff;border-radius:8px;padding:14px 16px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.chart{position:relative;height:240px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:3px 8px 3px 0;vertical-align:top}th{font-weight:500;color:#475066}
.thresholds td,.thresholds th{padding:4px 12px 4px 0}.pass td:first-child{color:#13795b;font-weight:600}.fail td:first-child{color:#c62828;font-weight:600}
.banner{background:#fff4e5;border-left:4px solid #ef6c00;padding:10px 14px;margin:16px 0;border-radius:4px;font-weight:600}
.muted{color:#7a8294}code{font-size:12.5px}a{color:#2457c5}
.reasons td,.reasons th{padding:4px 12px 4px 0;border-top:1px solid #eceef2}.num{text-align:right}.reasons code{word-break:break-all}
`;

/** Page-script prelude: static charts, and `charts` to push each Chart into. */
export const CHARTS_PRELUDE = `
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = 'system-ui, sans-serif';
  var charts = [];`;

/** Page-script ending: counts the canvases of `charts` with painted pixels into body[data-charts-drawn] (the screenshot tests read it). */
export const COUNT_DRAWN_CHARTS = `
  var drawn = 0;
  charts.forEach(function (c) {
    var px = c.ctx.getImageData(0, 0, c.canvas.width, c.canvas.height).data, n = 0;
    for (var i = 3; i < px.length; i += 4) if (px[i] !== 0) n++;
    if (n > 500) drawn++;
  });
  document.body.setAttribute('data-charts-total', String(charts.length));
  document.body.setAttribute('data-charts-drawn', String(drawn));`;

/** Draws the charts from #report-data and sets body[data-charts-drawn]. Runs in the page. */
const PAGE_SCRIPT = `
(function () {
  var d = JSON.parse(document.getElementById('report-data').textContent);${CHARTS_PRELUDE}
  function mmss(t) { t = Math.round(t); return Math.floor(t / 60) + ':' + String(t % 60).padStart(2, '0'); }
  function line(id, label, values, color, yTitle) {
    var el = document.getElementById(id);
    if (!el) return;
    charts.push(new Chart(el, {
      type: 'line',
      data: { labels: d.series.map(function (p) { return mmss(p.tSec); }),
        datasets: [{ label: label, data: values, borderColor: color, backgroundColor: color + '33', fill: true, tension: 0.2, pointRadius: 2, spanGaps: true }] },
      options: { plugins: { legend: { display: false } }, scales: { x: { title: { display: true, text: 'elapsed (m:ss)' } }, y: { beginAtZero: true, title: { display: true, text: yTitle } } } }
    }));
  }
  line('chart-active', 'Active streams', d.series.map(function (p) { return p.activeStreams; }), '#2457c5', 'streams');
  line('chart-conn', 'Connections/s', d.series.map(function (p) { return p.connectionsPerSec; }), '#13795b', 'per second');
  line('chart-events', 'Events/s', d.series.map(function (p) { return p.eventsPerSec; }), '#8e44ad', 'per second');
  line('chart-cpu', 'Generator CPU', d.series.map(function (p) { return p.cpuShare === null ? null : Math.round(p.cpuShare * 1000) / 10; }), '#ef6c00', '% of available cores');
  var labels = d.series.map(function (p) { return mmss(p.tSec); });
  var lat = document.getElementById('chart-latency-time');
  if (lat) {
    charts.push(new Chart(lat, { type: 'line',
      data: { labels: labels, datasets: [
        { label: 'TTFE p95', data: d.series.map(function (p) { return p.ttfeP95Ms; }), borderColor: '#2457c5', backgroundColor: '#2457c5', tension: 0.2, pointRadius: 2, spanGaps: true },
        { label: 'TTFT p95', data: d.series.map(function (p) { return p.ttftP95Ms; }), borderColor: '#26a69a', backgroundColor: '#26a69a', tension: 0.2, pointRadius: 2, spanGaps: true }] },
      options: { scales: { x: { title: { display: true, text: 'elapsed (m:ss)' } }, y: { beginAtZero: true, title: { display: true, text: 'ms (p95 since the start)' } } } } }));
  }
  function windowChart(id, sets, yTitle) {
    var el = document.getElementById(id);
    if (!el) return;
    var w = d.windows;
    charts.push(new Chart(el, { type: 'line',
      data: { labels: w.tSec.map(mmss), datasets: sets.map(function (s) {
        return { label: s.label, data: w.metrics[s.key][s.p], borderColor: s.color, backgroundColor: s.color, borderDash: s.p === 'p50' ? [4, 3] : [], tension: 0.1, pointRadius: 2, spanGaps: false };
      }) },
      options: { scales: { x: { title: { display: true, text: 'window start (m:ss)' } }, y: { beginAtZero: true, title: { display: true, text: yTitle } } } } }));
  }
  if (d.windows) {
    windowChart('chart-latency-windows', [
      { key: 'ttfe', p: 'p95', label: 'TTFE p95', color: '#2457c5' }, { key: 'ttfe', p: 'p50', label: 'TTFE p50', color: '#2457c5' },
      { key: 'ttft', p: 'p95', label: 'TTFT p95', color: '#26a69a' }, { key: 'ttft', p: 'p50', label: 'TTFT p50', color: '#26a69a' }], 'ms (streams that ended in the window)');
    windowChart('chart-duration-windows', [
      { key: 'streamDuration', p: 'p95', label: 'stream duration p95', color: '#8e44ad' }, { key: 'streamDuration', p: 'p50', label: 'stream duration p50', color: '#8e44ad' }], 'ms (streams that ended in the window)');
  }
  var bw = document.getElementById('chart-breakdown-windows');
  if (bw && d.breakdownOverTime) {
    var bo = d.breakdownOverTime;
    charts.push(new Chart(bw, { type: 'line',
      data: { labels: bo.tSec.map(mmss), datasets: d.breakdownParts.map(function (p, i) {
        return { label: p.label, data: bo.p50[p.key], borderColor: p.color, backgroundColor: p.color, tension: 0.1, pointRadius: 2, spanGaps: false };
      }) },
      options: { scales: { x: { title: { display: true, text: 'window of request start (m:ss)' } }, y: { beginAtZero: true, title: { display: true, text: 'ms (p50 of the streams started in the window)' } } } } }));
  }
  var et = document.getElementById('chart-errors-time');
  if (et) {
    charts.push(new Chart(et, { type: 'bar',
      data: { labels: labels, datasets: d.errorTypesOverTime.map(function (t, i) { return { label: t, data: d.errorsPerInterval[t], backgroundColor: d.errorColors[i] }; }) },
      options: { scales: { x: { stacked: true, title: { display: true, text: 'elapsed (m:ss)' } }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'failed streams in the interval' } } } } }));
  }
  var dist = document.getElementById('chart-latency');
  if (dist) {
    var sets = [];
    if (d.ttfe) sets.push({ label: 'TTFE', data: d.ttfe, backgroundColor: '#2457c5' });
    if (d.ttft) sets.push({ label: 'TTFT', data: d.ttft, backgroundColor: '#26a69a' });
    charts.push(new Chart(dist, { type: 'bar', data: { labels: d.distLabels, datasets: sets },
      options: { scales: { y: { beginAtZero: true, title: { display: true, text: 'ms' } } } } }));
  }
  var errs = document.getElementById('chart-errors');
  if (errs) {
    charts.push(new Chart(errs, { type: 'bar', data: { labels: d.errorTypes, datasets: [{ label: 'failed streams', data: d.errorCounts, backgroundColor: '#c62828' }] },
      options: { indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } } }));
  }
${COUNT_DRAWN_CHARTS}
})();
`;

/** One colour per part of the time breakdown. */
const BREAKDOWN_COLORS = ['#ef6c00', '#2457c5', '#26a69a', '#8e44ad'];

/** One colour per error type, stable across reports. */
const ERROR_COLORS = ['#c62828', '#ef6c00', '#8e44ad', '#2457c5', '#6d4c41', '#00838f', '#ad1457', '#558b2f', '#455a64'];
function errorColor(type: string): string {
  const i = (ERROR_TYPES as readonly string[]).indexOf(type);
  return ERROR_COLORS[(i < 0 ? ERROR_TYPES.length : i) % ERROR_COLORS.length] ?? '#c62828';
}

const canvas = (id: string, title: string): string =>
  `<section class="card"><h3>${escapeHtml(title)}</h3><div class="chart"><canvas id="${id}"></canvas></div></section>`;

export function renderHtmlReport(input: HtmlReportInput, chartJs: string): string {
  const { report, series } = input;
  const saturated = report.generatorSaturated === true;
  const ttfe = distribution(report, METRICS.ttfe.name);
  const ttft = distribution(report, METRICS.ttft.name);
  const errorEntries = Object.entries(report.errorsByType);
  const failed = errorEntries.reduce((s, [, n]) => s + n, 0);
  const hasCpu = series.some((p) => p.cpuShare !== null);
  const overTime = errorIntervals(series);
  const windows = hasWindows(input.windows ?? null) ? (input.windows as LatencyWindows) : null;
  const breakdownOverTime = report.breakdown?.overTime !== undefined && report.breakdown.overTime.tSec.length > 0 ? report.breakdown.overTime : null;
  const data = {
    series,
    windows,
    breakdownOverTime,
    breakdownParts: BREAKDOWN_PARTS.map((key, i) => ({ key, label: PART_LABELS[key], color: BREAKDOWN_COLORS[i] })),
    errorTypesOverTime: overTime.types,
    errorsPerInterval: overTime.perInterval,
    errorColors: overTime.types.map(errorColor),
    distLabels: DISTRIBUTION_STATS.map(([label]) => label),
    ttfe,
    ttft,
    errorTypes: errorEntries.map(([t]) => t),
    errorCounts: errorEntries.map(([, n]) => n),
  };
  const passed = report.thresholds.filter((t) => t.ok).length;
  const s = report.settings;
  const windowCards =
    windows === null
      ? ''
      : canvas('chart-latency-windows', `TTFE and TTFT per ${windows.windowSec} s window (ms; p50 dashed, p95 solid)`) +
        canvas('chart-duration-windows', `Stream duration per ${windows.windowSec} s window (ms; p50 dashed, p95 solid)`);
  // without windows: k6's cumulative p95 at each sample (the key figures hold the whole run's)
  const cumulativeCard =
    windows === null && hasLatencySamples(series) ? canvas('chart-latency-time', 'TTFE and TTFT p95 over time (ms; k6\'s p95 since the start, at each sample)') : '';
  const seriesSection =
    series.length === 0
      ? `${windowCards === '' ? '' : `<div class="grid">${windowCards}</div>`}<p class="muted">No live samples (the run was started without the bench CLI's live polling).</p>`
      : `<div class="grid">${canvas('chart-active', 'Active streams')}${canvas('chart-conn', 'New connections per second')}${canvas('chart-events', 'Events per second')}${windowCards}${cumulativeCard}${
          overTime.types.length > 0 ? canvas('chart-errors-time', `Failed streams per ${input.intervalSec} s interval, by error type`) : ''
        }${hasCpu ? canvas('chart-cpu', 'Generator CPU (% of available cores)') : ''}</div>`;
  const latencySection =
    ttfe || ttft
      ? `<div class="grid">${canvas('chart-latency', 'TTFE and TTFT percentiles (ms)')}</div>`
      : '<p class="muted">No TTFE or TTFT samples.</p>';
  const errorSection =
    failed === 0 ? '<p>No failed streams.</p>' : `<div class="grid">${canvas('chart-errors', `Failed streams by error type (${failed})`)}</div>`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>sse-bench ${escapeHtml(s.target)} ${escapeHtml(report.generatedAt)}</title>
<style>${STYLE}</style></head>
<body data-charts-drawn="0">
<header><h1>SSE benchmark — ${escapeHtml(s.target)}</h1>
<p>${escapeHtml(s.url)} · profile ${escapeHtml(s.profile)} · ${escapeHtml(report.generatedAt)} · thresholds ${passed}/${report.thresholds.length} passed</p></header>
<main>
${saturated ? `<div class="banner">⚠ ${escapeHtml(SATURATION_NOTE)}: the load generator used ≥ 90% of its CPU for most of the run, which inflates TTFE by itself. Run <code>npm run calibrate</code> to find this machine's limit.</div>` : ''}
<h2>Key figures</h2><div class="grid">${figureTables(report)}</div>
<h2>Over time <span class="muted">(sampled every ${input.intervalSec} s)</span></h2>${seriesSection}
<h2>Latency distribution</h2>${latencySection}
${workloadTable(report)}
${report.breakdown ? `<h2>Time breakdown</h2><div class="grid">${rowsCard('Where a stream\'s time goes: before the model, the model\'s TTFT, the relay per token, after the model (client times joined with the mock\'s model log)', breakdownRows(report.breakdown))}${breakdownOverTime === null ? '' : canvas('chart-breakdown-windows', `Each part's p50 per ${breakdownOverTime.windowSec} s window of request start (ms)`)}</div>` : ''}
${report.cancelled ? `<h2>Cancelled streams</h2><div class="grid">${rowsCard('Stopped by the client (CANCEL_RATE): neither success nor failure', cancelRows(report.cancelled))}</div>` : ''}
<h2>Errors</h2>${errorSection}${failureReasonTable(report)}
<h2>Thresholds</h2><section class="card">${thresholdTable(report)}</section>
<h2>Ratings</h2><section class="card">${ratingTable(report)}</section>
<h2>Settings</h2><section class="card">${settingsTable(report)}</section>
${input.siblings.length > 0 ? `<p class="muted">Other reports of this run: ${input.siblings.map((f) => `<a href="${escapeHtml(f)}">${escapeHtml(f)}</a>`).join(' · ')}</p>` : ''}
</main>
<script>${chartJs.replace(/<\/script/gi, '<\\/script')}</script>
<script type="application/json" id="report-data">${scriptJson(data)}</script>
<script>${PAGE_SCRIPT}</script>
</body></html>
`;
}
