/**
 * The end-of-test summary on stdout, rendered locally in the layout of k6 v1.x's default
 * **compact** summary: a `█ THRESHOLDS` block (the thresholds that gate the run; the
 * report-only `sse_errors{error_type:…}` ones are left out), then `█ TOTAL RESULTS` with
 * checks and the metrics by category (SSE, LLM, DIFY, CUSTOM, HTTP, EXECUTION, NETWORK).
 *
 * Why not k6's own renderer: a script with `handleSummary` replaces k6's summary, and the
 * usual way to keep it (the k6-summary jslib) exists only on jslib.k6.io, which k6 would
 * download at every start. This module needs no network and no k6 import.
 *
 * Formats follow k6: trends `avg=… min=… med=…` in `options.summaryTrendStats` order, time
 * trends humanized (`148.21ms`, `1.2s`, `2m3s`, `µs`) or in `options.summaryTimeUnit`;
 * counters `count rate/s`; rates `97.60% 244 out of 250` (truncated, not rounded); gauges
 * `value min=… max=…`; data in decimal units (`1.8 MB`, `29 kB/s`). Like k6's compact mode,
 * HTTP timing phases (`http_req_blocked`, `…_sending`, `…_waiting`…) are not listed (they
 * stay in the JSON report). Trailing blanks are trimmed from every line.
 */
import type { SummaryData, SummaryMetric } from './summary-data.ts';
import { thresholdAggregation, thresholdResults } from './summary-figures.ts';

export interface StdoutSummaryOptions {
  /** ANSI colours (a terminal only: never in files). Default false. */
  readonly colors?: boolean;
}

const INDENT = '  ';
const PASS = '✓';
const FAIL = '✗';

/** k6's compact mode leaves these HTTP timing phases to the full mode. */
const FULL_MODE_ONLY: ReadonlySet<string> = new Set([
  'http_req_blocked',
  'http_req_connecting',
  'http_req_tls_handshaking',
  'http_req_sending',
  'http_req_waiting',
  'http_req_receiving',
]);

/** Categories in print order (k6 prints custom metrics first); first match wins. */
const CATEGORIES: readonly { readonly title: string; readonly has: (name: string) => boolean }[] = [
  { title: 'SSE', has: (n) => n.startsWith('sse_') },
  { title: 'LLM', has: (n) => n.startsWith('llm_') },
  { title: 'DIFY', has: (n) => n.startsWith('dify_') },
  { title: 'HTTP', has: (n) => n.startsWith('http_') },
  { title: 'EXECUTION', has: (n) => ['iterations', 'iteration_duration', 'vus', 'vus_max', 'dropped_iterations'].includes(n) },
  { title: 'NETWORK', has: (n) => n === 'data_received' || n === 'data_sent' },
];
const CUSTOM = 'CUSTOM';
const PRINT_ORDER = ['SSE', 'LLM', 'DIFY', CUSTOM, 'HTTP', 'EXECUTION', 'NETWORK'];

// ---- value formats (k6's) ----

/** `toFixed(prec)` without trailing zeros: 6.561090 → `6.56109`, 4.000000 → `4`. */
function fixed(value: number, prec: number): string {
  return String(parseFloat(value.toFixed(prec)));
}

/** Like `fixed`, truncating instead of rounding (k6 truncates durations). */
function fixedTrunc(value: number, prec: number): string {
  const mult = 10 ** prec;
  return fixed(Math.trunc(mult * value) / mult, prec);
}

