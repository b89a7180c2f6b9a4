/**
 * `--repeat N`: the same configuration run N times, each report figure summarised as its
 * median and its spread (min–max), so a difference smaller than the spread is not read as a
 * result. Pure: figures in, summaries and text out.
 */
import { formatFigure, REPORT_FIGURES, type FigureKey, type Figures } from '../lib/report-fields.ts';
import { alignTable } from './text-table.ts';

/** One figure over N runs; all `null` when no run had a value for it. */
export interface Spread {
  readonly median: number | null;
  readonly min: number | null;
  readonly max: number | null;
  /** Runs that had a value (runs with `null` are left out of median and range). */
  readonly n: number;
}

export type FigureSpreads = Record<FigureKey, Spread>;

/** The median of the values (the mean of the middle two for an even count); null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export function spreadOf(values: readonly (number | null)[]): Spread {
  const v = values.filter((x): x is number => x !== null);
  if (v.length === 0) return { median: null, min: null, max: null, n: 0 };
  return { median: median(v), min: Math.min(...v), max: Math.max(...v), n: v.length };
}

/** Every figure of REPORT_FIGURES over the runs. */
export function figureSpreads(runs: readonly Figures[]): FigureSpreads {
  const out = {} as Record<FigureKey, Spread>;
  for (const def of REPORT_FIGURES) {
    const key = def.key as FigureKey;
    out[key] = spreadOf(runs.map((f) => f[key]));
  }
  return out;
}

/** The medians as a Figures record (what a step of a repeated sweep reports as its figures). */
export function medians(spreads: FigureSpreads): Figures {
  const out = {} as Record<FigureKey, number | null>;
  for (const key of Object.keys(spreads) as FigureKey[]) out[key] = spreads[key].median;
  return out;
}

/** `42.0 ms – 51.3 ms (±9.9%)`: the range, and its half-width relative to the median. */
export function spreadText(key: FigureKey, s: Spread): string {
  const def = REPORT_FIGURES.find((f) => f.key === key);
  if (!def || s.min === null || s.max === null) return 'n/a';
  const range = s.min === s.max ? formatFigure(def, s.min) : `${formatFigure(def, s.min)} – ${formatFigure(def, s.max)}`;
  if (s.median === null || s.median === 0 || s.min === s.max) return range;
  return `${range} (±${(((s.max - s.min) / 2 / Math.abs(s.median)) * 100).toFixed(1)}%)`;
}

/** The table printed after `npm run bench -- --repeat N`: each figure that has a value, median then spread. */
export function renderSpreadTable(spreads: FigureSpreads, runs: number): string {
  const head = ['Figure', `Median of ${runs}`, 'Min – max (± half-range / median)'];
  const rows = REPORT_FIGURES.filter((def) => spreads[def.key as FigureKey].n > 0).map((def) => {
    const s = spreads[def.key as FigureKey];
    return [def.label, formatFigure(def, s.median), spreadText(def.key as FigureKey, s)];
  });
  return alignTable([head, ...rows], ['l', 'r', 'l']);
}
