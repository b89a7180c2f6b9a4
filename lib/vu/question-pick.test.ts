import { describe, expect, test } from 'vitest';
import { pickQuestion, userId } from './question-pick.ts';

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

test('the mix: murmur3 finaliser values (0 → 0, 1 → 1364076727 mod count)', () => {
  const many = Array.from({ length: 100 }, (_, i) => String(i));
  expect(pickQuestion(many, 0)).toBe('0');
  expect(pickQuestion(many, 1)).toBe(String(1364076727 % 100));
});

test('userId: <prefix>-<vu>-<iteration>', () => {
  expect(userId('sse-bench', 3, 17)).toBe('sse-bench-3-17');
});
