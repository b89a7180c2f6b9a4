/**
 * The contract between the per-stream tracker (lib/vu/stream-tracker.ts) and a target's event
 * interpreter (lib/target-*.ts): what the interpreter says about one non-keep-alive event,
 * and the few things it may note on the stream. Pure: no k6 import.
 */
import type { SseEvent } from 'k6/x/sse';

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
 * What an interpreter may read or note on the stream besides its verdict. Only events whose
 * fields matter (ends, usage, node times — a few per stream) touch it; content events do not.
 */
export interface StreamNotes {
  /** A terminal event (V_END_WAIT) was seen. */
  terminalSeen: boolean;
  /** The stream carried `workflow_started` (Dify workflow or chatflow). */
  workflowStarted: boolean;
  /** The client stopped this stream (CANCEL_RATE, lib/vu/cancel.ts): it ends as cancelled, neither success nor error. */
  cancelled: boolean;
  /** Output tokens reported by the stream for the whole answer (replaces earlier values). */
  setUsage(tokens: number): void;
  /** Output tokens reported for one part (Dify LLM node): summed. */
  addUsage(tokens: number): void;
  nodeElapsed(nodeType: string, seconds: number): void;
  workflowElapsed(seconds: number): void;
}

/**
 * One event's verdict. `data` is `event.data` (read once by the caller: each read of a field
 * of the extension's event object crosses from Go); `events` counts this one.
 */
export type Interpreter = (data: string, event: SseEvent, events: number, notes: StreamNotes) => Verdict;

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
 * way a truncated write or a broken proxy corrupts a stream); not a full validation.
 */
export const endsLikeObject = (data: string): boolean => {
  return data.charCodeAt(data.length - 1) === Brace.Close;
};

/** A JSON object, or `undefined` for anything else (not JSON, or JSON but not an object). */
export const parseObject = <T extends object>(data: string): T | undefined => {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return undefined;
  }
  return value !== null && typeof value === 'object' ? (value as T) : undefined;
};
