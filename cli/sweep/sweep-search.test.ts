import { describe, expect, it } from 'vitest';
import { conclude, GROWTH_FACTOR, nextLoad, settingsProblem, type SearchResult, type SearchSettings, type StepOutcome } from './sweep-search.ts';

const settings = (over: Partial<SearchSettings> = {}): SearchSettings => ({ start: 10, max: 1000, precision: 0.1, factor: GROWTH_FACTOR, ...over });

/** Runs the search against a server whose behaviour at each load is `truth`; returns the loads visited and the answer. */
function sweep(s: SearchSettings, truth: (load: number) => Omit<StepOutcome, 'load'>): { loads: number[]; result: SearchResult } {
  const steps: StepOutcome[] = [];
  for (let i = 0; i < 100; i++) {
    const next = nextLoad(s, steps);
    if (next.done) return { loads: steps.map((x) => x.load), result: next.result };
    steps.push({ load: next.load, ...truth(next.load) });
  }
  throw new Error('the search did not end');
}

const knee = (limit: number) => (load: number) => ({ pass: load <= limit, saturated: false });

describe('nextLoad', () => {
  it('normal knee: doubles from --start until a step fails, then bisects to within --precision', () => {
    const r = sweep(settings(), knee(42));
    expect(r.loads).toEqual([10, 20, 40, 80, 60, 50, 45, 42]);
    // 42 passed, 45 failed: (45 − 42) / 42 = 7% ≤ 10%
    expect(r.result).toEqual({ best: 42, lowestFail: 45, saturatedAt: null, limitedBy: 'slo' });
  });

  it('bisects down to one unit when --precision is finer than one step', () => {
    const r = sweep(settings({ precision: 0.001 }), knee(42));
    expect(r.loads).toEqual([10, 20, 40, 80, 60, 50, 45, 42, 43]);
    expect(r.result.best).toBe(42);
    expect(r.result.lowestFail).toBe(43);
  });

  it('SLO never met: the first step fails and the search ends with no answer', () => {
    const r = sweep(settings(), knee(5));
    expect(r.loads).toEqual([10]);
    expect(r.result).toEqual({ best: null, lowestFail: 10, saturatedAt: null, limitedBy: 'slo' });
  });

  it('SLO met at --max: growth is capped at --max and the answer is "at least --max"', () => {
    const r = sweep(settings({ max: 100 }), knee(10_000));
    expect(r.loads).toEqual([10, 20, 40, 80, 100]);
    expect(r.result).toEqual({ best: 100, lowestFail: null, saturatedAt: null, limitedBy: 'max' });
  });

  it('--start equal to --max: one step', () => {
    expect(sweep(settings({ start: 50, max: 50 }), knee(10_000)).loads).toEqual([50]);
  });

  it('saturated generator: the search stops at the first saturated step, passing or not', () => {
    const r = sweep(settings(), (load) => ({ pass: load <= 500, saturated: load >= 160 }));
    expect(r.loads).toEqual([10, 20, 40, 80, 160]);
    expect(r.result).toEqual({ best: 80, lowestFail: null, saturatedAt: 160, limitedBy: 'generator' });
  });

  it('saturated generator during bisection: the failure above stays known, the answer is the generator', () => {
    const r = sweep(settings(), (load) => ({ pass: load <= 42, saturated: load === 60 }));
    expect(r.loads).toEqual([10, 20, 40, 80, 60]);
    expect(r.result).toEqual({ best: 40, lowestFail: 80, saturatedAt: 60, limitedBy: 'generator' });
  });

  it('a pass above a failing load (noise) does not move the answer above the failure', () => {
    const steps: StepOutcome[] = [
      { load: 40, pass: true, saturated: false },
      { load: 80, pass: false, saturated: false },
      { load: 60, pass: false, saturated: false },
      { load: 70, pass: true, saturated: false },
    ];
    expect(nextLoad(settings(), steps)).toEqual({ done: false, load: 50 });
  });

  it('grows by at least one: start 1 goes 1, 2, 4', () => {
    expect(sweep(settings({ start: 1, max: 4 }), knee(100)).loads).toEqual([1, 2, 4]);
    expect(sweep(settings({ start: 1, max: 10, factor: 1.2 }), knee(100)).loads).toEqual([1, 2, 3, 4, 5, 6, 8, 10]);
  });
});

describe('conclude (Ctrl-C)', () => {
  it('gives the best answer known so far', () => {
    const steps: StepOutcome[] = [
      { load: 10, pass: true, saturated: false },
      { load: 20, pass: true, saturated: false },
    ];
    expect(conclude(steps, 'interrupted')).toEqual({ best: 20, lowestFail: null, saturatedAt: null, limitedBy: 'interrupted' });
    expect(conclude([], 'interrupted')).toEqual({ best: null, lowestFail: null, saturatedAt: null, limitedBy: 'interrupted' });
  });
});

describe('settingsProblem', () => {
  it('names the flag', () => {
    expect(settingsProblem(settings())).toBeNull();
    expect(settingsProblem(settings({ start: 0 }))).toBe('--start: expected a whole number of at least 1, got 0');
    expect(settingsProblem(settings({ start: 50, max: 40 }))).toBe('--max: expected a whole number of at least --start (50), got 40');
    expect(settingsProblem(settings({ precision: 0 }))).toBe('--precision: expected more than 0%, got 0%');
  });
});
