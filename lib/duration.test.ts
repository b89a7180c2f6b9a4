import { describe, expect, it } from 'vitest';
import { formatGoDuration, parseGoDuration } from './duration';

describe('parseGoDuration (Go time.ParseDuration grammar)', () => {
  it.each([
    ['30s', 30_000],
    ['1500ms', 1_500],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    ['2h45m', 9_900_000],
    ['1.5s', 1_500],
    ['.5s', 500],
    ['1.s', 1_000],
    ['1500us', 1.5],
    ['1500µs', 1.5],
    ['1500μs', 1.5],
    ['2000000ns', 2],
    ['0', 0],
    ['+5s', 5_000],
    ['-5s', -5_000],
    ['1s500ms', 1_500],
  ])('%s → %d ms', (text, ms) => {
    expect(parseGoDuration(text)).toBeCloseTo(ms, 9);
  });

  it.each(['', '30', '10 s', ' 10s', '1sec', '1d', '1e3s', 's', '.s', '.', '1m30', '1S', '--1s', 'abc'])('rejects %j', (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });
});

describe('formatGoDuration', () => {
  it.each([
    [0, '0s'],
    [5_000, '5s'],
    [65_000, '1m5s'],
    [60_000, '1m'],
    [3_600_000, '1h'],
    [3_725_000, '1h2m5s'],
    [2_500, '2500ms'],
    [1.2, '2ms'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatGoDuration(ms)).toBe(text);
  });

  it('round-trips through parseGoDuration', () => {
    for (const ms of [1, 999, 1_000, 61_001, 185_000, 7_200_000]) {
      expect(parseGoDuration(formatGoDuration(ms))).toBe(ms);
    }
  });

  it('refuses negative and non-finite values', () => {
    expect(() => formatGoDuration(-1)).toThrow(RangeError);
    expect(() => formatGoDuration(Number.NaN)).toThrow(RangeError);
  });
});
