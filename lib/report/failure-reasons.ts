/**
 * Why streams failed, as a table per error type (Locust's failures table): the distinct
 * reasons k6's log gave (lib/vu/failure-log.ts lines, one per VU and error type, collected by
 * `npm run bench`) with how many log lines gave each. Kept bounded: at most
 * MAX_REASONS_PER_TYPE distinct reasons per type; lines with further reasons are only counted.
 * Stored in the JSON report as `failureReasons` and rendered in the text report, the bench
 * final block and the HTML report. Pure: no k6 import, no I/O.
 */
import { ERROR_TYPES, type ErrorType } from '../error-types.ts';
import type { FailureLogEntry } from '../vu/failure-log.ts';
import { isRecord } from './summary-data.ts';

/** Distinct reasons kept per error type; a run against one broken server has one or two. */
export const MAX_REASONS_PER_TYPE = 10;

export interface FailureReasonCount {
  readonly reason: string;
  /** Log lines with this reason (each VU logs the first failure of each type once). */
  readonly count: number;
}

export interface FailureReasonGroup {
  /** Most frequent first. */
  readonly reasons: readonly FailureReasonCount[];
  /** Log lines whose reason was not kept (beyond MAX_REASONS_PER_TYPE distinct ones). */
  readonly more: number;
}

/** Only the error types that logged at least one line. */
export type FailureReasons = Partial<Record<ErrorType, FailureReasonGroup>>;

/** Counts reasons as log lines arrive. */
export class FailureReasonTally {
  readonly #byType = new Map<ErrorType, { counts: Map<string, number>; more: number }>();

  add(entry: FailureLogEntry): void {
    let slot = this.#byType.get(entry.errorType);
    if (!slot) {
      slot = { counts: new Map(), more: 0 };
      this.#byType.set(entry.errorType, slot);
    }
    const seen = slot.counts.get(entry.reason);
    if (seen !== undefined) slot.counts.set(entry.reason, seen + 1);
    else if (slot.counts.size < MAX_REASONS_PER_TYPE) slot.counts.set(entry.reason, 1);
    else slot.more++;
  }

  /** Log lines counted so far. */
  get lines(): number {
    let n = 0;
    for (const slot of this.#byType.values()) n += slot.more + [...slot.counts.values()].reduce((a, b) => a + b, 0);
    return n;
  }

  /** The table, error types in ERROR_TYPES order, reasons most frequent first (ties in code-point order). */
  result(): FailureReasons {
    const out: FailureReasons = {};
    for (const type of ERROR_TYPES) {
      const slot = this.#byType.get(type);
      if (!slot) continue;
      const reasons = [...slot.counts].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0));
      out[type] = { reasons, more: slot.more };
    }
    return out;
  }
}

/** What is wrong with a `failureReasons` value read from a JSON report, or null. */
export function failureReasonsProblem(value: unknown): { field: string; problem: string } | null {
  if (!isRecord(value)) return { field: 'failureReasons', problem: 'expected an object' };
  for (const [type, group] of Object.entries(value)) {
    const field = `failureReasons.${type}`;
    if (!(ERROR_TYPES as readonly string[]).includes(type)) return { field, problem: `not an error type (${ERROR_TYPES.join(', ')})` };
    if (!isRecord(group) || !Array.isArray(group['reasons']) || typeof group['more'] !== 'number') {
      return { field, problem: 'expected { reasons: [{ reason, count }], more: number }' };
    }
    const bad = (group['reasons'] as unknown[]).findIndex((r) => !isRecord(r) || typeof r['reason'] !== 'string' || typeof r['count'] !== 'number');
    if (bad >= 0) return { field: `${field}.reasons[${bad}]`, problem: 'expected { reason: string, count: number }' };
  }
  return null;
}

/**
 * Text lines for the reports: for each error type that failed streams, its reasons with
 * their counts, or a note that k6's log gave none. Empty when no stream failed.
 */
export function failureReasonLines(reasons: FailureReasons, errorsByType: Readonly<Record<ErrorType, number>>): string[] {
  const failing = ERROR_TYPES.filter((t) => errorsByType[t] > 0 || reasons[t] !== undefined);
  if (failing.length === 0) return [];
  const lines = ['🔎 Failure Reasons (from k6\'s log: the first failure of each type in each VU; count = log lines):'];
  for (const type of failing) {
    const group = reasons[type];
    const n = errorsByType[type];
    lines.push(`  ${type} (${n} failed stream${n === 1 ? '' : 's'}):`);
    if (!group) {
      lines.push('    (no reason in k6\'s log)');
      continue;
    }
    const width = Math.max(...group.reasons.map((r) => String(r.count).length), 1);
    for (const r of group.reasons) lines.push(`    ${String(r.count).padStart(width)} × ${r.reason}`);
    if (group.more > 0) lines.push(`    (+ ${group.more} line${group.more === 1 ? '' : 's'} with other reasons)`);
  }
  lines.push('');
  return lines;
}
