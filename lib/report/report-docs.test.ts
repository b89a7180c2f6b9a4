// docs/reports.md is checked against the one definition of the report figures and ratings,
// and its text excerpt against the real renderer (so the doc cannot drift from the code).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { markdownTable, readBlock } from '../docs-tables.ts';
import { reportSettings } from './redact.ts';
import { noiseText, RATINGS, REPORT_FIGURES } from '../report-fields.ts';
import { buildReport } from './report-json.ts';
import { renderTextReport } from './report-text.ts';
import { k6Summary, testConfig } from './summary-data.fixture.ts';

const DOC = readFileSync(new URL('../../docs/reports.md', import.meta.url), 'utf8');

function block(name: string): string {
  const text = readBlock(DOC, name);
  expect(text, `markers ${name} in docs/reports.md`).toBeDefined();
  return text!;
}

describe('docs/reports.md', () => {
  it('lists every report figure as defined in REPORT_FIGURES', () => {
    const rows = REPORT_FIGURES.map((f) => [`\`${f.key}\``, f.label, f.unit, f.better, f.better === 'none' ? '' : noiseText(f.unit, f.noise), f.description]);
    expect(block('figure-table')).toBe(markdownTable(['Key', 'Label', 'Unit', 'Better', 'Compare noise floor', 'From'], rows));
  });

  it('lists the ratings as defined in RATINGS', () => {
    const rows = RATINGS.map((r) => [r.title, `\`${r.figure}\``, r.legend]);
    expect(block('rating-table')).toBe(markdownTable(['Rating', 'Figure', 'Bands'], rows));
  });

  it("shows an excerpt the renderer really produces", () => {
    const excerpt = /## The text report \(excerpt\)\n\n```\n([\s\S]*?)\n```/.exec(DOC)?.[1];
    expect(excerpt).toBeDefined();
    const rendered = renderTextReport(buildReport(k6Summary(), reportSettings(testConfig()), new Date(Date.UTC(2026, 10, 27, 23, 9, 33, 456))));
    const [head = '', tail = ''] = excerpt!.split('\n...\n');
    expect(rendered.startsWith(`${head}\n`)).toBe(true);
    expect(rendered.endsWith(`${tail}\n`)).toBe(true);
  });
});
