/**
 * The per-stream state machine. Fed the request start, the response-headers time,
 * each event and each `'error'` message with the time it arrived, then the final
 * response; it computes every suite metric sample and the stream's outcome.
 * Timestamps are passed in (k6: `Date.now()`; tests: a virtual clock). Pure: no k6 import.
 *
 * What counts as an event: every dispatched event except keep-alives (`event: ping`
 * — `ping\r` on CRLF streams — and comment-only or empty blocks). Keep-alives only
 * show in the extension's own `sse_event`.
 */
import type { SseEvent } from 'k6/x/sse';
import { classifyReadError, classifyResponse, type StreamResponse } from './classify.ts';
import { ERROR_TYPES, type ErrorType } from './error-types.ts';
import { utf8ByteLength } from './event-sniff.ts';
import type { MetricKey } from './metric-defs.ts';

export type Tags = Readonly<Record<string, string>>;

/** Where samples go: k6 metrics in a run (lib/metrics.ts), an array in tests. */
export interface SampleSink {
  add(metric: MetricKey, value: number, tags?: Tags): void;
}

/** What a target's interpreter says about one (non-keep-alive) event. */
export const V_OTHER = 0; // counted, nothing else
export const V_CONTENT = 1; // a token / content piece (TTFT, token counts)
export const V_END = 2; // terminal event: the stream is complete, close now
export const V_END_WAIT = 3; // terminal seen, keep reading (chatflow: message_end, then workflow_finished)
export const V_FAIL = 4; // server-reported failure (Dify `error`, failed workflow): close now
export const V_BAD_JSON = 5; // `data` the target must parse was not JSON: the stream continues
export type Verdict = 0 | 1 | 2 | 3 | 4 | 5;

/** What an interpreter may note on the stream besides its verdict. */
export interface StreamNotes {
  /** Events counted so far, this one included. */
  readonly events: number;
  /** A terminal event (V_END_WAIT) was seen. */
  readonly terminalSeen: boolean;
  /** The stream carried `workflow_started` (Dify workflow or chatflow). */
  workflowStarted: boolean;
  /** Output tokens reported by the stream for the whole answer (replaces earlier values). */
  setUsage(tokens: number): void;
  /** Output tokens reported for one part (Dify LLM node): summed. */
  addUsage(tokens: number): void;
  nodeElapsed(nodeType: string, seconds: number): void;
  workflowElapsed(seconds: number): void;
}

export type Interpreter = (data: string, event: SseEvent, notes: StreamNotes) => Verdict;

/** How one scenario treats a target's events. */
export interface TrackerMode {
  readonly interpret: Interpreter;
  /** One `sse_inter_event_time` sample per event (stream scenario) or none (burst). */
  readonly perEventGaps: boolean;
  /** Count `sse_data_bytes` (UTF-8 bytes of each event's data). */
  readonly countBytes: boolean;
  /** Success needs a terminal event; `false` (generic): the server closing after ≥ 1 event is success. */
  readonly needsTerminal: boolean;
}

export interface StreamOutcome {
  readonly success: boolean;
  readonly errorType: ErrorType | null;
}

/** Frozen tag objects, built once: no per-sample tag allocation. */
const ERROR_TAGS: Readonly<Record<ErrorType, Tags>> = Object.freeze(
  Object.fromEntries(ERROR_TYPES.map((t): [ErrorType, Tags] => [t, Object.freeze({ error_type: t })])) as Record<ErrorType, Tags>,
);
const NODE_TAGS = new Map<string, Tags>();

export function nodeTag(nodeType: string): Tags {
  let tags = NODE_TAGS.get(nodeType);
  if (tags === undefined) {
    tags = Object.freeze({ node_type: nodeType });
    NODE_TAGS.set(nodeType, tags);
  }
  return tags;
}

/** A keep-alive: no data and no name (comment-only or empty block), or `event: ping`. */
function isKeepAlive(event: SseEvent): boolean {
  const name = event.name;
  return name === '' || name === 'ping' || name === 'ping\r' || name === '\r';
}

/** Reused across the streams of one VU: `begin()` resets it. */
export class StreamTracker implements StreamNotes {
  // Every field below is set by begin(), which the constructor calls.
  events!: number;
  terminalSeen!: boolean;
  workflowStarted!: boolean;
  private t0!: number;
  private headersAt!: number;
  private first!: number;
  private last!: number;
  private firstToken!: number;
  private lastToken!: number;
  private contentEvents!: number;
  private bytes!: number;
  private usage!: number;
  private partUsage!: number;
  private fault!: ErrorType | null;
  private closing!: boolean;
  // The mode, copied into own fields: read on every event.
  private readonly interpret: Interpreter;
  private readonly perEventGaps: boolean;
  private readonly countBytes: boolean;
  private readonly needsTerminal: boolean;

