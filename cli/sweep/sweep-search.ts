/**
 * The capacity sweep's search, as a pure function of the steps run so far: grow the load
 * geometrically from --start until a step fails the SLO (or --max is reached), then bisect
 * between the highest passing and the lowest failing load until they are within --precision.
 * A step on which the generator saturated ends the search: what it measured is the
 * generator's limit, not the server's. No k6, no clock: `npm run sweep` (cli/sweep/sweep.ts) asks
 * `nextLoad` what to run, runs it, and asks again.
 */

export interface SearchSettings {
  /** First load (VUs, or iterations started per second). */
  readonly start: number;
  /** Highest load the sweep may run. */
  readonly max: number;
  /** Stop bisecting once (lowest failing − highest passing) / highest passing ≤ this (0.1 = 10%). */
  readonly precision: number;
  /** Growth factor between two steps before the first failure. */
  readonly factor: number;
}

/** Growth factor of the geometric phase. */
export const GROWTH_FACTOR = 2;

/** What the search needs to know about a finished step. */
export interface StepOutcome {
  readonly load: number;
  /** Every SLO held (and, open model, no iteration was dropped). */
  readonly pass: boolean;
  /** The generator ran out of CPU during the step. */
  readonly saturated: boolean;
}

/**
 * Why the answer is what it is: `slo` (a failing load was found just above it), `max` (every
 * load up to --max passed: the limit is higher), `generator` (the generator saturated first),
 * `interrupted` (Ctrl-C before the search ended).
 */
export type LimitedBy = 'slo' | 'max' | 'generator' | 'interrupted';

export interface SearchResult {
  /** Highest load that passed on an unsaturated generator, below the lowest failing one; null when none. */
  readonly best: number | null;
  /** Lowest load that failed on an unsaturated generator; null when none did. */
  readonly lowestFail: number | null;
  /** First load on which the generator saturated; null when it never did. */
  readonly saturatedAt: number | null;
  readonly limitedBy: LimitedBy;
}

export type SearchNext = { readonly done: false; readonly load: number } | { readonly done: true; readonly result: SearchResult };

/** A bad --start/--max/--precision combination (the CLI checks these before any step). */
export function settingsProblem(s: SearchSettings): string | null {
  if (!Number.isInteger(s.start) || s.start < 1) return `--start: expected a whole number of at least 1, got ${s.start}`;
  if (!Number.isInteger(s.max) || s.max < s.start) return `--max: expected a whole number of at least --start (${s.start}), got ${s.max}`;
  if (!(s.precision > 0)) return `--precision: expected more than 0%, got ${s.precision * 100}%`;
  if (!(s.factor > 1)) return `growth factor must exceed 1, got ${s.factor}`;
  return null;
}

/** Highest passing load, lowest failing load and first saturated load among the steps. */
function bounds(steps: readonly StepOutcome[]): { best: number | null; lowestFail: number | null; saturatedAt: number | null } {
  const valid = steps.filter((s) => !s.saturated);
  const fails = valid.filter((s) => !s.pass).map((s) => s.load);
  const lowestFail = fails.length === 0 ? null : Math.min(...fails);
  // A pass above a failing load is noise (or a server that recovered): the answer stays below the failure.
  const passes = valid.filter((s) => s.pass && (lowestFail === null || s.load < lowestFail)).map((s) => s.load);
  const saturated = steps.find((s) => s.saturated);
  return { best: passes.length === 0 ? null : Math.max(...passes), lowestFail, saturatedAt: saturated ? saturated.load : null };
}

/** The answer the steps so far give, ended for `limitedBy` (used for the final answer and after Ctrl-C). */
export function conclude(steps: readonly StepOutcome[], limitedBy: LimitedBy): SearchResult {
  return { ...bounds(steps), limitedBy };
}

/** The next load to run, or the answer. */
export function nextLoad(s: SearchSettings, steps: readonly StepOutcome[]): SearchNext {
  const { best, lowestFail, saturatedAt } = bounds(steps);
  const done = (limitedBy: LimitedBy): SearchNext => ({ done: true, result: { best, lowestFail, saturatedAt, limitedBy } });
  if (saturatedAt !== null) return done('generator');
  if (steps.length === 0) return { done: false, load: s.start };
  if (lowestFail === null) {
    const top = best ?? s.start;
    if (top >= s.max) return done('max');
    return { done: false, load: Math.min(s.max, Math.max(top + 1, Math.ceil(top * s.factor))) };
  }
  if (best === null) return done('slo'); // the first step already failed
  const gap = lowestFail - best;
  if (gap <= 1 || gap / best <= s.precision) return done('slo');
  return { done: false, load: Math.floor((best + lowestFail) / 2) }; // strictly between: gap ≥ 2
}
