/** The k6/metrics, k6/data and k6/execution doubles enforce k6's rules. */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { SharedArray } from 'k6/data';
import exec from 'k6/execution';
import { Counter, Rate, Trend } from 'k6/metrics';
import { endRun, startRun } from '../k6-harness.ts';
import { runtime } from './runtime.ts';

beforeEach(() => {
  startRun();
});
afterEach(endRun);

describe('k6/metrics double', () => {
  test('records samples with options.tags + scenario + own tags; Rate normalises to 0/1', () => {
    const t = new Trend('my_trend', true);
    const r = new Rate('my_rate');
    const rt = runtime();
    rt.phase = 'vu';
    rt.scenario = 'stream';
    rt.testTags = { target: 'generic' };
    t.add(12.5);
    r.add(7, { k: 'v' });
    expect(rt.samples.map((s) => [s.metric, s.value, s.tags])).toEqual([
      ['my_trend', 12.5, { target: 'generic', scenario: 'stream' }],
      ['my_rate', 1, { target: 'generic', scenario: 'stream', k: 'v' }],
    ]);
  });

  test('add is bound to its metric, as k6 sets it: a detached add records', () => {
    const { add } = new Counter('detached_counter');
    const rt = runtime();
    rt.phase = 'vu';
    add(3);
    expect(rt.samples.map((s) => [s.metric, s.value])).toEqual([['detached_counter', 3]]);
  });

  test("rejects sse_event (the extension's), a name redefined with another type, bad names", () => {
    expect(() => new Counter('sse_event')).toThrow(/sse_event/);
    expect(() => new Trend('sse_event')).toThrow(/already exists/);
    new Counter('c1');
    expect(() => new Trend('c1')).toThrow(/already exists but with type counter/);
    expect(() => new Counter('c1')).not.toThrow(); // the same type again: fine (every VU declares)
    expect(() => new Counter('bad-name')).toThrow(/invalid metric name/);
  });

  test('declared only in init; added only outside init; finite values and string tags only', () => {
    const c = new Counter('c2');
    expect(() => c.add(1)).toThrow(/init context/);
    runtime().phase = 'vu';
    expect(() => new Counter('c3')).toThrow(/init context/);
    expect(() => c.add(Number.NaN)).toThrow(/non-finite/);
    expect(() => c.add(1, { n: 1 as unknown as string })).toThrow(/not a string/);
  });
});

describe('k6/data double', () => {
  test('SharedArray: computed once per name, read-only copies, init only', () => {
    let calls = 0;
    const make = () => new SharedArray('q', () => (calls++, ['a', 'b']));
    const a = make();
    const b = make();
    expect(calls).toBe(1);
    expect([a.length, a[0], b[1]]).toEqual([2, 'a', 'b']);
    expect(() => {
      (a as unknown as string[])[0] = 'x';
    }).toThrow();
    expect(() => new SharedArray('n', () => 'x' as unknown as string[])).toThrow(/only arrays/);
    runtime().phase = 'vu';
    expect(() => new SharedArray('z', () => [])).toThrow(/init context/);
  });
});

describe('k6/execution double', () => {
  test('vu and scenario fields; unavailable in init', () => {
    expect(() => exec.vu.idInTest).toThrow(/init context/);
    const rt = runtime();
    Object.assign(rt, { phase: 'vu', vu: 3, iterationInScenario: 4, iterationInTest: 9, scenario: 'burst' });
    expect([exec.vu.idInTest, exec.vu.iterationInScenario, exec.scenario.iterationInTest, exec.scenario.name]).toEqual([3, 4, 9, 'burst']);
  });
});
