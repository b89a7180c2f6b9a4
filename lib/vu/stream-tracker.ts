/**
 * The per-stream state machine, and the suite's per-event path: `onEvent` below runs once per
 * SSE event inside k6 (Sobek, an interpreter), so it reads top to bottom in one place, keeps its
 * state in closure variables (no `this.` lookups), takes one `Date.now()` (read once into a closure
 * variable: no global lookup per event), makes one call into
 * the target's interpreter, and records NO metric sample per event (unless INTER_EVENT_SAMPLES
 * asks for the full gap distribution). Everything else is per stream, in `finish`.
 *
 * What counts as an event: every dispatched event except keep-alives (`event: ping` — `ping\r`
 * on CRLF streams — and comment-only or empty blocks). Keep-alives only show in the extension's
 * own `sse_event`. TTFE (request start → first counted event) is computed here, in `finish`.
 *
 * Per VU it makes five closures (the functions below), on the VU's first iteration; the failure
 * path (lib/vu/stream-failure.ts) is made on the first failure. Every function object costs each
 * VU memory in k6 (docs/metrics-and-faults.md#per-vu-work), so helpers are written out inline.
 *
 * Time is `Date.now()` (k6 has nothing finer; tests fake it). Pure apart from that: no k6 import.
 */
import type { Client, SseEvent } from 'k6/x/sse';
import type { StreamSlo } from '../init/config.ts';
import type { ErrorType } from '../error-types.ts';
import { FailureText, createStreamFailures, isEventStream, type StreamFailures, type StreamResponse } from './stream-failure.ts';
import { Verdict, type Interpreter, type StreamNotes } from './interpreter.ts';
import type { MetricKey } from '../metric-defs.ts';

export type Tags = Readonly<Record<string, string>>;

/** Where samples go: k6 metrics in a run (lib/vu/metrics.ts), an array in tests. */
export interface SampleSink {
  add(metric: MetricKey, value: number, tags?: Tags): void;
}

/** How one scenario treats a target's events (lib/vu/targets.ts). */
export interface TrackerMode {
  readonly interpret: Interpreter;
  /** Success needs a terminal event; `false` (generic): the server closing after ≥ 1 event is success. */
  readonly needsTerminal: boolean;
  /**
   * `stream` scenario: content events are tracked (TTFT, tokens, TPOT), per-stream gap figures and
   * `sse_goodput` are recorded. `burst`: counts, ends and faults only.
   */
  readonly detail: boolean;
}

/** Run-wide settings of the detailed (`stream`) path, from the configuration. */
export interface TrackerSettings {
  /** INTER_EVENT_SAMPLES: one `sse_inter_event_time` sample per event. */
  readonly gapSamples: boolean;
  /** DATA_BYTES: UTF-8 bytes of one event's data (k6/encoding in k6), or `null` to count nothing. */
  readonly dataBytes: ((data: string) => number) | null;
  /** SLO_TTFE / SLO_TTFT / SLO_TPOT for `sse_goodput`. */
  readonly slo: StreamSlo;
}

export const NO_SETTINGS: TrackerSettings = { gapSamples: false, dataBytes: null, slo: { ttfeMs: null, ttftMs: null, tpotMs: null } };

export interface StreamOutcome {
  readonly success: boolean;
  readonly errorType: ErrorType | null;
  /** Why it failed, in the words of whatever said so (Go error, status and body, event); '' on success. */
  readonly reason: string;
}

/** The outcome of every successful stream: one frozen object, nothing allocated per stream. */
const SUCCESS: StreamOutcome = Object.freeze({ success: true, errorType: null, reason: '' });
/** The outcome of a stream the client stopped (CANCEL_RATE): neither success nor error. */
const CANCELLED: StreamOutcome = Object.freeze({ success: false, errorType: null, reason: '' });

