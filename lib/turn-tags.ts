/**
 * The `turn` tag of `sse_ttft` / `sse_ttfe` with TURNS > 1: bounded, `1`, `2`, `3`, then `4+` for
 * every later turn, so a long conversation adds no tag value. lib/vu/conversation.ts writes the same
 * values (it keeps its own copy of TURN_TAG_CAP: this module is not evaluated per VU; a test checks
 * both agree). Pure data.
 */

/** Turns from this one on share the tag `<cap>+`. */
export const TURN_TAG_CAP = 4;

/** The tag of turn `k` (1-based). */
export function turnTag(k: number): string {
  return k < TURN_TAG_CAP ? String(k) : `${TURN_TAG_CAP}+`;
}

/** Every tag value a run of `turns` turns records, in order. */
export function turnTagValues(turns: number): string[] {
  const out: string[] = [];
  for (let k = 1; k <= Math.min(turns, TURN_TAG_CAP); k++) out.push(turnTag(k));
  return out;
}

/** The metrics tagged by turn. */
export const TURN_TAGGED_METRICS = ['sse_ttft', 'sse_ttfe'] as const;