/**
 * Milliseconds → `0s`, `512ns`, `3.2µs`, `148.21ms`, `1.2s`, `2m3s`, `1h0m5s` (k6's display rules).
 * Not lib/duration.ts's formatGoDuration: that one writes durations for k6 to parse
 * (whole ms rounded up, `1m`, `2500ms`), where k6 displays `1m0s`, `2.5s`.
 */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 0.001) return `${Math.trunc(ms * 1_000_000)}ns`;
  if (ms < 1) return `${fixedTrunc(ms * 1000, 2)}µs`;
  if (ms < 1000) return `${fixedTrunc(ms, 2)}ms`;
  let text = `${fixedTrunc((ms % 60_000) / 1000, ms > 60_000 ? 0 : 2)}s`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes < 1) return text;
  text = `${minutes % 60}m${text}`;
  const hours = Math.trunc(minutes / 60);
  return hours < 1 ? text : `${hours}h${text}`;
}

const TIME_UNITS: Readonly<Record<string, { unit: string; perMs: number }>> = {
  s: { unit: 's', perMs: 0.001 },
  ms: { unit: 'ms', perMs: 1 },
  us: { unit: 'µs', perMs: 1000 },
};

/** Bytes in decimal units: `752 B`, `3.3 kB`, `1.8 MB` (below 10 the bare number). */
export function formatBytes(bytes: number): string {
  if (bytes < 10) return `${bytes} B`;
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
  const e = Math.floor(Math.log(bytes) / Math.log(1000));
  const value = Math.floor((bytes / 1000 ** e) * 10 + 0.5) / 10;
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[e] ?? '?'}`;
}

function formatValue(value: number | undefined, metric: SummaryMetric, timeUnit: string): string {
  if (value === undefined || !Number.isFinite(value)) return 'n/a';
  if (metric.type === 'rate') return `${(Math.trunc(value * 100 * 100) / 100).toFixed(2)}%`;
  if (metric.contains === 'data') return formatBytes(value);
  if (metric.contains === 'time') {
    const unit = TIME_UNITS[timeUnit];
    return unit ? `${(value * unit.perMs).toFixed(2)}${unit.unit}` : formatDuration(value);
  }
  return fixed(value, 6);
}

// ---- colours ----

type Style = 'green' | 'red' | 'cyan' | 'white' | 'faintCyan' | 'faintWhite' | 'bold';
const ANSI: Readonly<Record<Style, string>> = {
  green: '32',
  red: '31',
  cyan: '36',
  white: '37',
  faintCyan: '2;36',
  faintWhite: '2;37',
  bold: '1',
};
type Paint = (text: string, style: Style) => string;
const plain: Paint = (text) => text;
const ansi: Paint = (text, style) => `\x1b[${ANSI[style]}m${text}\x1b[0m`;

// ---- metric lines ----

/** The formatted columns of one metric: trend stats, or a main value plus extras. */
interface Cells {
  readonly trend: boolean;
  readonly cols: readonly string[];
}

function cellsOf(metric: SummaryMetric, data: SummaryData): Cells {
  const v = metric.values;
  const unit = data.options.summaryTimeUnit;
  const f = (x: number | undefined): string => formatValue(x, metric, unit);
  switch (metric.type) {
    case 'trend':
      return { trend: true, cols: data.options.summaryTrendStats.map((s) => (s === 'count' ? String(v['count'] ?? 'n/a') : f(v[s]))) };
    case 'counter':
      return { trend: false, cols: [f(v['count']), `${f(v['rate'])}/s`] };
    case 'gauge':
      return { trend: false, cols: [f(v['value']), `min=${f(v['min'])}`, `max=${f(v['max'])}`] };
    case 'rate':
      return { trend: false, cols: [f(v['rate']), `${v['passes'] ?? 0} out of ${(v['passes'] ?? 0) + (v['fails'] ?? 0)}`] };
  }
}

interface Row {
  /** Name as printed: the metric name, or `{ tag:value }` under its parent. */
  readonly label: string;
  /** Extra indentation of a sub-metric under its parent. */
  readonly sub: boolean;
  readonly cells: Cells;
}

function parentOf(key: string): string {
  const open = key.indexOf('{');
  return open < 0 ? key : key.slice(0, open);
}

/** Parent first, then its sub-metrics, by name (k6's order; code-unit order for stability). */
function byParentThenSub(a: string, b: string): number {
  const [pa, pb] = [parentOf(a), parentOf(b)];
  if (pa !== pb) return pa < pb ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function rowOf(key: string, data: SummaryData): Row {
  const parent = parentOf(key);
  const sub = parent !== key && data.metrics[parent] !== undefined;
  const label = sub ? `{ ${key.slice(parent.length + 1, -1)} }` : key;
  return { label, sub, cells: cellsOf(data.metrics[key]!, data) };
}

/** Column widths shared by every line of a block, as k6 aligns them. */
interface Widths {
  readonly name: number;
  readonly trend: readonly number[];
  readonly value: number;
  readonly extras: readonly number[];
}

function widthsOf(rows: readonly Row[]): Widths {
  const trend: number[] = [];
  const extras: number[] = [];
  let name = 0;
  let value = 0;
  for (const row of rows) {
    name = Math.max(name, row.label.length + (row.sub ? INDENT.length : 0));
    const cols = row.cells.cols;
    if (row.cells.trend) {
      cols.forEach((c, i) => (trend[i] = Math.max(trend[i] ?? 0, c.length)));
      continue;
    }
    value = Math.max(value, cols[0]?.length ?? 0);
    cols.slice(1).forEach((c, i) => (extras[i] = Math.max(extras[i] ?? 0, c.length)));
  }
  return { name, trend, value, extras };
}

const pad = (text: string, width: number): string => ' '.repeat(Math.max(0, width - text.length));

function renderRow(row: Row, w: Widths, stats: readonly string[], paint: Paint, indent: string): string {
  const lead = row.sub ? indent + INDENT : indent;
  const dots = paint(`${'.'.repeat(w.name - row.label.length - (row.sub ? INDENT.length : 0) + 3)}:`, 'faintWhite');
  const [main = '', ...extras] = row.cells.cols;
  let data: string;
  if (row.cells.trend) {
    data = row.cells.cols.map((c, i) => `${stats[i]}=${paint(c, 'cyan')}${pad(c, w.trend[i] ?? 0)}`).join(' ');
  } else {
    data = paint(main, 'cyan') + pad(main, w.value);
    if (extras.length === 1) data += ` ${paint(extras[0]!, 'faintCyan')}`;
    else if (extras.length > 1) data += ` ${extras.map((e, i) => paint(e, 'faintCyan') + pad(e, w.extras[i] ?? 0)).join(' ')}`;
  }
  return `${lead}${row.label}${dots} ${data}`.trimEnd();
}

// ---- blocks ----

/** A block's lines; `''` is a blank line. */
type Lines = string[];

function title(text: string, paint: Paint): string {
  return `${INDENT}█ ${paint(text, 'bold')}`;
}

function thresholdsBlock(data: SummaryData, paint: Paint): Lines {
  const results = thresholdResults(data).sort((a, b) => byParentThenSub(a.metric, b.metric));
  if (results.length === 0) return [];
  const indent = INDENT.repeat(2);
  const lines: Lines = [title('THRESHOLDS', paint), ''];
  const listed = new Set(results.map((r) => r.metric));
  let current: string | null = null;
  for (const r of results) {
    const parent = parentOf(r.metric);
    const under = parent !== r.metric && listed.has(parent);
    const lead = under ? indent + INDENT : indent;
    if (r.metric !== current) {
      if (current !== null) lines.push('');
      lines.push(lead + (under ? r.metric.slice(parent.length) : r.metric));
      current = r.metric;
    }
    const metric = data.metrics[r.metric]!;
    const mark = r.ok ? paint(PASS, 'green') : paint(FAIL, 'red');
    lines.push(`${lead}${mark} ${paint(`'${r.expression}'`, 'white')}${observed(r.expression, metric, data, paint)}`);
  }
  return [...lines, '', ''];
}

/** ` p(95)=48.25ms`: the expression's aggregation as the metric line shows it. */
function observed(expression: string, metric: SummaryMetric, data: SummaryData, paint: Paint): string {
  const agg = thresholdAggregation(expression);
  if (agg === null) return '';
  const cells = cellsOf(metric, data);
  let value: string | undefined;
  if (metric.type === 'trend') value = cells.cols[data.options.summaryTrendStats.indexOf(agg)];
  else if (metric.type === 'counter') value = agg === 'count' ? cells.cols[0] : cells.cols[1];
  else value = cells.cols[0];
  if (value === undefined) value = formatValue(metric.values[agg], metric, data.options.summaryTimeUnit);
  return ` ${paint(agg, 'white')}=${paint(value, 'cyan')}`;
}

/** checks_total / checks_succeeded / checks_failed and the root group's checks, when the run had checks. */
function checksBlock(data: SummaryData, paint: Paint): Lines {
  const checks = data.metrics['checks'];
  if (checks === undefined) return [];
  const passes = checks.values['passes'] ?? 0;
  const fails = checks.values['fails'] ?? 0;
  const total = passes + fails;
  const seconds = data.state.testRunDurationMs / 1000;
  const share = (n: number): SummaryMetric => ({ type: 'rate', contains: 'default', values: { rate: total > 0 ? n / total : 0, passes: n, fails: total - n } });
  const metrics: [string, SummaryMetric][] = [
    ['checks_total', { type: 'counter', contains: 'default', values: { count: total, rate: seconds > 0 ? total / seconds : 0 } }],
    ['checks_succeeded', share(passes)],
    ['checks_failed', share(fails)],
  ];
  const rows = metrics.map(([label, m]): Row => ({ label, sub: false, cells: cellsOf(m, data) }));
  const w = widthsOf(rows);
  const indent = INDENT.repeat(2);
  const lines: Lines = rows.map((r) => renderRow(r, w, [], paint, indent));
  lines.push('');
  for (const check of data.root_group.checks) {
    if (check.fails === 0) {
      lines.push(indent + paint(`${PASS} ${check.name}`, 'green'));
      continue;
    }
    const pct = Math.floor((100 * check.passes) / (check.passes + check.fails));
    lines.push(indent + paint(`${FAIL} ${check.name}`, 'red'));
    lines.push(indent + INDENT + paint(`↳  ${pct}% — ${PASS} ${check.passes} / ${FAIL} ${check.fails}`, 'red'));
  }
  return [...lines, ''];
}

function categoryOf(key: string): string {
  const name = parentOf(key);
  return CATEGORIES.find((c) => c.has(name))?.title ?? CUSTOM;
}

function resultsBlock(data: SummaryData, paint: Paint): Lines {
  const keys = Object.keys(data.metrics)
    .filter((k) => k !== 'checks' && !FULL_MODE_ONLY.has(parentOf(k)))
    .sort(byParentThenSub);
  const rows = new Map(keys.map((k) => [k, rowOf(k, data)]));
  const w = widthsOf([...rows.values()]);
  const indent = INDENT.repeat(2);
  const lines: Lines = [title('TOTAL RESULTS', paint), '', ...checksBlock(data, paint)];
  for (const category of PRINT_ORDER) {
    const inCategory = keys.filter((k) => categoryOf(k) === category);
    if (inCategory.length === 0) continue;
    lines.push(indent + paint(category, 'bold'));
    for (const key of inCategory) lines.push(renderRow(rows.get(key)!, w, data.options.summaryTrendStats, paint, indent));
    lines.push('');
  }
  return lines;
}

/**
 * k6's compact end-of-test summary of `data` (handleSummary's argument), as k6 prints it:
 * starts with a newline and ends with a blank line. Pure.
 */
export function renderStdoutSummary(data: SummaryData, options: StdoutSummaryOptions = {}): string {
  const paint = options.colors === true ? ansi : plain;
  const lines = [...thresholdsBlock(data, paint), ...resultsBlock(data, paint)];
  return `\n${lines.join('\n')}\n`;
}
