/**
 * `npm run compare` on two sets of repeated runs (`npm run bench -- --repeat N` summaries):
 * each figure's difference B − A as the Hodges–Lehmann shift of the runs' values, with its
 * exact rank interval (rank-interval.ts), and the verdict the interval allows: "no
 * significant difference" when it holds zero, else better or worse by the figure's
 * direction. The gate (`--max-regression`) fails a gated figure only when it is
 * significantly worse *and* the estimated regression exceeds the margin. Pure.
 */
import { formatFigure, type FigureDef, type FigureKey, type Figures } from '../../lib/report-fields.ts';
import { median } from '../figure-spread.ts';
import { formatRatio, formatSignedDelta, isGated, limitText, table } from './compare-table.ts';
import { holdsZero, shiftInterval, type ShiftInterval } from './rank-interval.ts';

export type SetVerdict = 'better' | 'worse' | 'differs' | 'none' | 'n/a';

export interface SetRow {
  readonly def: FigureDef;
  /** Median of each side's runs with a value; null when none had one. */
  readonly a: number | null;
  readonly b: number | null;
  /** Runs with a value on each side. */
  readonly nA: number;
  readonly nB: number;
  /** null when a side has fewer than 2 runs with a value. */
  readonly shift: ShiftInterval | null;
  /** `none`: no significant difference; `differs`: significant, for a figure without a better direction. */
  readonly verdict: SetVerdict;
  /** Estimated regression as a fraction of A's median (Infinity from 0); 0 unless significantly worse. */
  readonly regression: number;
  readonly gated: boolean;
}

const valuesOf = (runs: readonly Figures[], key: FigureKey): number[] => runs.flatMap((f) => (f[key] === null || f[key] === undefined ? [] : [f[key] as number]));

export function compareSets(figures: readonly FigureDef[], a: readonly Figures[], b: readonly Figures[]): SetRow[] {
  return figures.map((def) => {
    const key = def.key as FigureKey;
    const [va, vb] = [valuesOf(a, key), valuesOf(b, key)];
    const [ma, mb] = [median(va), median(vb)];
    const shift = shiftInterval(va, vb);
    const gated = isGated(def);
    const base = { def, a: ma, b: mb, nA: va.length, nB: vb.length, shift, gated };
    if (shift === null) return { ...base, verdict: 'n/a', regression: 0 };
    if (holdsZero(shift)) return { ...base, verdict: 'none', regression: 0 };
    const up = shift.lower > 0;
    const verdict: SetVerdict = def.better === 'none' ? 'differs' : (def.better === 'lower') === up ? 'worse' : 'better';
    const regression = verdict !== 'worse' ? 0 : ma === null || ma === 0 ? Infinity : Math.abs(shift.estimate) / Math.abs(ma);
    return { ...base, verdict, regression };
  });
}

/** Gated rows significantly worse with an estimated regression above `max` (a fraction). */
export function setRegressionsOver(rows: readonly SetRow[], max: number): SetRow[] {
  return rows.filter((r) => r.gated && r.verdict === 'worse' && r.regression > max);
}

function verdictText(r: SetRow, max: number | null): string {
  switch (r.verdict) {
    case 'n/a':
      return r.nA === 0 && r.nB === 0 ? '' : 'n/a (needs 2+ runs with a value a side)';
    case 'none':
      return 'no significant difference';
    case 'differs':
      return '≠ differs';
    case 'better':
      return '✓ better';
    case 'worse':
      return max !== null && r.gated && r.regression > max ? `✗ worse (over ${limitText(max)})` : '✗ worse';
  }
}

const percent = (p: number): string => `${+(p * 100).toFixed(1)}%`;

export interface SetNames {
  readonly a: string;
  readonly b: string;
}

/** The table: medians, the shift estimate, its share of A's median, the interval at its confidence, the verdict. */
export function renderSetTable(rows: readonly SetRow[], names: SetNames, max: number | null): string {
  const body = rows
    .filter((r) => r.nA > 0 || r.nB > 0)
    .map((r) => {
      const s = r.shift;
      const ratio = s === null || r.a === null || r.a === 0 ? null : s.estimate / Math.abs(r.a);
      const interval = s === null ? '' : `[${formatSignedDelta(r.def, s.lower)}, ${formatSignedDelta(r.def, s.upper)}] ${percent(s.confidence)}`;
      return [r.def.label, `${formatFigure(r.def, r.a)} (${r.nA})`, `${formatFigure(r.def, r.b)} (${r.nB})`, s === null ? '' : formatSignedDelta(r.def, s.estimate), formatRatio(ratio), interval, verdictText(r, max)];
    });
  const head = table([['Figure', 'A median (runs)', 'B median (runs)', 'Δ (HL)', 'Δ%', 'Interval, confidence', ''], ...body]);
  return `A: ${names.a}\nB: ${names.b}\n${head}`;
}

/** The lines under the table: how to read it. */
export function setMethodNote(rows: readonly SetRow[]): string {
  const levels = [...new Set(rows.flatMap((r) => (r.shift ? [r.shift.confidence] : [])))].sort((x, y) => x - y);
  const low = levels.length > 0 && (levels[0] as number) < 0.95;
  return [
    'Δ (HL): Hodges–Lehmann estimate of B − A (median of every run-pair difference); interval: exact Mann–Whitney rank interval',
    'for that shift at the confidence shown; "no significant difference" when it holds 0.',
    ...(low ? ['note: with 3 runs a side an exact interval reaches only 90 %; 4 + 4 runs reach 97.1 % (docs/bench-cli.md).'] : []),
  ].join('\n');
}
