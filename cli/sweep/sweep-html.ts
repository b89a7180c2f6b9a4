/**
 * `<REPORTS_DIR>/sweep_YYYYMMDD_HHMMSS.html`: the knee chart of a capacity sweep — TTFE and
 * TTFT p95 (left axis, ms, logarithmic) and goodput and achieved streams/s (right axis) against the offered
 * load, each latency SLO as a dashed line, saturated steps marked, the answer as a vertical
 * line — and the per-step table with links to each step's own reports. Rendered offline the
 * way the run report is (cli/run/html-report.ts: Chart.js inlined, same style, the same
 * `data-charts-drawn` mark for the screenshot test).
 */
import { METRICS } from '../../lib/metric-defs.ts';
import { figureDef, formatFigure } from '../../lib/report-fields.ts';
import { parseMetricKey } from '../../lib/report/summary-data.ts';
import { parseThresholdExpression } from '../../lib/init/thresholds.ts';
import { CHARTS_PRELUDE, COUNT_DRAWN_CHARTS, escapeHtml, scriptJson, STYLE } from '../run/html-report.ts';
import { checkedSlos, observedText, type SweepReport, type SweepStep } from './sweep-report.ts';
import { sloLabel } from './sweep-slo.ts';

interface Point {
  readonly x: number;
  readonly y: number | null;
}

/** Chart data: every series in load order, SLO lines across the load range, the answer's vertical line. */
export function kneeChartData(r: SweepReport) {
  const steps = [...r.steps].filter((s) => !s.interrupted && s.runs > 0).sort((a, b) => a.load - b.load);
  const series = (pick: (s: SweepStep) => number | null): Point[] => steps.map((s) => ({ x: s.load, y: pick(s) }));
  const ttfe = series((s) => s.figures.ttfeP95Ms);
  const ttft = series((s) => s.figures.ttftP95Ms);
  const loads = steps.map((s) => s.load);
  const [lo, hi] = [Math.min(0, ...loads), Math.max(1, ...loads)];
  const latencyNames = new Set([METRICS.ttfe.name, METRICS.ttft.name]);
  const sloLines = r.slo.flatMap((s) => {
    const e = parseThresholdExpression(s.expression);
    if (e === null || !e.op.startsWith('<') || !latencyNames.has(parseMetricKey(s.metric).metric)) return [];
    return [{ label: `SLO ${sloLabel(s)}`, points: [{ x: lo, y: e.limit }, { x: hi, y: e.limit }] }];
  });
  // The latency axis is logarithmic (a knee jumps by orders of magnitude): the answer's line spans the plotted values.
  const plotted = [...[...ttfe, ...ttft].map((p) => p.y ?? 0), ...sloLines.map((l) => l.points[0]?.y ?? 0)].filter((y) => y > 0);
  const [bottom, top] = plotted.length === 0 ? [1, 10] : [Math.min(...plotted) / 2, Math.max(...plotted) * 2];
  const best = 'vus' in r.maxSustainable ? r.maxSustainable.vus : r.maxSustainable.rate;
  return {
    unit: r.loadUnit,
    ttfe,
    ttft,
    goodput: series((s) => s.figures.goodputPerSecond),
    streams: series((s) => s.figures.connectionRate),
    saturated: steps.filter((s) => s.generatorSaturated).map((s) => ({ x: s.load, y: s.figures.ttfeP95Ms })),
    sloLines,
    answer: best === null ? null : { label: `max sustainable: ${best} ${r.loadUnit}`, points: [{ x: best, y: bottom }, { x: best, y: top }] },
  };
}

const PAGE_SCRIPT = `
(function () {
  var d = JSON.parse(document.getElementById('sweep-data').textContent);${CHARTS_PRELUDE}
  var sets = [
    { label: 'TTFE p95 (ms)', data: d.ttfe, borderColor: '#2457c5', backgroundColor: '#2457c5', yAxisID: 'y', showLine: true, spanGaps: true },
    { label: 'TTFT p95 (ms)', data: d.ttft, borderColor: '#26a69a', backgroundColor: '#26a69a', yAxisID: 'y', showLine: true, spanGaps: true },
    { label: 'goodput (streams/s within the SLO)', data: d.goodput, borderColor: '#8e44ad', backgroundColor: '#8e44ad', yAxisID: 'y2', showLine: true, spanGaps: true },
    { label: 'achieved streams/s', data: d.streams, borderColor: '#8e44ad', backgroundColor: '#8e44ad', borderDash: [2, 3], pointRadius: 0, yAxisID: 'y2', showLine: true, spanGaps: true }
  ];
  d.sloLines.forEach(function (l) {
    sets.push({ label: l.label, data: l.points, borderColor: '#c62828', borderDash: [6, 4], pointRadius: 0, yAxisID: 'y', showLine: true });
  });
  if (d.saturated.length > 0) sets.push({ label: 'generator saturated', data: d.saturated, pointStyle: 'triangle', pointRadius: 9, borderColor: '#ef6c00', backgroundColor: '#ef6c00', yAxisID: 'y', showLine: false });
  if (d.answer) sets.push({ label: d.answer.label, data: d.answer.points, borderColor: '#13795b', borderWidth: 3, pointRadius: 0, yAxisID: 'y', showLine: true });
  charts.push(new Chart(document.getElementById('chart-knee'), {
    type: 'scatter',
    data: { datasets: sets },
    options: { scales: {
      x: { type: 'linear', beginAtZero: true, title: { display: true, text: 'offered load (' + d.unit + ')' } },
      y: { type: 'logarithmic', title: { display: true, text: 'ms (log scale)' } },
      y2: { beginAtZero: true, position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: 'streams/s' } }
    } }
  }));${COUNT_DRAWN_CHARTS}
})();
`;

