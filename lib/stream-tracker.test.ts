import { describe, expect, test } from 'vitest';
import type { MetricKey } from './metric-defs.ts';
import {
  StreamTracker,
  V_BAD_JSON,
  V_CONTENT,
  V_END,
  V_END_WAIT,
  V_FAIL,
  V_OTHER,
  nodeTag,
  type Interpreter,
  type SampleSink,
  type Tags,
  type TrackerMode,
  type Verdict,
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

function mode(over: Partial<TrackerMode> = {}): TrackerMode {
  return { interpret: literal, perEventGaps: true, countBytes: true, needsTerminal: true, ...over };
}

const OK = { status: 200, error: '', headers: { 'Content-Type': 'text/event-stream' } };
const ev = (data: string, name = '', comment = ''): { id: string; name: string; data: string; comment: string } => ({ id: '', name, data, comment });

/** Feeds [time, data] events after headers at t=30 (request at t=1000 → relative times below). */
function feed(t: StreamTracker, events: [number, ReturnType<typeof ev>][]): boolean[] {
  t.begin(1000);
  t.headers(1030);
  return events.map(([at, e]) => t.event(1000 + at, e));
}

describe('StreamTracker', () => {
  test('timings, gaps, bytes, tokens of a complete stream', () => {
    const sink = new Recorder();
    const t = new StreamTracker(mode(), sink);
    // other@100, content@150, ping@160 (ignored), content@170, content@200, end@210
    const closes = feed(t, [
      [100, ev('o')],
      [150, ev('c')],
      [160, ev('', 'ping')],
      [170, ev('c')],
      [200, ev('c')],
      [210, ev('e')],
    ]);
    expect(closes).toEqual([false, false, false, false, false, true]);
    expect(t.finish(OK)).toEqual({ success: true, errorType: null });
    expect(sink.values()).toEqual({
      interEventTime: [50, 20, 30, 10],
      openTime: [30],
      eventsPerStream: [5],
      ttfe: [100],
      streamDuration: [110],
      dataBytes: [5],
      ttft: [150],
      llmOutputTokens: [3],
      llmTokensPerSecond: [(2 * 1000) / 50],
      llmTimePerOutputToken: [25],
      streamSuccess: [1],
    });
  });

  test.each([
    ['name ping', ev('', 'ping')],
    ['CRLF ping', ev('', 'ping\r')],
    ['comment only', ev('', '', 'keep-alive')],
    ['empty block', ev('')],
  ])('keep-alive (%s) counts nowhere, not even for TTFE', (_label, keepAlive) => {
    const sink = new Recorder();
    const t = new StreamTracker(mode(), sink);
    feed(t, [
      [50, keepAlive],
      [120, ev('e')],
    ]);
    t.finish(OK);
    expect(sink.values().ttfe).toEqual([120]);
    expect(sink.values().eventsPerStream).toEqual([1]);
  });

  test('a named event without data is an event', () => {
    const sink = new Recorder();
    const t = new StreamTracker(mode({ needsTerminal: false }), sink);
    feed(t, [[50, ev('', 'tick')]]);
    expect(t.finish(OK).success).toBe(true);
    expect(sink.values().eventsPerStream).toEqual([1]);
  });

  test('no token rates with one token, or with all tokens in the same millisecond', () => {
    for (const events of [
      [[100, ev('c')], [110, ev('e')]],
      [[100, ev('c')], [100, ev('c')], [110, ev('e')]],
    ] as [number, ReturnType<typeof ev>][][]) {
      const sink = new Recorder();
      const t = new StreamTracker(mode(), sink);
      feed(t, events);
      t.finish(OK);
      expect(sink.values().llmTokensPerSecond).toBeUndefined();
      expect(sink.values().llmTimePerOutputToken).toBeUndefined();
      expect(sink.values().ttft).toEqual([100]);
    }
  });

  test('stream-reported usage replaces the content count; part usage is used when no total', () => {
    const usage: Interpreter = (data, _e, notes) => {
      if (data === 'u') notes.setUsage(9);
      if (data === 'p') notes.addUsage(4);
      return literal(data, _e, notes);
    };
    const run = (datas: string[]): number | undefined => {
      const sink = new Recorder();
      const t = new StreamTracker(mode({ interpret: usage }), sink);
      feed(t, datas.map((d, i): [number, ReturnType<typeof ev>] => [100 + i * 10, ev(d)]));
      t.finish(OK);
      return sink.values().llmOutputTokens?.[0];
    };
    expect(run(['c', 'c', 'e'])).toBe(2);
    expect(run(['c', 'c', 'p', 'p', 'e'])).toBe(8);
    expect(run(['c', 'c', 'p', 'u', 'e'])).toBe(9);
  });

  test('burst mode: no per-event gaps, no bytes', () => {
    const sink = new Recorder();
    const t = new StreamTracker(mode({ perEventGaps: false, countBytes: false }), sink);
    feed(t, [
      [100, ev('o')],
      [110, ev('e')],
    ]);
    t.finish(OK);
    expect(sink.values()).toEqual({ openTime: [30], eventsPerStream: [2], ttfe: [100], streamDuration: [10], streamSuccess: [1] });
  });

  test('invalid JSON: counted once, the stream continues, failure at the end', () => {
    const sink = new Recorder();
    const t = new StreamTracker(mode(), sink);
    expect(feed(t, [[100, ev('j')], [110, ev('j')], [120, ev('e')]])).toEqual([false, false, true]);
    expect(t.finish(OK)).toEqual({ success: false, errorType: 'invalid_json' });
    expect(sink.samples.filter((s) => s.metric === 'errors')).toEqual([{ metric: 'errors', value: 1, tags: { error_type: 'invalid_json' } }]);
    expect(sink.values().streamSuccess).toEqual([0]);
  });

  test('server error event: close, server_error_event', () => {
    const t = new StreamTracker(mode(), new Recorder());
    expect(feed(t, [[100, ev('f')]])).toEqual([true]);
    expect(t.finish(OK).errorType).toBe('server_error_event');
  });

  test('end-wait: the stream counts as ended but is not closed; the next end closes', () => {
    const t = new StreamTracker(mode(), new Recorder());
    expect(feed(t, [[100, ev('w')], [110, ev('o')], [120, ev('e')]])).toEqual([false, false, true]);
    expect(t.finish(OK).success).toBe(true);
    t.begin(0);
    t.event(100, ev('w'));
    expect(t.finish(OK).success).toBe(true); // the server closed after the end-wait event
  });

  test('read errors: close every time, classified once; unknown field lines ignored', () => {
    const sink = new Recorder();
    const t = new StreamTracker(mode(), sink);
    feed(t, [[100, ev('o')]]);
    expect(t.error(150, 'unknown event: foo: bar\n')).toBe(false);
    expect(t.error(200, 'unexpected EOF')).toBe(true);
    expect(t.error(201, 'context deadline exceeded (Client.Timeout or context cancellation while reading body)')).toBe(true);
    expect(t.event(202, ev('e'))).toBe(false); // ignored once closing
    expect(t.finish(OK)).toEqual({ success: false, errorType: 'protocol_error' });
    expect(sink.values().errors).toEqual([1]);
  });

  test('after the terminal event nothing more is counted', () => {
    const sink = new Recorder();
    const t = new StreamTracker(mode(), sink);
    feed(t, [[100, ev('e')], [110, ev('c')]]);
    expect(t.error(120, 'unexpected EOF')).toBe(true);
    expect(t.finish(OK).success).toBe(true);
    expect(sink.values().eventsPerStream).toEqual([1]);
  });

  test('no terminal event → early_termination; generic (needsTerminal false) needs one event', () => {
    const t = new StreamTracker(mode(), new Recorder());
    feed(t, [[100, ev('o')]]);
    expect(t.finish(OK).errorType).toBe('early_termination');
    const g = new StreamTracker(mode({ needsTerminal: false }), new Recorder());
    feed(g, []);
    expect(g.finish(OK).errorType).toBe('early_termination');
    feed(g, [[100, ev('o')]]);
    expect(g.finish(OK).success).toBe(true);
  });

  test('an HTTP error records only open time, success 0 and the error', () => {
    const sink = new Recorder();
    const t = new StreamTracker(mode(), sink);
    feed(t, [[100, ev('e')]]);
    expect(t.finish({ status: 503, error: '', headers: {} })).toEqual({ success: false, errorType: 'http_5xx' });
    expect(sink.values()).toEqual({ openTime: [30], streamSuccess: [0], errors: [1] });
  });

  test('no response: no open time', () => {
    const sink = new Recorder();
    const t = new StreamTracker(mode(), sink);
    t.begin(0);
    expect(t.finish({ status: 0, error: 'dial tcp: connect: connection refused', headers: null }).errorType).toBe('connection_error');
    expect(sink.values()).toEqual({ streamSuccess: [0], errors: [1] });
  });

  test('begin() resets everything from the previous stream', () => {
    const sink = new Recorder();
    const t = new StreamTracker(mode(), sink);
    feed(t, [[100, ev('j')], [110, ev('c')]]);
    t.finish(OK);
    sink.samples.length = 0;
    feed(t, [[200, ev('e')]]);
    expect(t.finish(OK).success).toBe(true);
    expect(sink.values()).toEqual({ openTime: [30], eventsPerStream: [1], ttfe: [200], streamDuration: [0], dataBytes: [1], streamSuccess: [1] });
  });

  test('node and workflow elapsed: seconds → ms, node_type tag objects cached and frozen', () => {
    const sink = new Recorder();
    const t = new StreamTracker(mode(), sink);
    t.nodeElapsed('llm', 1.25);
    t.workflowElapsed(2);
    expect(sink.samples).toEqual([
      { metric: 'difyNodeElapsed', value: 1250, tags: { node_type: 'llm' } },
      { metric: 'difyWorkflowElapsed', value: 2000 },
    ]);
    expect(nodeTag('llm')).toBe(nodeTag('llm'));
    expect(Object.isFrozen(nodeTag('llm'))).toBe(true);
  });

  test('error_type tag objects: one cached, frozen object per type', () => {
    const sink = new Recorder();
    const t = new StreamTracker(mode(), sink);
    for (let i = 0; i < 2; i++) {
      feed(t, [[100, ev('o')]]);
      expect(t.error(200, 'context deadline exceeded (Client.Timeout or context cancellation while reading body)')).toBe(true);
      t.finish(OK);
    }
    const [a, b] = sink.samples.filter((s) => s.metric === 'errors').map((s) => s.tags);
    expect(a).toEqual({ error_type: 'timeout' });
    expect(a).toBe(b);
    expect(Object.isFrozen(a)).toBe(true);
  });

  describe('one error type per stream: the response first, then the first fault, then the missing end', () => {
    const errorType = (res: typeof OK, events: [number, ReturnType<typeof ev>][]): string | null => {
      const t = new StreamTracker(mode(), new Recorder());
      feed(t, events);
      return t.finish(res).errorType;
    };
    test('success', () => expect(errorType(OK, [[100, ev('e')]])).toBeNull());
    test('status wins over a stream fault', () => expect(errorType({ ...OK, status: 500 }, [[100, ev('j')]])).toBe('http_5xx'));
    test('a stream fault wins over a missing end', () => expect(errorType(OK, [[100, ev('j')]])).toBe('invalid_json'));
    test('a fault fails a stream even when it ended', () => expect(errorType(OK, [[100, ev('j')], [110, ev('e')]])).toBe('invalid_json'));
    test('no end → early_termination', () => expect(errorType(OK, [[100, ev('o')]])).toBe('early_termination'));
  });
});
