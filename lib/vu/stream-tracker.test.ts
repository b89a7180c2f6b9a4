import { Buffer } from 'node:buffer';
import type { Client } from 'k6/x/sse';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { V_BAD_JSON, V_CONTENT, V_END, V_END_WAIT, V_FAIL, V_OTHER, type Interpreter, type Verdict } from './interpreter.ts';
import { difyInterpreter } from './target-dify.ts';
import type { MetricKey } from '../metric-defs.ts';
import {
  NO_SETTINGS,
  createStreamTracker,
  type SampleSink,
  type StreamTracker,
  type Tags,
  type TrackerMode,
  type TrackerSettings,
} from './stream-tracker.ts';

class Recorder implements SampleSink {
  readonly samples: { metric: MetricKey; value: number; tags?: Tags }[] = [];
  add(metric: MetricKey, value: number, tags?: Tags): void {
    this.samples.push(tags === undefined ? { metric, value } : { metric, value, tags });
  }
  values(): Partial<Record<MetricKey, number[]>> {
    const out: Partial<Record<MetricKey, number[]>> = {};
    for (const s of this.samples) (out[s.metric] ??= []).push(s.value);
    return out;
  }
}

/** Interprets `data` literally: "c" content, "e" end, "w" end-wait, "f" fail, "j" bad JSON, else other. */
const literal: Interpreter = (data) => (({ c: V_CONTENT, e: V_END, w: V_END_WAIT, f: V_FAIL, j: V_BAD_JSON }) as Record<string, Verdict>)[data] ?? V_OTHER;

/** Every per-event option on: the full gap distribution and bytes (Buffer as the UTF-8 oracle). */
const ALL_DETAIL: TrackerSettings = { ...NO_SETTINGS, gapSamples: true, dataBytes: (d) => Buffer.byteLength(d, 'utf8') };

/** A tracker on a recorder; `closes` counts calls of its close callback. */
class Probe {
  readonly sink = new Recorder();
  closes = 0;
  /** The fake xk6-sse client the tracker's setup gets: counts close() calls, remembers the handlers. */
  readonly client: Client & { handlers: Record<string, unknown> } = {
    handlers: {},
    on: (name: string, handler: unknown) => {
      this.client.handlers[name] = handler;
    },
    close: () => {
      this.closes++;
    },
  } as Client & { handlers: Record<string, unknown> };
  readonly t: StreamTracker;
  constructor(over: Partial<TrackerMode> = {}, settings: TrackerSettings = NO_SETTINGS) {
    this.t = createStreamTracker({ interpret: literal, detail: true, needsTerminal: true, ...over }, settings, this.sink);
  }
  /** Request at t=1000, headers at +30, then [ms after the request, event]; which events called close(). */
  feed(events: [number, ReturnType<typeof ev>][]): boolean[] {
    at(1000);
    this.t.begin();
    at(1030);
    this.t.setup(this.client);
    return events.map(([ms, e]) => this.event(ms, e));
  }
  event(ms: number, e: ReturnType<typeof ev>): boolean {
    const before = this.closes;
    at(1000 + ms);
    this.t.onEvent(e);
    return this.closes > before;
  }
  error(ms: number, message: string): boolean {
    const before = this.closes;
    at(1000 + ms);
    this.t.onError({ error: () => message });
    return this.closes > before;
  }
}

