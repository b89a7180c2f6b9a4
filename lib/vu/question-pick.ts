/**
 * The per-iteration request inputs: which question, and the `user` field.
 * The question index comes from the scenario's iteration number in the whole test
 * (`exec.scenario.iterationInTest`, unique across instances run with
 * `--execution-segment`) through a cheap integer hash: deterministic, no repeats
 * between segments that the iteration numbers do not already have, yet spread like
 * a random pick. Pure: no k6 import.
 */

export const pickQuestion = (questions: ArrayLike<string>, n: number, first = 0): string => {
  const count = questions.length - first;
  if (count === 0) throw new Error('pickQuestion: no questions');
  // A 32-bit mix of n (murmur3's finaliser), written out here: one function less in every VU.
  let h = n | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return questions[first + ((h >>> 0) % count)] as string;
};

/** The `user` field: `<USER_PREFIX>-<vu>-<iteration>` (the VU's number in the test, and its iteration: k6's `__ITER`, counted over every scenario it ran). */
export const userId = (prefix: string, vu: number, iteration: number): string => {
  return `${prefix}-${vu}-${iteration}`;
};
