/**
 * CANCEL_RATE: streams of the `stream` scenario that the client stops, the way the target's users
 * do (lib/init/config.ts `CancelPlan`):
 *
 * - Dify (`stopPrefix` set): once the stream is due to stop, its event handler sends Dify's stop
 *   request — `POST …/workflows/tasks/<task_id>/stop` or `POST …/chat-messages/<task_id>/stop` with
 *   `{"user": <the stream's user>}`, the task id read from the stream's first event — and reads on:
 *   Dify ends a stopped workflow with `workflow_finished` (status `stopped`, error "Stopped by user.")
 *   and a stopped chat with `message_end` (api/core/app/apps/*generate_task_pipeline.py), so the
 *   first end event after the stop ends the stream (or the server closing it). k6/http's request
 *   runs synchronously inside the handler (xk6-sse calls handlers on the VU's goroutine; checked on
 *   k6 v2.2.0 and v1.3.0): events that arrive meanwhile wait in the extension's channel.
 * - openai-chat, generic: the client closes the connection (`client.close()`), as an
 *   OpenAI-compatible client does; whether the server went on generating is for the server to say
 *   (the embedded mock counts it: `tokensAfterClientLeft` in `/stats`).
 *
 * Which streams: a hash of the iteration number (`streamKey`) below CANCEL_RATE, so the same
 * iterations are stopped on every run and about CANCEL_RATE of them over any stretch. When: after
 * `afterTokens` content events, or at the first event at least the drawn time after the request
 * started (handlers run only when an event arrives, so a timed stop may come up to one event gap late).
 *
 * A stopped stream is neither success nor error (the tracker's `notes.cancelled`), unless it failed
 * on its own way (a timeout after the stop is a `timeout`); recorded: `sse_streams_cancelled`,
 * `sse_stream_cancelled` (1/0 per stream), `sse_stop_latency` (stop sent → stream ended) and
 * `sse_stop_failed` (a stop request not answered 2xx: the stream then runs to its own end).
 *
 * Made only when CANCEL_RATE is set (lib/vu/sse-session.ts): a VU without it builds none of this,
 * and its per-event path is not wrapped. Pure: k6/http comes in through `CancelDeps`.
 */
import type { CancelPlan } from '../init/config.ts';
import { Verdict, type Interpreter } from './interpreter.ts';
import type { SampleSink, StreamOutcome, TrackerMode } from './stream-tracker.ts';
import type { StreamRequest } from './targets.ts';

/** What the canceller uses of k6/http's `post`. */
export interface StopPoster {
  post(url: string, body: string, params: { headers?: Readonly<Record<string, string>>; tags?: Record<string, string>; timeout?: string }): { status: number };
}

export interface CancelDeps {
  /** k6/http (required in the init context, only when CANCEL_RATE is set and the target is Dify). */
  readonly http: StopPoster | null;
  /** The stream's number in the test (the `stream` scenario's `iterationInTest`). */
  readonly streamKey: () => number;
}

/** A session's canceller: the wrapped mode and the per-stream hooks. */
export interface Canceller {
  /** The scenario's mode, its interpreter wrapped to stop the chosen streams. */
  readonly mode: TrackerMode;
  /** Right before `sse.open`: picks whether (and when) this stream is stopped. */
  begin(request: StreamRequest): void;
  /** After the tracker's `finish`: the stream's cancel samples. */
  end(outcome: StreamOutcome): void;
}

/** Per-stream states of the canceller. */
const enum State {
  Idle = 0, // not chosen, or done with
  Armed = 1, // chosen, not stopped yet
  Stopping = 2, // Dify stop sent, reading on to the end event
}

/**
 * CANCEL_RATE's plan and what the canceller needs from k6 (lib/vu/sse-session.ts makes a canceller
 * from it with `make`, which build/sse.js's top-level code sets to createCanceller only when
 * CANCEL_RATE is set: a function the session named itself would stay alive in every VU).
 */
export interface CancelSettings {
  readonly plan: CancelPlan;
  readonly deps: CancelDeps;
  readonly make: typeof createCanceller;
}

