/**
 * The per-stream state machine, and the suite's per-event path: `onEvent` below runs once per
 * SSE event inside k6 (Sobek, an interpreter), so it reads top to bottom in one place, keeps its
 * state in closure variables (no `this.` lookups), takes one `Date.now()`, makes one call into
 * the target's interpreter, and records NO metric sample per event (unless INTER_EVENT_SAMPLES
 * asks for the full gap distribution). Everything else is per stream, in `finish`.
 *
 * What counts as an event: every dispatched event except keep-alives (`event: ping` — `ping\r`
 * on CRLF streams — and comment-only or empty blocks). Keep-alives only show in the extension's
 * own `sse_event`. TTFE (request start → first counted event) is computed here, in `finish`.
 *
 * Time is `Date.now()` (k6 has nothing finer; tests fake it). Pure apart from that: no k6 import.
 */
import type { SseEvent } from 'k6/x/sse';
import { classifyReadError, classifyResponse, contentType, type StreamResponse } from './classify.ts';
import type { StreamSlo } from '../init/config.ts';
import type { ErrorType } from '../error-types.ts';
import { NO_BODY_NOTE } from './failure-log.ts';
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

export interface StreamTracker {
  /** Request start (right before `sse.open`): resets every per-stream variable. */
  begin(): void;
  /** The `'open'` handler: response headers arrived. */
  readonly onOpen: () => void;
  /** The `'event'` handler. */
  readonly onEvent: (event: SseEvent) => void;
  /** The `'error'` handler's message (`e.error()`). */
  onError(message: string): void;
  /** `sse.open` returned: record the per-stream samples and return the outcome. */
  finish(res: StreamResponse): StreamOutcome;
}

/**
 * Frozen tag objects, made on first use and kept: no per-sample tag allocation. Plain objects,
 * not a Map (Sobek would build the Map prototype in every VU), filled lazily (a VU that never
 * fails makes none).
 */
const ERROR_TAGS: Partial<Record<ErrorType, Tags>> = {};
const NODE_TAGS: Record<string, Tags | undefined> = {};

const errorTag = (type: ErrorType): Tags => {
  return (ERROR_TAGS[type] ??= Object.freeze({ error_type: type }));
};

export const nodeTag = (nodeType: string): Tags => {
  // `own` guards the lookup against Object.prototype's keys (`constructor`, `toString`).
  const own = Object.prototype.hasOwnProperty.call(NODE_TAGS, nodeType);
  let tags = own ? NODE_TAGS[nodeType] : undefined;
  if (tags === undefined) {
    tags = Object.freeze({ node_type: nodeType });
    NODE_TAGS[nodeType] = tags;
  }
  return tags;
};

/** Longest piece of a body or event kept as a failure's reason (lib/vu/failure-log.ts bounds it again). */
const EXCERPT = 200;
const UNKNOWN_FIELD = 'unknown event: ';

const excerpt = (text: string): string => {
  return text.length > EXCERPT ? text.slice(0, EXCERPT) : text;
};

/**
 * One tracker per session (VU × scenario), reused by every stream of it. `close` is called when
 * the stream must end now: after the terminal event, a server error event, a read error or the
 * deadline (else the VU would block forever).
 */