export interface StreamTracker {
  /** Request start (right before `sse.open`): resets every per-stream variable. */
  readonly begin: () => void;
  /**
   * `sse.open`'s setup function: xk6-sse calls it once the response headers have arrived (right
   * before its `'open'` event, so no `'open'` handler is needed); it registers the handlers below.
   */
  readonly setup: (client: Client) => void;
  /** The `'event'` handler. */
  readonly onEvent: (event: SseEvent) => void;
  /** The `'error'` handler (registered as it is: `e.error()` is the message). */
  readonly onError: (error: { error(): string }) => void;
  /** `sse.open` returned: record the per-stream samples and return the outcome. */
  readonly finish: (res: StreamResponse) => StreamOutcome;
  /** `setup` ran for the current stream (a response arrived). */
  readonly opened: boolean;
}

/**
 * One tracker per session (VU × scenario), reused by every stream of it. It closes the client
 * (once per stream) when the stream must end now: after the terminal event, a server error event,
 * a read error or the deadline (else the VU would block forever). Once: a release of xk6-sse that
 * drains the body inside `close()` may call the `'error'` handler from there, which must not
 * re-enter `close()`.
 */
export const createStreamTracker = (mode: TrackerMode, settings: TrackerSettings, sink: SampleSink): StreamTracker => {
  const interpret = mode.interpret;
  const detail = mode.detail;
  const gapSamples = detail && settings.gapSamples;
  const dataBytes = detail ? settings.dataBytes : null;
  const slo = settings.slo;
  // The failure path, made on this tracker's first failure (lib/vu/stream-failure.ts).
  let failures: StreamFailures | null = null;
  // Date.now, read once: per event `Date.now()` is a global lookup and a property read in Sobek
  // before the call (both in k6's CPU profile); a closure variable is one slot read.
  const now = Date.now;

  // Per-stream state: closure variables, reset by begin(). What the interpreter notes is data on `notes`.
  let t0 = 0;
  let headersAt = -1;
  let events = 0;
  let first = -1;
  let last = -1;
  let maxGap = 0;
  let firstToken = -1;
  let lastToken = -1;
  let contentEvents = 0;
  let bytes = 0;
  let fault: ErrorType | null = null;
  let faultReason = '';
  let firstData = '';
  let closing = false; // close() was called (or is due: no client yet)
  let client: Client | null = null;
  const notes: StreamNotes = { terminalSeen: false, workflowStarted: false, cancelled: false, usage: -1, partUsage: 0 };

  const self: { -readonly [K in keyof StreamTracker]: StreamTracker[K] } = {
    opened: false,
    begin() {
      t0 = Date.now();
      self.opened = false;
      client = null;
      headersAt = -1;
      events = 0;
      first = -1;
      last = -1;
      maxGap = 0;
      firstToken = -1;
      lastToken = -1;
      contentEvents = 0;
      bytes = 0;
      fault = null;
      faultReason = '';
      firstData = '';
      closing = false;
      notes.terminalSeen = false;
      notes.workflowStarted = false;
      notes.cancelled = false;
      notes.usage = -1;
      notes.partUsage = 0;
    },
    setup(c) {
      headersAt = Date.now();
      self.opened = true;
      client = c;
      c.on('event', self.onEvent);
      c.on('error', self.onError);
    },

    // ---- the per-event path ----------------------------------------------------------------
    onEvent(event) {
      if (closing) return; // queued before client.close() took effect
      const data = event.data;
      if (data === '') {
        const name = event.name; // keep-alive: comment-only / empty block, or `event: ping`
        if (name === '' || name === 'ping' || name === 'ping\r' || name === '\r') return;
      }
      const t = now();
      events++;
      if (first < 0) {
        first = t;
        firstData = data;
      } else {
        const gap = t - last;
        if (gap > maxGap) maxGap = gap;
        if (gapSamples) sink.add('interEventTime', gap);
      }
      last = t;
      if (dataBytes !== null) bytes += dataBytes(data);
      const verdict = interpret(data, event, events, notes);
      if (verdict === Verdict.Content) {
        if (detail) {
          if (firstToken < 0) firstToken = t;
          lastToken = t;
          contentEvents++;
        }
      } else if (verdict !== Verdict.Other) {
        if (verdict === Verdict.End) {
          notes.terminalSeen = true;
          closing = true;
          client?.close();
        } else if (verdict === Verdict.EndWait) {
          notes.terminalSeen = true;
        } else if (verdict === Verdict.Fail) {
          if (fault === null) {
            fault = 'server_error_event';
            faultReason = data;
          }
          closing = true;
          client?.close();
        } else if (verdict === Verdict.BadJson && fault === null) {
          fault = 'invalid_json';
          faultReason = data;
        }
      }
    },
    // ---- end of the per-event path ---------------------------------------------------------

    onError(error) {
      const message = error.error();
      const type = (failures ??= createStreamFailures()).readErrorType(message);
      if (type === null) {
        // An unknown field line: ignored by the stream (the SSE spec), kept as the body of an HTTP error.
        if (firstData === '') firstData = message.slice(FailureText.UnknownField.length);
        return;
      }
      if (closing) return; // already closed: a read error caused by the close itself
      if (fault === null) {
        fault = type;
        faultReason = message;
      }
      closing = true;
      client?.close();
    },

    finish(res) {
      client = null;
      if (res.status !== 0 && headersAt >= 0) sink.add('openTime', headersAt - t0);
      const responseFault = isEventStream(res) ? null : (failures ??= createStreamFailures()).responseType(res);
      // Per-stream samples of a 2xx `text/event-stream` response, whatever its ending; `metSlo`: met every SLO.
      let metSlo = false;
      if (responseFault === null) {
        sink.add('eventsPerStream', events);
        metSlo = events > 0;
        if (events > 0) {
          const ttfe = first - t0;
          sink.add('ttfe', ttfe);
          sink.add('streamDuration', last - first);
          if (slo.ttfeMs !== null && ttfe > slo.ttfeMs) metSlo = false;
        }
        if (detail) {
          if (events > 1) {
            sink.add('gapMean', (last - first) / (events - 1));
            sink.add('gapMax', maxGap);
          }
          if (dataBytes !== null && bytes > 0) sink.add('dataBytes', bytes);
          if (firstToken < 0) {
            if (slo.ttftMs !== null) metSlo = false;
          } else {
            const ttft = firstToken - t0;
            sink.add('ttft', ttft);
            if (slo.ttftMs !== null && ttft > slo.ttftMs) metSlo = false;
            // Output tokens: the stream's usage for the whole answer, else its parts' usage, else content events.
            const tokens = notes.usage >= 0 ? notes.usage : notes.partUsage > 0 ? notes.partUsage : contentEvents;
            if (tokens > 0) sink.add('llmOutputTokens', tokens);
            const span = lastToken - firstToken;
            if (tokens >= 2 && span > 0) {
              const tpot = span / (tokens - 1);
              sink.add('llmTokensPerSecond', ((tokens - 1) * 1000) / span);
              sink.add('llmTimePerOutputToken', tpot);
              if (slo.tpotMs !== null && tpot > slo.tpotMs) metSlo = false;
            }
          }
        }
      }
      const ended = mode.needsTerminal ? notes.terminalSeen : notes.terminalSeen || events > 0;
      // One type per failed stream: the response decides first, then the first fault inside it, then a
      // missing end — which a stream the client stopped (CANCEL_RATE) may lack: the server ends it as it will.
      const errorType = responseFault ?? fault ?? (ended || notes.cancelled ? null : 'early_termination');
      // Stopped by the client and no fault: neither success nor error (lib/vu/cancel.ts records it).
      if (errorType === null && notes.cancelled) return CANCELLED;
      const success = errorType === null;
      sink.add('streamSuccess', success ? 1 : 0);
      if (detail) sink.add('goodput', success && metSlo ? 1 : 0);
      if (success) return SUCCESS;
      const why = (failures ??= createStreamFailures());
      sink.add('errors', 1, why.tag(errorType));
      return { success, errorType, reason: why.reason(errorType, res, { firstData, events, faultReason }) };
    },
  };
  return self;
};
