/**
 * The per-iteration request inputs: which question, and the `user` field.
 * The question index comes from the scenario's iteration number in the whole test
 * (`exec.scenario.iterationInTest`, unique across instances run with
 * `--execution-segment`) through a cheap integer hash: deterministic, no repeats
 * between segments that the iteration numbers do not already have, yet spread like
 * a random pick. Pure: no k6 import.
 */

/** murmur3's 32-bit finaliser: a cheap, well-mixing integer hash. */
export const mix32 = (n: number): number => {
  let h = n | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
};

/** The question of request number `n` of the test (a SharedArray or a plain array). */
export const pickQuestion = (questions: ArrayLike<string>, n: number): string => {
  const count = questions.length;
  if (count === 0) throw new Error('pickQuestion: no questions');
  return questions[mix32(n) % count] as string;
};

/** The `user` field: `<USER_PREFIX>-<vu>-<iteration>` (iteration of this VU in its scenario). */
export const userId = (prefix: string, vu: number, iteration: number): string => {
  return `${prefix}-${vu}-${iteration}`;
};
