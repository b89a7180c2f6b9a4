import { describe, expect, it } from 'vitest';
import { createRng, hashSeed, uuid } from './rng.ts';

describe('rng', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const seq = (seed: number) => {
      const r = createRng(seed);
      return Array.from({ length: 5 }, () => r.uint32());
    };
    expect(seq(1)).toEqual(seq(1));
    expect(seq(1)).not.toEqual(seq(2));
  });

  it('next() is in [0, 1) with a mean near 0.5', () => {
    const r = createRng(hashSeed('mean'));
    let [sum, lo, hi] = [0, 1, 0];
    for (let i = 0; i < 100_000; i++) {
      const x = r.next();
      [sum, lo, hi] = [sum + x, Math.min(lo, x), Math.max(hi, x)];
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    expect(sum / 100_000).toBeCloseTo(0.5, 2);
  });

  it('hashSeed is FNV-1a', () => {
    expect(hashSeed('')).toBe(0x811c9dc5);
    expect(hashSeed('a')).toBe(0xe40c292c);
  });

  it('uuid() has the v4 shape', () => {
    const r = createRng(3);
    for (let i = 0; i < 100; i++) expect(uuid(r)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
