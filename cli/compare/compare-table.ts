/**
 * `npm run compare`: the key figures of two JSON reports side by side, with deltas,
 * regressions marked by each figure's `better` direction (lib/report-fields.ts), and the
 * `--max-regression` gate. Pure: reports in, rows and text out.
 *
 * Noise: a change is judged (better / worse) only beyond its figure's noise floor — both its
 * relative and its absolute bound (`NoiseFloor` in lib/report-fields.ts, overridable with
 * --noise / --noise-abs); within it the figure is `same`.
 *
 * Gate: only figures with a direction whose unit is not a plain count (rates, latencies,
 * fractions) are gated; counts (total connections, failed streams…) scale with the run's
 * length and are shown, and marked, but not gated. A worse figure from a baseline of 0
 * counts as an unbounded regression. The gate uses the same rule: a change within the noise
 * floor never counts.
 */
import { exceedsNoise, formatFigure, type FigureDef, type NoiseFloor } from '../../lib/report-fields.ts';

export interface FigureValues {
  readonly figures: Readonly<Record<string, number | null>>;
}

export interface CompareRow {
  readonly def: FigureDef;
  readonly a: number | null;
  readonly b: number | null;
  /** b − a; null when either is null. */
  readonly delta: number | null;
  /** (b − a) / |a|; null when either is null or a is 0. */
  readonly deltaRatio: number | null;
  /** `same` also for a change within the noise floor. */
  readonly verdict: 'better' | 'worse' | 'same' | 'n/a';
  /** The noise floor the row was judged with. */
  readonly noise: NoiseFloor;
  /** How much worse, as a fraction (Infinity from a 0 baseline); 0 unless worse. */
  readonly regression: number;
  /** Whether --max-regression applies to this figure. */
  readonly gated: boolean;
}

export function isGated(def: FigureDef): boolean {
  return def.better !== 'none' && def.unit !== 'count';
}

/** --noise / --noise-abs: a relative floor for every figure, absolute floors by figure key or unit. */
export interface NoiseOverrides {
  readonly relative: number | null;
  /** Keyed by a figure key (wins) or a unit (`ms`, `/s`, `fraction`, …). */
  readonly absolute: Readonly<Record<string, number>>;
}

export const NO_NOISE_OVERRIDES: NoiseOverrides = { relative: null, absolute: {} };

/** A figure's noise floor after the overrides. */
export function noiseFloorOf(def: FigureDef, o: NoiseOverrides = NO_NOISE_OVERRIDES): NoiseFloor {
  return {
    relative: o.relative ?? def.noise.relative,
    absolute: o.absolute[def.key] ?? o.absolute[def.unit] ?? def.noise.absolute,
  };
}

export function compareFigures(figures: readonly FigureDef[], a: FigureValues, b: FigureValues, overrides: NoiseOverrides = NO_NOISE_OVERRIDES): CompareRow[] {
  return figures.map((def) => {
    const va = a.figures[def.key] ?? null;
    const vb = b.figures[def.key] ?? null;
    const gated = isGated(def);
    const noise = noiseFloorOf(def, overrides);
    if (va === null || vb === null) return { def, a: va, b: vb, delta: null, deltaRatio: null, verdict: 'n/a', noise, regression: 0, gated };
    const delta = vb - va;
    const deltaRatio = va === 0 ? null : delta / Math.abs(va);
    const real = exceedsNoise(noise, va, vb);
    const worse = real && ((def.better === 'lower' && delta > 0) || (def.better === 'higher' && delta < 0));
    const better = real && ((def.better === 'lower' && delta < 0) || (def.better === 'higher' && delta > 0));
    const verdict = worse ? 'worse' : better ? 'better' : 'same';
    const regression = worse ? (deltaRatio === null ? Infinity : Math.abs(deltaRatio)) : 0;
    return { def, a: va, b: vb, delta, deltaRatio, verdict, noise, regression, gated };
  });
}

/** Gated rows that regressed beyond their noise floor and by more than `max` (a fraction). */
export function regressionsOver(rows: readonly CompareRow[], max: number): CompareRow[] {
  return rows.filter((r) => r.gated && r.verdict === 'worse' && r.regression > max);
}

function signed(text: string, negative: boolean): string {
  return negative ? `−${text.replace(/^-/, '')}` : `+${text}`;
}

/** A difference in the figure's unit with its sign (a fraction's in percentage points). */
export function formatSignedDelta(def: FigureDef, delta: number | null): string {
  if (delta === null) return '';
  if (delta === 0) return '0';
  // A fraction's difference is in percentage points, not a percentage of it.
  const abs = def.unit === 'fraction' ? `${(Math.abs(delta) * 100).toFixed(2)} pt` : formatFigure(def, Math.abs(delta));
  return signed(abs, delta < 0);
}

const formatDelta = (row: CompareRow): string => formatSignedDelta(row.def, row.delta);

export function formatRatio(ratio: number | null): string {
  if (ratio === null) return '';
  if (ratio === 0) return '0.0%';
  return signed(`${(Math.abs(ratio) * 100).toFixed(1)}%`, ratio < 0);
}

/** A --max-regression limit as given: 0.1 → `10%`, 0.005 → `0.5%`. */
export const limitText = (f: number): string => `${+(f * 100).toFixed(2)}%`;

function mark(row: CompareRow, max: number | null): string {
  if (row.verdict === 'worse') {
    const over = max !== null && row.gated && row.regression > max;
    return over ? `✗ worse (over ${limitText(max)})` : '✗ worse';
  }
  return row.verdict === 'better' ? '✓ better' : '';
}

export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, [...cell].length)));
  return rows
    .map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - [...cell].length))).join('  ').trimEnd())
    .join('\n');
}

export interface CompareNames {
  readonly a: string;
  readonly b: string;
}

/** The side-by-side table; `max` (fraction) marks the rows that break the gate. */
export function renderCompareTable(rows: readonly CompareRow[], names: CompareNames, max: number | null): string {
  const body = rows.map((r) => [r.def.label, formatFigure(r.def, r.a), formatFigure(r.def, r.b), formatDelta(r), formatRatio(r.deltaRatio), mark(r, max)]);
  return table([['Figure', `A: ${names.a}`, `B: ${names.b}`, 'Δ', 'Δ%', ''], ...body]);
}

/** Errors by type, non-zero in either run. */
export function renderErrorComparison(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): string {
  const types = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((t) => (a[t] ?? 0) > 0 || (b[t] ?? 0) > 0);
  if (types.length === 0) return 'Errors by type: none in either run';
  return table([['Error type', 'A', 'B'], ...types.map((t) => [t, String(a[t] ?? 0), String(b[t] ?? 0)])]);
}
