import { describe, expect, it } from 'vitest';
import { holdsZero, mannWhitneyCounts, shiftInterval } from './rank-interval.ts';

describe('mannWhitneyCounts', () => {
  it('is the exact null distribution of U (sums to C(n+m, n), symmetric)', () => {
    expect(mannWhitneyCounts(2, 2)).toEqual([1, 1, 2, 1, 1]);
    expect(mannWhitneyCounts(3, 3)).toEqual([1, 1, 2, 3, 3, 3, 3, 2, 1, 1]);
    const c = mannWhitneyCounts(5, 5);
    expect(c.reduce((s, x) => s + x, 0)).toBe(252);
    expect(c.slice(0, 4)).toEqual([1, 1, 2, 3]);
    expect(c).toEqual([...c].reverse());
    expect(mannWhitneyCounts(4, 6).reduce((s, x) => s + x, 0)).toBe(210);
  });
});

describe('shiftInterval', () => {
  it('3 + 3 runs: the 90 % interval is [min, max] of the pairwise differences, the estimate their median', () => {
    const s = shiftInterval([100, 102, 101], [110, 111, 109]);
    expect(s).toEqual({ estimate: 9, lower: 7, upper: 11, confidence: 0.9, n: 3, m: 3 });
    expect(holdsZero(s!)).toBe(false);
  });

  it('4 + 4 runs reach 97.1 %, 5 + 5 runs 96.8 % (the 3rd smallest and largest differences)', () => {
    expect(shiftInterval([1, 2, 3, 4], [1, 2, 3, 4])).toMatchObject({ estimate: 0, lower: -3, upper: 3, confidence: expect.closeTo(68 / 70, 12) });
    const s = shiftInterval([10, 11, 12, 13, 14], [10, 11, 12, 13, 14])!;
    expect(s.confidence).toBeCloseTo(1 - 8 / 252, 12);
    // differences −4 (1×), −3 (2×), −2 (3×), …: the 3rd smallest is −3
    expect([s.lower, s.estimate, s.upper]).toEqual([-3, 0, 3]);
    expect(holdsZero(s)).toBe(true);
  });

  it('identical values on both sides: [0, 0], no difference; fewer than 2 runs a side: none', () => {
    expect(shiftInterval([5, 5, 5], [5, 5, 5])).toMatchObject({ estimate: 0, lower: 0, upper: 0 });
    expect(holdsZero(shiftInterval([5, 5, 5], [5, 5, 5])!)).toBe(true);
    expect(shiftInterval([5], [5, 6])).toBeNull();
  });

  it('unequal sizes', () => {
    const s = shiftInterval([100, 104], [101, 103, 105, 107])!;
    // C(6, 2) = 15 arrangements: P(U ≤ 0) = 1/15, the most 2 + 4 runs give
    expect(s).toMatchObject({ lower: -3, upper: 7, confidence: expect.closeTo(13 / 15, 12), n: 2, m: 4 });
  });
});
