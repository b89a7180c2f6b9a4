/**
 * The README's variable and metric tables, rendered from their one definition
 * (ENV_VARS, METRICS). scripts/gen-docs.ts writes them between markers in
 * README.md; test/docs-tables.test.ts fails when README.md differs.
 */

import { ENV_VARS, type EnvVarDef } from './env-vars';
import { COMMON_TAGS, METRIC_LIST, type MetricDef } from './metric-defs';
import { THRESHOLD_SETS } from './init/thresholds';

export interface DocBlock {
  /** Marker name: the block sits between `<!-- <name>:start -->` and `<!-- <name>:end -->`. */
  readonly name: string;
  readonly render: () => string;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function code(text: string): string {
  return `\`${text}\``;
}

export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function envRow(v: EnvVarDef): string[] {
  return [
    code(v.name),
    v.default === '' ? '(unset)' : code(v.default),
    v.accepted === undefined ? '' : v.accepted.map(code).join(', '),
    v.description,
  ];
}

export function renderEnvTable(): string {
  return markdownTable(['Variable', 'Default', 'Accepted', 'Meaning'], ENV_VARS.map(envRow));
}

const KIND_LABEL: Readonly<Record<MetricDef['kind'], string>> = { trend: 'Trend', counter: 'Counter', rate: 'Rate' };

function metricRow(m: MetricDef): string[] {
  return [
    code(m.name),
    m.isTime ? `${KIND_LABEL[m.kind]} (time, ms)` : KIND_LABEL[m.kind],
    [...COMMON_TAGS, ...m.extraTags].map(code).join(', '),
    m.description,
  ];
}

export function renderMetricTable(): string {
  return markdownTable(['Metric', 'Type', 'Tags', 'Meaning'], METRIC_LIST.map(metricRow));
}

/** One row per bundled threshold set (thresholds/*.json): `metric: expression, …`. */
export function renderThresholdTable(): string {
  const rows = Object.entries(THRESHOLD_SETS).map(([name, set]) => {
    const entries = Object.entries(set as Record<string, readonly unknown[]>).flatMap(([metric, specs]) =>
      specs.map((spec) => `${code(metric)} ${code(typeof spec === 'string' ? spec : (spec as { threshold: string }).threshold)}`),
    );
    return [code(name), code(`thresholds/${name}.json`), entries.length === 0 ? '(none)' : entries.join(', ')];
  });
  return markdownTable(['THRESHOLDS', 'file', 'thresholds'], rows);
}

export const DOC_BLOCKS: readonly DocBlock[] = [
  { name: 'env-table', render: renderEnvTable },
  { name: 'metric-table', render: renderMetricTable },
  { name: 'threshold-table', render: renderThresholdTable },
];

/** Where a block's content lies: between the end of its start marker and its end marker. */
function locate(text: string, name: string): { from: number; to: number } | undefined {
  const start = `<!-- ${name}:start -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(`<!-- ${name}:end -->`, from);
  return from < 0 || to < 0 ? undefined : { from: from + start.length, to };
}

/** The text between a block's markers (without the newlines next to them), or `undefined` when the markers are missing. */
export function readBlock(text: string, name: string): string | undefined {
  const at = locate(text, name);
  return at && text.slice(at.from, at.to).replace(/^\r?\n/, '').replace(/\r?\n$/, '');
}

/**
 * Replaces every block's content with its fresh rendering. Throws naming the
 * markers when a block's markers are missing.
 */
export function updateDocBlocks(text: string, blocks: readonly DocBlock[] = DOC_BLOCKS): string {
  let result = text;
  for (const block of blocks) {
    const at = locate(result, block.name);
    if (at === undefined) {
      throw new Error(`missing markers <!-- ${block.name}:start --> … <!-- ${block.name}:end -->: put both on their own lines where the table goes`);
    }
    result = `${result.slice(0, at.from)}\n${block.render()}\n${result.slice(at.to)}`;
  }
  return result;
}
