import type { ServerResponse } from 'node:http';
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { difyWorkflow } from './dify-workflow.ts';
import type { FaultName } from './faults.ts';
import { defaultOptions, SCHEDULERS, type MockOptions, type SchedulerKind } from './options.ts';
import { createRng } from './rng.ts';
import { createScheduler } from './scheduler.ts';
import { createStats } from './stats.ts';
import { jitterMs, SseStream, type StreamRegistry } from './stream.ts';

/** What the stream wrote, stamped with the (fake) clock. */
class FakeResponse extends EventEmitter {
  writes: { at: number; text: string }[] = [];
  flushedAt = -1;
  endedAt = -1;
  destroyed = false;
  full = false;
  socket = { destroy: () => (this.destroyed = true) };
  writeHead(): this {
    return this;
  }
  flushHeaders(): void {
    this.flushedAt = performance.now();
  }
  write(text: string, cb?: () => void): boolean {
    this.writes.push({ at: performance.now(), text });
    cb?.();
    return !this.full;
  }
  end(text?: string): void {
    if (text) this.writes.push({ at: performance.now(), text });
    this.endedAt = performance.now();
  }
  /** [time, event name] per block written. */
  timeline(): [number, string][] {
    return this.writes.flatMap(({ at, text }) =>
      text
        .split('\n\n')
        .filter((b) => b !== '')
        .map((b): [number, string] => [at, b === 'event: ping' ? 'ping' : ((JSON.parse(b.replace(/^[^]*?data: /, '')) as { event: string }).event)]),
    );
  }
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'], now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

function open(kind: SchedulerKind, knobs: Partial<MockOptions>, fault: FaultName | null = null) {
  const o: MockOptions = { ...defaultOptions(), ...knobs };
  const reg: StreamRegistry = { stats: createStats(), scheduler: createScheduler(kind), open: new Set() };
  const res = new FakeResponse();
  const rng = createRng(1);
  const ctx = { rng, answerRng: rng, body: { inputs: {}, user: 'u' }, createdAtS: 0, model: 'm' };
  const stream = new SseStream(res as unknown as ServerResponse, difyWorkflow.script(ctx), o, rng, fault, reg, performance.now()); // the fake has every member SseStream uses
  stream.begin({});
  return { res, reg, stream };
}

describe.each(SCHEDULERS)('SseStream on the %s scheduler (virtual clock)', (kind) => {
  it('sends the preamble at TTFE, tokens from TTFT one interval apart, the end with the last token', () => {
    const { res, reg } = open(kind, { ttfeMs: 100, ttftMs: 300, tokens: 3, tokenIntervalMs: 50, pingIntervalMs: 0 });
    expect(res.flushedAt).toBe(0); // headers at once
    vi.advanceTimersByTime(1_000);
    expect(res.timeline()).toEqual([
      [100, 'workflow_started'],
      [100, 'node_started'],
      [100, 'node_finished'],
      [100, 'node_started'],
      [300, 'text_chunk'],
      [350, 'text_chunk'],
      [400, 'text_chunk'],
      [400, 'node_finished'],
      [400, 'node_started'],
      [400, 'node_finished'],
      [400, 'workflow_finished'],
    ]);
    expect(res.endedAt).toBe(400);
    expect(reg.stats).toEqual({ activeStreams: 0, streamsStarted: 1, streamsFinished: 1, streamsAborted: 0, eventsSent: 11, streamsStopped: 0, tokensAfterClientLeft: 0 });
    expect(reg.scheduler.size()).toBe(0);
  });

  it('TTFT below TTFE starts the tokens with the first event', () => {
    const { res } = open(kind, { ttfeMs: 80, ttftMs: 10, tokens: 1, tokenIntervalMs: 5, pingIntervalMs: 0 });
    vi.advanceTimersByTime(200);
    expect(res.timeline().map(([t]) => t)).toEqual(Array<number>(9).fill(80));
  });

  it('sends pings on their own schedule, until the stream ends', () => {
    const { res } = open(kind, { ttfeMs: 0, ttftMs: 0, tokens: 2, tokenIntervalMs: 250, pingIntervalMs: 100 });
    vi.advanceTimersByTime(1_000);
    expect(res.timeline().filter(([, e]) => e === 'ping' || e === 'text_chunk')).toEqual([
      [0, 'text_chunk'],
      [100, 'ping'],
      [200, 'ping'],
      [250, 'text_chunk'],
    ]);
  });

  it('adds seeded jitter to each interval: never earlier than the schedule, same times for the same seed', () => {
    const times = () => {
      const { res } = open(kind, { ttfeMs: 0, ttftMs: 0, tokens: 20, tokenIntervalMs: 10, jitter: 'uniform', jitterMs: 30, pingIntervalMs: 0 });
      vi.advanceTimersByTime(5_000);
      const t = res.timeline().filter(([, e]) => e === 'text_chunk').map(([at]) => at);
      return t.map((at) => at - (t[0] as number));
    };
    const a = times();
    expect(times()).toEqual(a);
    for (let i = 1; i < a.length; i++) {
      const gap = (a[i] as number) - (a[i - 1] as number);
      expect(gap).toBeGreaterThanOrEqual(9); // 10 ms + jitter, within the 1 ms timer resolution
      expect(gap).toBeLessThanOrEqual(41);
    }
    expect(new Set(a.slice(1).map((t, i) => t - (a[i] as number))).size).toBeGreaterThan(3);
  });

  it('a client that leaves releases the stream at once', () => {
    const { res, reg } = open(kind, { ttfeMs: 0, ttftMs: 0, tokens: 100, tokenIntervalMs: 1_000, pingIntervalMs: 500 });
    expect(reg.scheduler.size()).toBe(1);
    res.emit('close');
    expect(reg.scheduler.size()).toBe(0);
    expect(reg.open.size).toBe(0);
    expect(reg.stats).toMatchObject({ activeStreams: 0, streamsAborted: 1, streamsFinished: 0 });
    const written = res.writes.length;
    vi.advanceTimersByTime(10_000);
    expect(res.writes).toHaveLength(written);
  });

  it('waits for drain when the socket buffer is full, then catches up', () => {
    const { res } = open(kind, { ttfeMs: 0, ttftMs: 0, tokens: 5, tokenIntervalMs: 10, pingIntervalMs: 0 });
    res.full = true;
    vi.advanceTimersByTime(10); // token 1 written, write() says full
    const n = res.timeline().length;
    vi.advanceTimersByTime(100);
    expect(res.timeline()).toHaveLength(n); // paused
    res.full = false;
    res.emit('drain');
    expect(res.timeline().filter(([, e]) => e === 'text_chunk')).toHaveLength(5);
    expect(res.endedAt).toBe(110);
  });

  it('reset writes exactly N events, then destroys the socket', () => {
    const { res, reg } = open(kind, { ttfeMs: 0, ttftMs: 0, tokens: 10, tokenIntervalMs: 10, pingIntervalMs: 0, resetAfterEvents: 6 }, 'reset');
    vi.advanceTimersByTime(1_000);
    expect(res.timeline()).toHaveLength(6);
    expect(res.destroyed).toBe(true);
    expect(reg.stats).toMatchObject({ activeStreams: 0, streamsAborted: 1 });
  });

  it('shutdown ends the response with no more events', () => {
    const { res, reg, stream } = open(kind, { ttfeMs: 0, ttftMs: 0, tokens: 10, tokenIntervalMs: 10, pingIntervalMs: 0 });
    stream.shutdown();
    expect(res.endedAt).toBe(0);
    expect(reg.scheduler.size()).toBe(0);
    expect(reg.stats).toMatchObject({ activeStreams: 0, streamsFinished: 1 });
  });
});

describe('jitterMs', () => {
  const o = defaultOptions();
  it('is 0 without jitter', () => {
    expect(jitterMs({ ...o, jitter: 'none', jitterMs: 50 }, createRng(1))).toBe(0);
    expect(jitterMs({ ...o, jitter: 'uniform', jitterMs: 0 }, createRng(1))).toBe(0);
  });
  it.each([
    ['uniform', 10, 0, 20],
    ['exponential', 10, 0, Infinity],
  ] as const)('%s has mean %i', (jitter, mean, min, max) => {
    const rng = createRng(9);
    let sum = 0;
    let [lo, hi] = [Infinity, -Infinity];
    for (let i = 0; i < 20_000; i++) {
      const x = jitterMs({ ...o, jitter, jitterMs: jitter === 'uniform' ? 20 : 10 }, rng);
      [lo, hi, sum] = [Math.min(lo, x), Math.max(hi, x), sum + x];
    }
    expect(lo).toBeGreaterThanOrEqual(min);
    expect(hi).toBeLessThan(max);
    expect(sum / 20_000).toBeCloseTo(mean, 0);
  });
});