export const createCanceller = (plan: CancelPlan, mode: TrackerMode, sink: SampleSink, deps: CancelDeps): Canceller => {
  /** A JSON object, or `undefined` for anything else. */
  const parseObject = <T extends object>(text: string): T | undefined => {
    try {
      const value: unknown = JSON.parse(text);
      return value !== null && typeof value === 'object' ? (value as T) : undefined;
    } catch {
      return undefined;
    }
  };
  /** A uint32 hash of (key, salt) mapped to [0, 1): murmur3's finaliser, so neighbouring keys spread. */
  const unitHash = (key: number, salt: number): number => {
    let h = (Math.imul(key | 0, 0x9e3779b1) ^ Math.imul(salt + 1, 0x85ebca6b)) >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
  };
  const inner = mode.interpret;
  const { rate, afterTokens, afterMs, stopPrefix, stopSuffix } = plan;
  const dify = stopPrefix !== '';
  // One bounded `name` tag for every stop request (k6 then uses it for the `url` tag too): the URL holds the task id.
  const stopTags = { name: `${stopPrefix}{task_id}${stopSuffix}` };

  let state = State.Idle;
  let t0 = 0;
  let atMs = 0;
  let tokens = 0;
  let taskId = '';
  let stopAt = -1;
  let endAt = -1;
  let cancelled = false;
  let request: StreamRequest | null = null;

  /** The stop request; true when Dify accepted it. */
  const sendStop = (): boolean => {
    const req = request as StreamRequest;
    let user = '';
    const body = parseObject<{ user?: unknown }>(typeof req.params.body === 'string' ? req.params.body : '');
    if (body !== undefined && typeof body.user === 'string') user = body.user;
    const params: Parameters<StopPoster['post']>[2] = { headers: req.params.headers, tags: stopTags };
    if (req.params.timeout !== undefined) params.timeout = req.params.timeout;
    const res = (deps.http as StopPoster).post(stopPrefix + taskId + stopSuffix, JSON.stringify({ user }), params);
    return res.status >= 200 && res.status < 300;
  };

  const interpret: Interpreter = (data, event, events, notes) => {
    const verdict = inner(data, event, events, notes);
    if (state === State.Idle) return verdict;
    if (state === State.Stopping) {
      if (verdict === Verdict.End || verdict === Verdict.EndWait || verdict === Verdict.Fail) {
        // Dify's end of a stopped stream (`workflow_finished` status `stopped`, `message_end`): the stream is over.
        endAt = Date.now();
        state = State.Idle;
        return Verdict.End;
      }
      return verdict;
    }
    // Armed: not stopped yet.
    if (verdict === Verdict.Content) tokens++;
    else if (verdict !== Verdict.Other && verdict !== Verdict.BadJson) {
      state = State.Idle; // it ended (or failed) before its stop was due: an ordinary stream
      return verdict;
    }
    if (dify && taskId === '') {
      const msg = parseObject<{ task_id?: unknown }>(data);
      if (msg !== undefined && typeof msg.task_id === 'string') taskId = msg.task_id;
    }
    const now = Date.now();
    if (afterTokens !== null ? tokens < afterTokens : now - t0 < atMs) return verdict;
    if (!dify) {
      stopAt = now;
      cancelled = true;
      notes.cancelled = true;
      state = State.Idle;
      return Verdict.End; // the tracker closes the connection now
    }
    if (taskId === '') return verdict; // no task id seen yet: stop at the next event that carries one
    stopAt = now;
    if (!sendStop()) {
      sink.add('stopFailed', 1);
      state = State.Idle;
      return verdict;
    }
    cancelled = true;
    notes.cancelled = true;
    state = State.Stopping;
    return verdict;
  };

  return {
    mode: Object.freeze({ interpret, detail: mode.detail, needsTerminal: mode.needsTerminal }),
    begin(req) {
      const key = deps.streamKey();
      state = unitHash(key, 0) < rate ? State.Armed : State.Idle;
      t0 = Date.now();
      atMs = afterMs === null ? 0 : afterMs[0] + unitHash(key, 1) * (afterMs[1] - afterMs[0]);
      tokens = 0;
      taskId = '';
      stopAt = -1;
      endAt = -1;
      cancelled = false;
      request = req;
    },
    end(outcome) {
      state = State.Idle;
      request = null;
      // Counted as cancelled only when the tracker did (a stream that failed after its stop is that failure).
      const counted = cancelled && outcome.errorType === null && !outcome.success;
      sink.add('streamCancelled', counted ? 1 : 0);
      if (!counted) return;
      sink.add('streamsCancelled', 1);
      sink.add('stopLatency', (endAt >= 0 ? endAt : Date.now()) - stopAt);
    },
  };
};
