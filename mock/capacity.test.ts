import { describe, expect, it } from 'vitest';
import { SlotGate, type Slot } from './capacity.ts';

/** Acquires and records the slot when granted. */
function ask(gate: SlotGate, limit: number, log: string[], name: string): { slot: () => Slot; cancel: () => boolean; granted: () => boolean } {
  let slot: Slot | null = null;
  const a = gate.acquire(limit, (s) => {
    slot = s;
    log.push(name);
  });
  return {
    slot: () => {
      if (slot === null) throw new Error(`${name} holds no slot`);
      return slot;
    },
    cancel: () => a.cancel(),
    granted: () => a.granted,
  };
}

describe('SlotGate', () => {
  it('grants up to the limit at once, queues the rest in arrival order', () => {
    const gate = new SlotGate();
    const log: string[] = [];
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((n) => ask(gate, 2, log, n));
    expect(log).toEqual(['a', 'b']);
    expect([gate.served, gate.waiting]).toEqual([2, 2]);
    expect([c?.granted(), d?.granted()]).toEqual([false, false]);
    a?.slot().release();
    expect(log).toEqual(['a', 'b', 'c']);
    expect([gate.served, gate.waiting]).toEqual([2, 1]);
    b?.slot().release();
    c?.slot().release();
    d?.slot().release();
    expect(log).toEqual(['a', 'b', 'c', 'd']);
    expect([gate.served, gate.waiting]).toEqual([0, 0]);
  });

  it('releasing twice frees one slot only', () => {
    const gate = new SlotGate();
    const log: string[] = [];
    const a = ask(gate, 1, log, 'a');
    ask(gate, 1, log, 'b');
    ask(gate, 1, log, 'c');
    a.slot().release();
    a.slot().release();
    expect(log).toEqual(['a', 'b']);
    expect([gate.served, gate.waiting]).toEqual([1, 1]);
  });

  it('a waiter that leaves frees nothing it did not hold and is never granted', () => {
    const gate = new SlotGate();
    const log: string[] = [];
    const a = ask(gate, 1, log, 'a');
    const b = ask(gate, 1, log, 'b');
    const c = ask(gate, 1, log, 'c');
    expect(b.cancel()).toBe(true);
    expect(b.cancel()).toBe(false); // once
    expect([gate.served, gate.waiting]).toEqual([1, 1]); // a still holds its slot
    a.slot().release();
    expect(log).toEqual(['a', 'c']);
    expect(c.cancel()).toBe(false); // granted: cancel no longer applies
    c.slot().release();
    expect([gate.served, gate.waiting]).toEqual([0, 0]);
  });

  it('limit 0 is no limit: served at once, even past waiters, and counted as served for limited ones', () => {
    const gate = new SlotGate();
    const log: string[] = [];
    const free = [ask(gate, 0, log, 'u1'), ask(gate, 0, log, 'u2')];
    const limited = ask(gate, 2, log, 'l');
    expect(log).toEqual(['u1', 'u2']);
    expect(limited.granted()).toBe(false);
    ask(gate, 0, log, 'u3'); // does not queue behind `l`
    expect(log).toEqual(['u1', 'u2', 'u3']);
    free[0]?.slot().release();
    expect(limited.granted()).toBe(false); // u2 and u3 still served
    free[1]?.slot().release();
    expect(log).toEqual(['u1', 'u2', 'u3', 'l']);
  });

  it('is FIFO across limits: a waiting head holds back those behind it; cancelling the head lets them in', () => {
    const gate = new SlotGate();
    const log: string[] = [];
    ask(gate, 0, log, 'x');
    ask(gate, 0, log, 'y');
    const head = ask(gate, 1, log, 'tight'); // needs served < 1
    const loose = ask(gate, 5, log, 'loose'); // would fit, but waits behind the head
    const middle = ask(gate, 5, log, 'middle');
    expect(log).toEqual(['x', 'y']);
    middle.cancel(); // leaving from the middle of the queue
    expect(gate.waiting).toBe(2);
    head.cancel();
    expect(log).toEqual(['x', 'y', 'loose']);
    expect(loose.granted()).toBe(true);
    expect([gate.served, gate.waiting]).toEqual([3, 0]);
  });

  it('a grant that releases at once (client already gone) hands the slot on', () => {
    const gate = new SlotGate();
    const log: string[] = [];
    const a = ask(gate, 1, log, 'a');
    gate.acquire(1, (s) => {
      log.push('gone');
      s.release();
    });
    ask(gate, 1, log, 'c');
    a.slot().release();
    expect(log).toEqual(['a', 'gone', 'c']);
    expect([gate.served, gate.waiting]).toEqual([1, 0]);
  });

  it('keeps exact counts through many waiters and cancellations', () => {
    const gate = new SlotGate();
    const log: string[] = [];
    const first = ask(gate, 1, log, 'first');
    const waiters = Array.from({ length: 5000 }, (_, i) => ask(gate, 1, log, `w${i}`));
    waiters.forEach((w, i) => {
      if (i % 2 === 1) w.cancel();
    });
    expect(gate.waiting).toBe(2500);
    first.slot().release();
    for (let i = 0; i < 5000; i += 2) waiters[i]?.slot().release();
    expect(log).toHaveLength(2501);
    expect(log.at(-1)).toBe('w4998');
    expect([gate.served, gate.waiting]).toEqual([0, 0]);
  });
});