  constructor(
    mode: TrackerMode,
    private readonly sink: SampleSink,
  ) {
    this.interpret = mode.interpret;
    this.perEventGaps = mode.perEventGaps;
    this.countBytes = mode.countBytes;
    this.needsTerminal = mode.needsTerminal;
    this.begin(0);
  }

  /** Request start (right before `sse.open`). */
  begin(t: number): void {
    this.t0 = t;
    this.events = 0;
    this.terminalSeen = false;
    this.workflowStarted = false;
    this.headersAt = -1;
    this.first = -1;
    this.last = -1;
    this.firstToken = -1;
    this.lastToken = -1;
    this.contentEvents = 0;
    this.bytes = 0;
    this.usage = -1;
    this.partUsage = 0;
    this.fault = null;
    this.closing = false;
  }

  /** Response headers arrived (the `'open'` handler). */
  headers(t: number): void {
    this.headersAt = t;
  }

  /** One dispatched event; `true` = call `client.close()` now. */
  event(t: number, event: SseEvent): boolean {
    if (this.closing) return false;
    const data = event.data;
    if (data === '' && isKeepAlive(event)) return false;
    this.events++;
    if (this.first < 0) this.first = t;
    else if (this.perEventGaps) this.sink.add('interEventTime', t - this.last);
    this.last = t;
    if (this.countBytes) this.bytes += utf8ByteLength(data);
    switch (this.interpret(data, event, this)) {
      case V_CONTENT:
        if (this.firstToken < 0) this.firstToken = t;
        this.lastToken = t;
        this.contentEvents++;
        return false;
      case V_END:
        this.terminalSeen = true;
        this.closing = true;
        return true;
      case V_END_WAIT:
        this.terminalSeen = true;
        return false;
      case V_FAIL:
        this.noteFault('server_error_event');
        this.closing = true;
        return true;
      case V_BAD_JSON:
        this.noteFault('invalid_json');
        return false;
      default:
        return false;
    }
  }

  /** A message for the `'error'` handler; `true` = call `client.close()` now (else the VU hangs). */
  error(_t: number, message: string): boolean {
    const type = classifyReadError(message);
    if (type === null) return false; // unknown field line: the stream continues, not a failure
    if (!this.closing) this.noteFault(type);
    this.closing = true;
    return true;
  }

  /** `sse.open` returned: record the per-stream samples and return the outcome. */
  finish(res: StreamResponse): StreamOutcome {
    const sink = this.sink;
    if (res.status !== 0 && this.headersAt >= 0) sink.add('openTime', this.headersAt - this.t0);
    const responseFault = classifyResponse(res);
    if (responseFault === null) this.recordStream();
    const ended = this.needsTerminal ? this.terminalSeen : this.terminalSeen || this.events > 0;
    // One type per failed stream: the response decides first, then the first fault inside it, then a missing end.
    const errorType = responseFault ?? this.fault ?? (ended ? null : 'early_termination');
    sink.add('streamSuccess', errorType === null ? 1 : 0);
    if (errorType !== null) sink.add('errors', 1, ERROR_TAGS[errorType]);
    return { success: errorType === null, errorType };
  }

  /** Output tokens: stream-reported usage, else summed LLM-node usage, else content events. */
  outputTokens(): number {
    if (this.usage >= 0) return this.usage;
    return this.partUsage > 0 ? this.partUsage : this.contentEvents;
  }

  setUsage(tokens: number): void {
    this.usage = tokens;
  }

  addUsage(tokens: number): void {
    this.partUsage += tokens;
  }

  nodeElapsed(nodeType: string, seconds: number): void {
    this.sink.add('difyNodeElapsed', seconds * 1000, nodeTag(nodeType));
  }

  workflowElapsed(seconds: number): void {
    this.sink.add('difyWorkflowElapsed', seconds * 1000);
  }

  private noteFault(type: ErrorType): void {
    if (this.fault === null) this.fault = type;
  }

  /** Samples of a 2xx `text/event-stream` response, whatever its ending. */
  private recordStream(): void {
    const sink = this.sink;
    sink.add('eventsPerStream', this.events);
    if (this.events > 0) {
      sink.add('ttfe', this.first - this.t0);
      sink.add('streamDuration', this.last - this.first);
    }
    if (this.bytes > 0) sink.add('dataBytes', this.bytes);
    if (this.firstToken < 0) return;
    sink.add('ttft', this.firstToken - this.t0);
    const tokens = this.outputTokens();
    if (tokens > 0) sink.add('llmOutputTokens', tokens);
    const span = this.lastToken - this.firstToken;
    if (tokens >= 2 && span > 0) {
      sink.add('llmTokensPerSecond', ((tokens - 1) * 1000) / span);
      sink.add('llmTimePerOutputToken', span / (tokens - 1));
    }
  }
}
