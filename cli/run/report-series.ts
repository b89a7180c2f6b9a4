/**
 * What the HTML report charts over time beyond the raw samples: failed streams in each
 * sampling interval by error type, from the running totals the live poller records with each
 * sample (cli/run/live-block.ts SeriesPoint.errorCounts). Pure.
 */
import { ERROR_TYPES } from '../../lib/error-types.ts';
import type { SeriesPoint } from './live-block.ts';

export interface ErrorIntervals {
  /** Error types that failed at least one stream, in ERROR_TYPES order (unknown ones after, by name). */
  readonly types: readonly string[];
  /** Per type, the failed streams in each interval: the first point counts from the start of the run. */
  readonly perInterval: Readonly<Record<string, readonly number[]>>;
}

const order = (t: string): number => {
  const i = (ERROR_TYPES as readonly string[]).indexOf(t);
  return i < 0 ? ERROR_TYPES.length : i;
};

export function errorIntervals(series: readonly SeriesPoint[]): ErrorIntervals {
  const seen = new Set<string>();
  for (const p of series) for (const [t, n] of Object.entries(p.errorCounts)) if (n > 0) seen.add(t);
  const types = [...seen].sort((a, b) => order(a) - order(b) || a.localeCompare(b));
  const perInterval: Record<string, number[]> = {};
  for (const t of types) {
    let before = 0;
    perInterval[t] = series.map((p) => {
      const total = p.errorCounts[t] ?? before; // a type absent from a sample has not moved
      const delta = Math.max(0, total - before);
      before = Math.max(before, total);
      return delta;
    });
  }
  return { types, perInterval };
}

/** True when any sample has a TTFE or TTFT percentile. */
export function hasLatencySamples(series: readonly SeriesPoint[]): boolean {
  return series.some((p) => p.ttfeP95Ms !== null || p.ttftP95Ms !== null);
}