export const createStreamTracker = (mode: TrackerMode, settings: TrackerSettings, sink: SampleSink, close: () => void): StreamTracker => {
  const interpret = mode.interpret;
  const detail = mode.detail;
  const gapSamples = detail && settings.gapSamples;
  const dataBytes = detail ? settings.dataBytes : null;
  const slo = settings.slo;

  // Per-stream state: closure variables, reset by begin().
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
  let usage = -1;
  let partUsage = 0;
  let fault: ErrorType | null = null;
  let faultReason = '';
  let firstData = '';
  let closing = false;

  const notes: StreamNotes = {
    terminalSeen: false,
    workflowStarted: false,
    cancelled: false,
    setUsage(tokens) {
      usage = tokens;
    },
    addUsage(tokens) {
      partUsage += tokens;
    },
    nodeElapsed(nodeType, seconds) {
      if (detail) sink.add('difyNodeElapsed', seconds * 1000, nodeTag(nodeType));
    },
    workflowElapsed(seconds) {
      sink.add('difyWorkflowElapsed', seconds * 1000);
    },
  };

  const noteFault = (type: ErrorType, reason: string): void => {
    if (fault !== null) return;
    fault = type;
    faultReason = reason;
  };

  // ---- the per-event path ------------------------------------------------------------------
  const onEvent = (event: SseEvent): void => {
    if (closing) return; // queued before client.close() took effect
    const data = event.data;
    if (data === '') {
      const name = event.name; // keep-alive: comment-only / empty block, or `event: ping`
      if (name === '' || name === 'ping' || name === 'ping\r' || name === '\r') return;
    }
    const t = Date.now();
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
        close();
      } else if (verdict === Verdict.EndWait) {
        notes.terminalSeen = true;
      } else if (verdict === Verdict.Fail) {
        noteFault('server_error_event', data);
        closing = true;
        close();
      } else if (verdict === Verdict.BadJson) {
        noteFault('invalid_json', data);
      }
    }
  };
  // ---- end of the per-event path -----------------------------------------------------------

  const outputTokens = (): number => (usage >= 0 ? usage : partUsage > 0 ? partUsage : contentEvents);

  /** Per-stream samples of a 2xx `text/event-stream` response, whatever its ending; returns "met every SLO". */
  const recordStream = (): boolean => {
    sink.add('eventsPerStream', events);
    let metSlo = events > 0;
    if (events > 0) {
      const ttfe = first - t0;
      sink.add('ttfe', ttfe);
      sink.add('streamDuration', last - first);
      if (slo.ttfeMs !== null && ttfe > slo.ttfeMs) metSlo = false;
    }
    if (!detail) return metSlo;
    if (events > 1) {
      sink.add('gapMean', (last - first) / (events - 1));
      sink.add('gapMax', maxGap);
    }
    if (dataBytes !== null && bytes > 0) sink.add('dataBytes', bytes);
    if (firstToken < 0) return metSlo && slo.ttftMs === null;
    const ttft = firstToken - t0;
    sink.add('ttft', ttft);
    if (slo.ttftMs !== null && ttft > slo.ttftMs) metSlo = false;
    const tokens = outputTokens();
    if (tokens > 0) sink.add('llmOutputTokens', tokens);
    const span = lastToken - firstToken;
    if (tokens >= 2 && span > 0) {
      const tpot = span / (tokens - 1);
      sink.add('llmTokensPerSecond', ((tokens - 1) * 1000) / span);
      sink.add('llmTimePerOutputToken', tpot);
      if (slo.tpotMs !== null && tpot > slo.tpotMs) metSlo = false;
    }
    return metSlo;
  };

  /** Why the stream failed, for the failure log (never on the per-event path). */
  const reasonOf = (type: ErrorType, res: StreamResponse): string => {
    // xk6-sse hands over a body only as SSE lines, and drops a last line without `\n`: say so when none came.
    const body = firstData === '' ? ` ${NO_BODY_NOTE}` : `: ${excerpt(firstData)}`;
    switch (type) {
      case 'connection_error':
        return res.error;
      case 'timeout':
        return res.status === 0 ? res.error : faultReason;
      case 'http_4xx':
      case 'http_5xx':
        return `status ${res.status}${body}`;
      case 'invalid_response':
        return `status ${res.status}, content type "${contentType(res.headers)}"${body}`;
      case 'early_termination':
        return `the stream ended after ${events} event${events === 1 ? '' : 's'} without its terminal event`;
      default:
        return excerpt(faultReason);
    }
  };

  return {
    begin() {
      t0 = Date.now();
      headersAt = -1;
      events = 0;
      first = -1;
      last = -1;
      maxGap = 0;
      firstToken = -1;
      lastToken = -1;
      contentEvents = 0;
      bytes = 0;
      usage = -1;
      partUsage = 0;
      fault = null;
      faultReason = '';
      firstData = '';
      closing = false;
      notes.terminalSeen = false;
      notes.workflowStarted = false;
      notes.cancelled = false;
    },
    onOpen() {
      headersAt = Date.now();
    },
    onEvent,
    onError(message) {
      const type = classifyReadError(message);
      if (type === null) {
        // An unknown field line: ignored by the stream (the SSE spec), kept as the body of an HTTP error.
        if (firstData === '' && message.startsWith(UNKNOWN_FIELD)) firstData = message.slice(UNKNOWN_FIELD.length);
        return;
      }
      if (!closing) noteFault(type, message);
      closing = true;
      close();
    },
    finish(res) {
      if (res.status !== 0 && headersAt >= 0) sink.add('openTime', headersAt - t0);
      const responseFault = classifyResponse(res);
      const metSlo = responseFault === null ? recordStream() : false;
      const ended = mode.needsTerminal ? notes.terminalSeen : notes.terminalSeen || events > 0;
      // One type per failed stream: the response decides first, then the first fault inside it, then a missing end.
      // A stream the client stopped (CANCEL_RATE) may end however the server ends it.
      const errorType = responseFault ?? fault ?? (ended || notes.cancelled ? null : 'early_termination');
      // Stopped by the client and no fault: neither success nor error (lib/vu/cancel.ts records it).
      if (errorType === null && notes.cancelled) return { success: false, errorType: null, reason: '' };
      const success = errorType === null;
      sink.add('streamSuccess', success ? 1 : 0);
      if (detail) sink.add('goodput', success && metSlo ? 1 : 0);
      if (success) return { success, errorType: null, reason: '' };
      sink.add('errors', 1, errorTag(errorType));
      return { success, errorType, reason: reasonOf(errorType, res) };
    },
  };
};
