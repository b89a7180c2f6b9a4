import { describe, expect, test } from 'vitest';
import { mix32, pickQuestion, userId } from './question-pick.ts';

const QUESTIONS = ['a', 'b', 'c', 'd', 'e'];

describe('pickQuestion', () => {
  test('deterministic per iteration number', () => {
    expect(pickQuestion(QUESTIONS, 17)).toBe(pickQuestion(QUESTIONS, 17));
  });

  test('spread: 5,000 iterations hit every question 800–1,200 times', () => {
    const counts = new Map<string, number>();
    for (let n = 0; n < 5000; n++) {
      const q = pickQuestion(QUESTIONS, n);
      counts.set(q, (counts.get(q) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(QUESTIONS);
    for (const c of counts.values()) expect(c).toBeGreaterThan(800), expect(c).toBeLessThan(1200);
  });

  test('not a round robin: consecutive iterations do not simply cycle', () => {
    const seq = Array.from({ length: 10 }, (_, n) => pickQuestion(QUESTIONS, n)).join('');
    expect(seq).not.toBe('abcdeabcde');
  });

  test('no questions → a clear error', () => {
    expect(() => pickQuestion([], 0)).toThrow(/no questions/);
  });
});

test('mix32 is a 32-bit unsigned hash', () => {
  expect(mix32(0)).toBe(0);
  expect(mix32(1)).not.toBe(mix32(2));
  expect(mix32(123456) >>> 0).toBe(mix32(123456));
});

test('userId: <prefix>-<vu>-<iteration>', () => {
  expect(userId('sse-bench', 3, 17)).toBe('sse-bench-3-17');
});