/** The virtual clock: Date.now() is what the tracker reads. */
function at(ms: number): void {
  vi.setSystemTime(ms);
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

const OK = { status: 200, error: '', headers: { 'Content-Type': 'text/event-stream' } };
const ev = (data: string, name = '', comment = ''): { id: string; name: string; data: string; comment: string } => ({ id: '', name, data, comment });

/** other@100, content@150, ping@160 (ignored), content@170, content@200, end@210 */
const COMPLETE: [number, ReturnType<typeof ev>][] = [
  [100, ev('o')],
  [150, ev('c')],
  [160, ev('', 'ping')],
  [170, ev('c')],
  [200, ev('c')],
  [210, ev('e')],
];

describe('createStreamTracker', () => {
  test('timings, per-stream gaps, tokens of a complete stream; no per-event sample by default', () => {
    const p = new Probe();
    const closes = p.feed(COMPLETE);
    expect(closes).toEqual([false, false, false, false, false, true]);
    expect(p.t.finish(OK)).toEqual({ success: true, errorType: null, reason: '' });
    expect(p.sink.values()).toEqual({
      openTime: [30],
      eventsPerStream: [5],
      ttfe: [100],
      streamDuration: [110],
      gapMean: [110 / 4],
      gapMax: [50],
      ttft: [150],
      llmOutputTokens: [3],
      llmTokensPerSecond: [(2 * 1000) / 50],
      llmTimePerOutputToken: [25],
      streamSuccess: [1],
      goodput: [1],
    });
  });

  test('INTER_EVENT_SAMPLES and DATA_BYTES add one gap sample per event and the stream\'s byte sum', () => {
    const p = new Probe({}, ALL_DETAIL);
    p.feed(COMPLETE);
    p.t.finish(OK);
    const v = p.sink.values();
    expect(v.interEventTime).toEqual([50, 20, 30, 10]);
    expect(v.dataBytes).toEqual([5]);
    expect(p.sink.samples.findIndex((s) => s.metric === 'interEventTime')).toBeLessThan(p.sink.samples.findIndex((s) => s.metric === 'openTime'));
  });

  test('DATA_BYTES counts UTF-8 bytes with the given counter, not characters', () => {
    const p = new Probe({}, ALL_DETAIL);
    p.feed([
      [100, ev('机器学习')],
      [110, ev('e')],
    ]);
    p.t.finish(OK);
    expect(p.sink.values().dataBytes).toEqual([12 + 1]);
  });

  test.each([
    ['name ping', ev('', 'ping')],
    ['CRLF ping', ev('', 'ping\r')],
    ['comment only', ev('', '', 'keep-alive')],
    ['empty block', ev('')],
  ])('keep-alive (%s) counts nowhere, not even for TTFE or gaps', (_label, keepAlive) => {
    const p = new Probe({}, ALL_DETAIL);
    p.feed([
      [50, keepAlive],
      [120, ev('e')],
    ]);
    p.t.finish(OK);
    expect(p.sink.values().ttfe).toEqual([120]);
    expect(p.sink.values().eventsPerStream).toEqual([1]);
    expect(p.sink.values().interEventTime).toBeUndefined();
    expect(p.sink.values().gapMax).toBeUndefined();
  });

  test('setup registers the tracker\'s own handlers (no wrapper per event) and marks the stream opened; begin() clears it', () => {
    const p = new Probe();
    p.feed([]);
    expect(p.t.opened).toBe(true);
    expect(p.client.handlers).toEqual({ event: p.t.onEvent, error: p.t.onError });
    p.t.begin();
    expect(p.t.opened).toBe(false);
  });

  test('a named event without data is an event', () => {
    const p = new Probe({ needsTerminal: false });
    p.feed([[50, ev('', 'tick')]]);
    expect(p.t.finish(OK).success).toBe(true);
    expect(p.sink.values().eventsPerStream).toEqual([1]);
  });

  test('the longest gap catches a stall the mean hides', () => {
    const p = new Probe();
    p.feed([
      [100, ev('c')],
      [110, ev('c')],
      [120, ev('c')],
      [2120, ev('c')],
      [2130, ev('e')],
    ]);
    p.t.finish(OK);
    expect(p.sink.values().gapMax).toEqual([2000]);
    expect(p.sink.values().gapMean).toEqual([2030 / 4]);
  });

  test('no token rates with one token, or with all tokens in the same millisecond', () => {
    for (const events of [
      [[100, ev('c')], [110, ev('e')]],
      [[100, ev('c')], [100, ev('c')], [110, ev('e')]],
    ] as [number, ReturnType<typeof ev>][][]) {
      const p = new Probe();
      p.feed(events);
      p.t.finish(OK);
      expect(p.sink.values().llmTokensPerSecond).toBeUndefined();
      expect(p.sink.values().llmTimePerOutputToken).toBeUndefined();
      expect(p.sink.values().ttft).toEqual([100]);
    }
  });

  test('stream-reported usage replaces the content count; part usage is used when no total', () => {
    const usage: Interpreter = (data, e, n, notes) => {
      if (data === 'u') notes.usage = 9;
      if (data === 'p') notes.partUsage += 4;
      return literal(data, e, n, notes);
    };
    const run = (datas: string[]): number | undefined => {
      const p = new Probe({ interpret: usage });
      p.feed(datas.map((d, i): [number, ReturnType<typeof ev>] => [100 + i * 10, ev(d)]));
      p.t.finish(OK);
      return p.sink.values().llmOutputTokens?.[0];
    };
    expect(run(['c', 'c', 'e'])).toBe(2);
    expect(run(['c', 'c', 'p', 'p', 'e'])).toBe(8);
    expect(run(['c', 'c', 'p', 'u', 'e'])).toBe(9);
  });

  test('the interpreter gets the data, the event and the count of events so far', () => {
    const seen: [string, string, number][] = [];
    const spy: Interpreter = (data, e, n, notes) => {
      seen.push([data, e.name, n]);
      return literal(data, e, n, notes);
    };
    const p = new Probe({ interpret: spy });
    p.feed([
      [100, ev('o', 'x')],
      [105, ev('', 'ping')],
      [110, ev('e')],
    ]);
    expect(seen).toEqual([
      ['o', 'x', 1],
      ['e', '', 2],
    ]);
  });

  test('burst mode (no detail): counts, ends and faults only — no TTFT, gaps, bytes or goodput even when asked', () => {
    const p = new Probe({ detail: false }, ALL_DETAIL);
    p.feed([
      [100, ev('c')],
      [110, ev('e')],
    ]);
    p.t.finish(OK);
    expect(p.sink.values()).toEqual({ openTime: [30], eventsPerStream: [2], ttfe: [100], streamDuration: [10], streamSuccess: [1] });
  });

  test('invalid JSON: counted once, the stream continues, failure at the end with the data as reason', () => {
    const p = new Probe();
    expect(p.feed([[100, ev('j')], [110, ev('j')], [120, ev('e')]])).toEqual([false, false, true]);
    expect(p.t.finish(OK)).toEqual({ success: false, errorType: 'invalid_json', reason: 'j' });
    expect(p.sink.samples.filter((s) => s.metric === 'errors')).toEqual([{ metric: 'errors', value: 1, tags: { error_type: 'invalid_json' } }]);
    expect(p.sink.values().streamSuccess).toEqual([0]);
    expect(p.sink.values().goodput).toEqual([0]);
  });

  test('server error event: close, server_error_event, the event as reason', () => {
    const p = new Probe();
    expect(p.feed([[100, ev('f')]])).toEqual([true]);
    expect(p.t.finish(OK)).toEqual({ success: false, errorType: 'server_error_event', reason: 'f' });
  });

  test('end-wait: the stream counts as ended but is not closed; the next end closes', () => {
    const p = new Probe();
    expect(p.feed([[100, ev('w')], [110, ev('o')], [120, ev('e')]])).toEqual([false, false, true]);
    expect(p.t.finish(OK).success).toBe(true);
    p.feed([[100, ev('w')]]);
    expect(p.t.finish(OK).success).toBe(true); // the server closed after the end-wait event
  });

  test('read errors: the client closed once (a close that makes xk6-sse report an error does not re-enter close), classified once, the Go error as reason; unknown field lines ignored', () => {
    const p = new Probe();
    p.feed([[100, ev('o')]]);
    expect(p.error(150, 'unknown event: foo: bar\n')).toBe(false);
    expect(p.error(200, 'unexpected EOF')).toBe(true);
    expect(p.error(201, 'context deadline exceeded (Client.Timeout or context cancellation while reading body)')).toBe(false);
    expect(p.closes).toBe(1);
    expect(p.event(202, ev('e'))).toBe(false); // ignored once closing
    expect(p.t.finish(OK)).toEqual({ success: false, errorType: 'protocol_error', reason: 'unexpected EOF' });
    expect(p.sink.values().errors).toEqual([1]);
  });

  test('after the terminal event nothing more is counted', () => {
    const p = new Probe();
    p.feed([[100, ev('e')], [110, ev('c')]]);
    expect(p.error(120, 'unexpected EOF')).toBe(false); // closed already
    expect(p.closes).toBe(1);
    expect(p.t.finish(OK).success).toBe(true);
    expect(p.sink.values().eventsPerStream).toEqual([1]);
  });

  test('no terminal event → early_termination; generic (needsTerminal false) needs one event', () => {
    const p = new Probe();
    p.feed([[100, ev('o')]]);
    expect(p.t.finish(OK)).toEqual({ success: false, errorType: 'early_termination', reason: 'the stream ended after 1 event without its terminal event' });
    const g = new Probe({ needsTerminal: false });
    g.feed([]);
    expect(g.t.finish(OK).errorType).toBe('early_termination');
    g.feed([[100, ev('o')]]);
    expect(g.t.finish(OK).success).toBe(true);
  });

  test('an HTTP error records only open time, success 0, goodput 0 and the error; the body line is the reason', () => {
    const p = new Probe();
    p.feed([]);
    expect(p.error(5, 'unknown event: {"code": "unauthorized", "message": "Access token is invalid", "status": 401}\n')).toBe(false);
    expect(p.t.finish({ status: 401, error: '', headers: {} })).toEqual({
      success: false,
      errorType: 'http_4xx',
      reason: 'status 401: {"code": "unauthorized", "message": "Access token is invalid", "status": 401}\n',
    });
    expect(p.sink.values()).toEqual({ openTime: [30], streamSuccess: [0], goodput: [0], errors: [1] });
  });

  test('an HTTP error whose body holds SSE events gives the first event as reason', () => {
    const p = new Probe();
    p.feed([[100, ev('e')]]);
    expect(p.t.finish({ status: 503, error: '', headers: {} })).toEqual({ success: false, errorType: 'http_5xx', reason: 'status 503: e' });
  });

  test('no response: no open time; the transport error is the reason', () => {
    const p = new Probe();
    at(0);
    p.t.begin();
    const error = 'Post "http://127.0.0.1:9/v1/workflows/run": dial tcp 127.0.0.1:9: connect: connection refused';
    expect(p.t.finish({ status: 0, error, headers: null })).toEqual({ success: false, errorType: 'connection_error', reason: error });
    expect(p.sink.values()).toEqual({ streamSuccess: [0], goodput: [0], errors: [1] });
  });

  test('not an event stream: status and content type as reason', () => {
    const p = new Probe();
    p.feed([]);
    p.error(5, 'unknown event: <html>hello</html>\n');
    expect(p.t.finish({ status: 200, error: '', headers: { 'Content-Type': 'text/html' } }).reason).toBe('status 200, content type "text/html": <html>hello</html>\n');
  });

  test('a reason is at most 200 characters of body', () => {
    const p = new Probe();
    p.feed([]);
    p.error(5, `unknown event: ${'x'.repeat(500)}\n`);
    expect(p.t.finish({ status: 500, error: '', headers: {} }).reason).toBe(`status 500: ${'x'.repeat(200)}`);
  });

  test('begin() resets everything from the previous stream', () => {
    const p = new Probe({}, ALL_DETAIL);
    p.feed([[100, ev('j')], [110, ev('c')], [400, ev('c')]]);
    p.t.finish(OK);
    p.sink.samples.length = 0;
    p.feed([[200, ev('e')]]);
    expect(p.t.finish(OK).success).toBe(true);
    expect(p.sink.values()).toEqual({ openTime: [30], eventsPerStream: [1], ttfe: [200], streamDuration: [0], dataBytes: [1], streamSuccess: [1], goodput: [1] });
  });

  test('node and workflow elapsed (Dify\'s interpreter): seconds → ms, one frozen node_type tag object per type; no node time without detail', () => {
    const NODE = '{"event": "node_finished", "data": {"node_type": "llm", "elapsed_time": 1.25}}';
    const END = '{"event": "workflow_finished", "data": {"status": "succeeded", "elapsed_time": 2}}';
    const samplesOf = (detail: boolean): Recorder['samples'] => {
      const sink = new Recorder();
      const t = createStreamTracker({ interpret: difyInterpreter({ terminalEvents: ['workflow_finished'], jsonCheck: 'full', maxEvents: 0 }, detail, sink), detail, needsTerminal: true }, NO_SETTINGS, sink);
      t.begin();
      for (const data of [NODE, NODE, END]) t.onEvent(ev(data));
      t.finish(OK);
      return sink.samples.filter((s) => s.metric.startsWith('dify'));
    };
    const withDetail = samplesOf(true);
    expect(withDetail).toEqual([
      { metric: 'difyNodeElapsed', value: 1250, tags: { node_type: 'llm' } },
      { metric: 'difyNodeElapsed', value: 1250, tags: { node_type: 'llm' } },
      { metric: 'difyWorkflowElapsed', value: 2000 },
    ]);
    expect(withDetail[0]?.tags).toBe(withDetail[1]?.tags);
    expect(Object.isFrozen(withDetail[0]?.tags)).toBe(true);
    expect(samplesOf(false)).toEqual([{ metric: 'difyWorkflowElapsed', value: 2000 }]);
  });

  test('error_type tag objects: one cached, frozen object per type', () => {
    const p = new Probe();
    for (let i = 0; i < 2; i++) {
      p.feed([[100, ev('o')]]);
      expect(p.error(200, 'context deadline exceeded (Client.Timeout or context cancellation while reading body)')).toBe(true);
      expect(p.t.finish(OK).errorType).toBe('timeout');
    }
    const [a, b] = p.sink.samples.filter((s) => s.metric === 'errors').map((s) => s.tags);
    expect(a).toEqual({ error_type: 'timeout' });
    expect(a).toBe(b);
    expect(Object.isFrozen(a)).toBe(true);
  });

  describe('one error type per stream: the response first, then the first fault, then the missing end', () => {
    const errorType = (res: typeof OK, events: [number, ReturnType<typeof ev>][]): string | null => {
      const p = new Probe();
      p.feed(events);
      return p.t.finish(res).errorType;
    };
    test('success', () => expect(errorType(OK, [[100, ev('e')]])).toBeNull());
    test('status wins over a stream fault', () => expect(errorType({ ...OK, status: 500 }, [[100, ev('j')]])).toBe('http_5xx'));
    test('a stream fault wins over a missing end', () => expect(errorType(OK, [[100, ev('j')]])).toBe('invalid_json'));
    test('a fault fails a stream even when it ended', () => expect(errorType(OK, [[100, ev('j')], [110, ev('e')]])).toBe('invalid_json'));
    test('no end → early_termination', () => expect(errorType(OK, [[100, ev('o')]])).toBe('early_termination'));
  });

  describe('sse_goodput: success and every per-stream SLO met', () => {
    // TTFE 100, TTFT 150, 3 tokens over 50 ms → TPOT 25
    const stream: [number, ReturnType<typeof ev>][] = [
      [100, ev('o')],
      [150, ev('c')],
      [175, ev('c')],
      [200, ev('c')],
      [210, ev('e')],
    ];
    const goodput = (slo: Partial<TrackerSettings['slo']>, events = stream): number[] | undefined => {
      const p = new Probe({}, { ...NO_SETTINGS, slo: { ...NO_SETTINGS.slo, ...slo } });
      p.feed(events);
      p.t.finish(OK);
      return p.sink.values().goodput;
    };
    test.each([
      [{}, 1],
      [{ ttfeMs: 100 }, 1],
      [{ ttfeMs: 99 }, 0],
      [{ ttftMs: 150 }, 1],
      [{ ttftMs: 149 }, 0],
      [{ tpotMs: 25 }, 1],
      [{ tpotMs: 24.9 }, 0],
      [{ ttfeMs: 500, ttftMs: 500, tpotMs: 24 }, 0],
    ])('SLO %j → %i', (slo, expected) => expect(goodput(slo)).toEqual([expected]));
    test('a TTFT limit fails a stream without content; a TPOT limit does not judge a one-token stream', () => {
      expect(goodput({ ttftMs: 1000 }, [[100, ev('o')], [110, ev('e')]])).toEqual([0]);
      expect(goodput({ tpotMs: 1 }, [[100, ev('c')], [110, ev('e')]])).toEqual([1]);
    });
  });
});
