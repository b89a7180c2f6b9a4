/**
 * The contract between the per-stream tracker (lib/vu/stream-tracker.ts) and a target's event
 * interpreter (lib/target-*.ts): what the interpreter says about one non-keep-alive event,
 * and the few things it may note on the stream. Pure: no k6 import.
 */
import type { SseEvent } from 'k6/x/sse';
import type { Config } from '../init/config.ts';
import type { SampleSink } from './stream-tracker.ts';

/**
 * What an interpreter says about one event. A `const enum`: esbuild writes each use as its number,
 * so the per-event path reads no module-level binding (in Sobek a name lookup, measured on the
 * per-event CPU profile).
 */
export const enum Verdict {
  Other = 0, // counted, nothing else
  Content = 1, // a token / content piece (TTFT, token counts)
  End = 2, // terminal event: the stream is complete, close now
  EndWait = 3, // terminal seen, keep reading (chatflow: message_end, then workflow_finished)
  Fail = 4, // server-reported failure (Dify `error`, failed workflow): close now
  BadJson = 5, // `data` that must be JSON is not: the stream continues
}
// The same numbers by name, for tests and code outside the bundle.
export const V_OTHER = Verdict.Other;
export const V_CONTENT = Verdict.Content;
export const V_END = Verdict.End;
export const V_END_WAIT = Verdict.EndWait;
export const V_FAIL = Verdict.Fail;
export const V_BAD_JSON = Verdict.BadJson;

/**
 * What an interpreter notes on the stream besides its verdict: plain data the tracker resets per
 * stream and reads in `finish` (fields, not methods: a method is a function object per VU). Only
 * events whose fields matter (ends, usage — a few per stream) touch it; content events do not.
 */
export interface StreamNotes {
  /** A terminal event (V_END_WAIT) was seen. */
  terminalSeen: boolean;
  /** The stream carried `workflow_started` (Dify workflow or chatflow). */
  workflowStarted: boolean;
  /** The client stopped this stream (CANCEL_RATE, lib/vu/cancel.ts): it ends as cancelled, neither success nor error. */
  cancelled: boolean;
  /** Output tokens reported by the stream for the whole answer (the last report wins); -1: none. */
  usage: number;
  /** Output tokens reported for parts of the answer (Dify LLM nodes), summed. */
  partUsage: number;
}

/**
 * What a conversation's next turn needs from this turn's stream (lib/vu/conversation.ts), filled
 * by the target's interpreter only when one is given (TURNS > 1): Dify's `conversation_id` from
 * `message_end` (an event that is parsed anyway), OpenAI's answer text from the content chunks
 * (`collectText`: the only per-event work a conversation adds). The caller resets it per turn.
 */
export interface AnswerNotes {
  conversationId: string;
  text: string;
  /** Append each content chunk's text to `text` (openai-chat with TURNS > 1). */
  readonly collectText: boolean;
}

/**
 * One event's verdict. `data` is `event.data` (read once by the caller: each read of a field
 * of the extension's event object crosses from Go); `events` counts this one.
 */
export type Interpreter = (data: string, event: SseEvent, events: number, notes: StreamNotes) => Verdict;

/** What a target's interpreter depends on in the configuration. */
export type InterpreterConfig = Pick<Config, 'terminalEvents' | 'jsonCheck' | 'maxEvents'>;

/**
 * A target's interpreter factory (lib/vu/target-*.ts), called once per session: `detail` for the
 * `stream` scenario (content tracked, every field that matters read), not for `burst`; server-reported
 * times (Dify's node and workflow times) go to `sink`; `answer` (TURNS > 1) gets what the next turn
 * of a conversation reads from this stream.
 */
export type InterpreterFactory = (config: InterpreterConfig, detail: boolean, sink: SampleSink, answer?: AnswerNotes) => Interpreter;

/**
 * A set of names as a plain object: `set[name] === true`. Not a `Set`: Sobek builds the whole
 * Set (or Map) prototype in every VU that uses one (~11 KB per VU each, measured in k6's heap
 * profile). A name that is an Object.prototype key (`toString`, `__proto__`) is never a member.
 */
export type NameSet = Readonly<Record<string, true | undefined>>;

export const nameSet = (names: readonly string[]): NameSet => {
  const set: Record<string, true> = {};
  for (let i = 0; i < names.length; i++) set[names[i] as string] = true;
  return set;
};

/** `{` and `}`: the delimiters of the JSON object every Dify and OpenAI event carries. */
export const enum Brace {
  Open = 123,
  Close = 125,
}

/**
 * JSON_CHECK=structural's check of an event that is not parsed: a JSON object text ends with
 * `}` (its start was already seen by the caller's prefix test). Catches a cut-off event (the
 * way a truncated write or a broken proxy corrupts a stream); not a full validation. Written out
 * where used (`data.charCodeAt(data.length - 1) === Brace.Close`); this one is for tests.
 */
export const endsLikeObject = (data: string): boolean => {
  return data.charCodeAt(data.length - 1) === Brace.Close;
};