function stepRows(r: SweepReport): string {
  const best = 'vus' in r.maxSustainable ? r.maxSustainable.vus : r.maxSustainable.rate;
  const checked = checkedSlos(r);
  const ms = (v: number | null): string => formatFigure(figureDef('ttfeP95Ms'), v);
  return [...r.steps]
    .sort((a, b) => a.load - b.load || a.index - b.index)
    .map((s) => {
      const f = s.figures;
      const checks = checked
        .map((_, i) => {
          const c = s.checks[i];
          return c === undefined ? '<td>n/a</td>' : `<td class="${c.ok ? 'ok' : 'bad'}">${c.ok ? '✓' : '✗'} ${escapeHtml(c.note ?? observedText(c.metric, c.observed))}</td>`;
        })
        .join('');
      const verdict = s.interrupted ? 'interrupted' : s.runs === 0 ? 'no report' : s.pass ? 'pass' : 'fail';
      const links = s.reports.map((p, i) => `<a href="${escapeHtml(p.replace(/\.json$/, '.html'))}">${s.reports.length > 1 ? `run ${i + 1}` : 'report'}</a>`).join(' ');
      return (
        `<tr class="${s.load === best && !s.interrupted ? 'best' : ''}"><td>${s.load}</td><td>${f.connectionRate === null ? 'n/a' : f.connectionRate.toFixed(1)}</td>` +
        `<td>${ms(f.ttfeMedMs)}</td><td>${ms(f.ttfeP95Ms)}</td><td>${ms(f.ttftP95Ms)}</td>` +
        `<td>${f.goodputPerSecond === null ? 'n/a' : f.goodputPerSecond.toFixed(1)}</td>` +
        `<td>${s.cpuPeakShare === null ? 'n/a' : `${Math.round(s.cpuPeakShare * 100)}%`}${s.generatorSaturated ? ' ⚠' : ''}</td>${checks}` +
        `<td>${verdict}</td><td>${links}</td></tr>`
      );
    })
    .join('');
}

const EXTRA_STYLE = `.ok{color:#13795b}.bad{color:#c62828}tr.best td{background:#e8f5e9;font-weight:600}.answer{font-size:18px;font-weight:600;margin:14px 0}
.tall{position:relative;height:420px}.steps td,.steps th{padding:4px 12px 4px 0;white-space:nowrap}`;

export function renderSweepHtml(r: SweepReport, chartJs: string): string {
  const heads = checkedSlos(r).map((c) => `<th>${escapeHtml(sloLabel(c))}</th>`).join('');
  const limited = r.maxSustainable.limitedBy;
  const banner =
    limited === 'generator'
      ? `<div class="banner">⚠ The generator saturated at ${r.saturatedAt ?? '?'} ${escapeHtml(r.loadUnit)}: the limit found is the generator's, not the server's. Run the sweep from several generators (docs/distributed.md).</div>`
      : '';
  const s = r.settings;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>sse-bench sweep ${escapeHtml(s.target)} ${escapeHtml(r.generatedAt)}</title>
<style>${STYLE}${EXTRA_STYLE}</style></head>
<body data-charts-drawn="0">
<header><h1>Capacity sweep — ${escapeHtml(s.target)}</h1>
<p>${escapeHtml(s.url)} · ${r.mode === 'vus' ? 'closed model (VUs)' : `open model (${escapeHtml(r.loadUnit)})`} · SLO ${escapeHtml(r.slo.map(sloLabel).join(', '))} · ${escapeHtml(r.generatedAt)}</p></header>
<main>
<p class="answer">${escapeHtml(r.answer)}</p>
${banner}
<section class="card"><h3>Latency and goodput against offered load</h3><div class="tall"><canvas id="chart-knee"></canvas></div></section>
<h2>Steps <span class="muted">(${r.search.stepDurationSec} s each${r.search.repeat > 1 ? `, ${r.search.repeat} runs per step, medians` : ''}; per-stream limits ${escapeHtml(Object.entries(r.streamSlo).map(([k, v]) => `${k}=${v}`).join(' ') || 'none')})</span></h2>
<section class="card"><table class="steps"><tr><th>${escapeHtml(r.loadUnit)}</th><th>streams/s</th><th>TTFE p50</th><th>TTFE p95</th><th>TTFT p95</th><th>goodput/s</th><th>gen CPU</th>${heads}<th>step</th><th>reports</th></tr>${stepRows(r)}</table></section>
</main>
<script>${chartJs.replace(/<\/script/gi, '<\\/script')}</script>
<script type="application/json" id="sweep-data">${scriptJson(kneeChartData(r))}</script>
<script>${PAGE_SCRIPT}</script>
</body></html>
`;
}
