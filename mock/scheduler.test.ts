import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createScheduler, newTask } from './scheduler.ts';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** `count` tasks due within the first 0.1 ms, in order, that each take 0.25 ms of the injected clock. */
function busy(sliceMs: number, count: number) {
  let clock = 0;
  const scheduler = createScheduler('tick', sliceMs, () => clock);
  const fired: number[] = [];
  for (let i = 0; i < count; i++) {
    scheduler.schedule(
      newTask(() => {
        fired.push(i);
        clock += 0.25;
        return -1;
      }),
      i / 100,
    );
  }
  return { scheduler, fired };
}

describe('tick scheduler slices (injected clock)', () => {
  it('a wake-up stops after --tick-slice-ms of work, yields to I/O and carries on in due order', () => {
    const { scheduler, fired } = busy(1, 10);
    vi.advanceTimersToNextTimer(); // the wake-up: 4 tasks fill the 1 ms slice
    expect(fired).toHaveLength(4);
    expect(scheduler.size()).toBe(6);
    expect(vi.getTimerCount()).toBe(1); // the setImmediate that carries on, and no timer beside it
    vi.advanceTimersToNextTimer();
    expect(fired).toHaveLength(8);
    vi.advanceTimersToNextTimer();
    expect(fired).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect([scheduler.size(), vi.getTimerCount()]).toEqual([0, 0]);
  });

  it('with slices off (0), one wake-up fires everything due', () => {
    const { scheduler, fired } = busy(0, 10);
    vi.advanceTimersToNextTimer();
    expect([fired.length, scheduler.size(), vi.getTimerCount()]).toEqual([10, 0, 0]);
  });

  it('a task cancelled while a slice waits does not fire', () => {
    let clock = 0;
    const scheduler = createScheduler('tick', 1, () => clock);
    const fired: string[] = [];
    const slow = newTask(() => ((clock += 2), fired.push('slow'), -1));
    const later = newTask(() => (fired.push('later'), -1));
    scheduler.schedule(slow, 0);
    scheduler.schedule(later, 0);
    vi.advanceTimersToNextTimer();
    expect(fired).toEqual(['slow']);
    scheduler.cancel(later);
    vi.runAllTimers();
    expect([fired, scheduler.size()]).toEqual([['slow'], 0]);
  });
});
