/**
 * The human-readable report (`benchmark_*.txt`): the seed's "FINAL BENCHMARK RESULTS"
 * block (total connections, total events, average TTFE, connection rate, event
 * throughput) followed by latency, stream, LLM figures, errors by type (with their reasons
 * when the bench CLI collected them from k6's log), the seed's
 * ratings, the thresholds that gate the run and, when the bench CLI found the load
 * generator saturated, a warning. Rendered from the JSON report object, so a saved
 * `benchmark_*.json` can be rendered again.
 */
import { ERROR_TYPES } from '../error-types.ts';
import { breakdownRows } from './breakdown.ts';
import { cancelRows } from './cancel-summary.ts';
import { failureReasonLines } from './failure-reasons.ts';
import { FIGURE_SECTIONS, RATINGS, REPORT_FIGURES, SATURATION_NOTE, figureDef, formatFigure, type FigureSection, type Figures } from '../report-fields.ts';
import type { ReportJson } from './report-json.ts';
import type { ThresholdResult } from './summary-figures.ts';
import { workloadRows } from './workload-report.ts';

const RULE = '='.repeat(70);

const SECTION_ICONS: Readonly<Record<FigureSection, string>> = {
  'Final Metrics': '📈',
  'Overall Rates': '📊',
  Latency: '⏱️',
  Streams: '🔁',
  LLM: '🤖',
};

/** Width of the `Label:` column: the seed's 20 characters, or wider for longer labels. */
const LABEL_WIDTH = Math.max(
  20,
  ...REPORT_FIGURES.map((f) => f.label.length + 2),
  ...RATINGS.map((r) => r.title.length + 2),
  ...ERROR_TYPES.map((t) => t.length + 2),
);

function line(label: string, value: string): string {
  return `  ${`${label}:`.padEnd(LABEL_WIDTH)}${value}`;
}

function figureSection(section: FigureSection, figures: Figures): string[] {
  const rows = REPORT_FIGURES.filter((f) => f.section === section).map((f) =>
    line(f.label, formatFigure(f, figures[f.key as keyof Figures])),
  );
  return [`${SECTION_ICONS[section]} ${section}:`, ...rows, ''];
}

function errorSection(report: ReportJson): string[] {
  const total = ERROR_TYPES.reduce((sum, t) => sum + report.errorsByType[t], 0);
  return ['❌ Errors by Type:', ...ERROR_TYPES.map((t) => line(t, String(report.errorsByType[t]))), line('total', String(total)), ''];
}

function ratingSection(report: ReportJson): string[] {
  const rows = RATINGS.flatMap((def) => {
    const rating = report.ratings[def.key as keyof ReportJson['ratings']];
    const shown = formatFigure(figureDef(def.figure), rating.value);
    return [line(def.title, `${shown} → ${rating.label ?? 'n/a (no samples)'}`), `  ${' '.repeat(LABEL_WIDTH)}(${def.legend})`];
  });
  return ['⭐ Ratings:', ...rows, ''];
}

/** A threshold's observed value as reports show it: `48.25 ms` for a time metric, else a plain number; '' for none. */
export function formatObserved(report: ReportJson, t: Pick<ThresholdResult, 'metric' | 'observed'>): string {
  if (t.observed === null) return '';
  const isTime = report.summary.metrics[t.metric]?.contains === 'time';
  return isTime ? `${Number(t.observed.toFixed(2))} ms` : String(Number(t.observed.toFixed(4)));
}

function observedText(report: ReportJson, t: ThresholdResult): string {
  return t.observed === null ? '' : ` (observed ${formatObserved(report, t)})`;
}

function thresholdSection(report: ReportJson): string[] {
  const failed = report.thresholds.filter((t) => !t.ok).length;
  if (report.thresholds.length === 0) return ['✅ Thresholds: none configured (THRESHOLDS=none?)', ''];
  const head = failed === 0 ? '✅' : '❌';
  const rows = report.thresholds.map((t) => `  ${t.ok ? '✓' : '✗'} ${t.metric}: ${t.expression}${observedText(report, t)}`);
  return [`${head} Thresholds: ${report.thresholds.length - failed} passed, ${failed} failed`, ...rows, ''];
}

function settingsSection(report: ReportJson): string[] {
  const s = report.settings;
  return [
    line('Generated', report.generatedAt),
    line('Target', `${s.target} (${s.method} ${s.url})`),
    line('Profile', `${s.profile}; scenarios: ${s.scenarios.join(', ')}`),
    line('Thresholds', s.thresholds),
    line('API key', s.apiKey),
    '',
  ];
}

/** DATASET / TURNS runs: the dataset, the lengths sent and received, the conversations and TTFT by turn. */
function workloadSection(report: ReportJson): string[] {
  if (report.workload === undefined) return [];
  return ['💬 Workload:', ...workloadRows(report.workload).map(([label, value]) => `  ${`${label}:`.padEnd(LABEL_WIDTH)}${value}`), ''];
}

/** The text report; ends with a newline. */
export function renderTextReport(report: ReportJson): string {
  const lines = [
    RULE,
    'FINAL BENCHMARK RESULTS',
    RULE,
    '',
    ...settingsSection(report),
    ...FIGURE_SECTIONS.flatMap((section) => figureSection(section, report.figures)),
    ...workloadSection(report),
    ...(report.breakdown
      ? ['🧩 Time Breakdown (client times joined with the mock\'s model log; BREAKDOWN=true):', ...breakdownRows(report.breakdown).map(([l, v]) => line(l, v)), '']
      : []),
    ...(report.cancelled ? ['🛑 Cancelled Streams (CANCEL_RATE; neither success nor failure):', ...cancelRows(report.cancelled).map(([l, v]) => line(l, v)), ''] : []),
    ...errorSection(report),
    ...(report.failureReasons ? failureReasonLines(report.failureReasons, report.errorsByType) : []),
    ...ratingSection(report),
    ...thresholdSection(report),
    ...(report.generatorSaturated === true ? [`⚠ ${SATURATION_NOTE}`, ''] : []),
    RULE,
  ];
  return `${lines.join('\n')}\n`;
}
