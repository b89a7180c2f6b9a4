/**
 * `openai-chat`: POST /v1/chat/completions with `stream: true` and
 * `stream_options.include_usage`. Content = a non-empty `delta.content` string (the first,
 * role-only delta is not a token); output tokens from the final `usage.completion_tokens`
 * chunk when present; `data: [DONE]` (TERMINAL_EVENTS) ends the stream; a chunk carrying
 * `error` (OpenAI-compatible servers that fail mid-stream) is a server_error_event.
 *
 * A token chunk is recognised without `JSON.parse` (14 µs per chunk in k6's interpreter):
 * its text holds `"content":"` (or `"content": "`) followed by a character other than the
 * closing quote — inside a JSON string a quote is always escaped, so that key can only be a
 * key. With JSON_CHECK=structural such a chunk is checked to end like a JSON object; every
 * other chunk (role, finish, usage, error: a few per stream) is parsed as before.
 *
 * Per VU this module defines one function, `openaiInterpreter`, called when a scenario's session
 * is made. The request body is built in lib/vu/targets.ts. Pure: no k6 import.
 */
import { Brace, Verdict, nameSet, type InterpreterFactory, type NameSet } from './interpreter.ts';

interface ChatChunk {
  readonly error?: unknown;
  readonly usage?: { readonly completion_tokens?: unknown } | null;
  readonly choices?: ReadonlyArray<{ readonly delta?: { readonly content?: unknown } | null } | null>;
}

/**
 * The interpreter of one scenario: `detail` (the `stream` scenario) or not (`burst`, which parses
 * nothing: only `[DONE]` or another listed plain text matters), JSON_CHECK `full` (the default) or `structural`.
 */
export const openaiInterpreter: InterpreterFactory = (config, detail, _sink, answer) => {
  const terminal: NameSet = nameSet(config.terminalEvents);
  // JSON.parse read once (as in target-dify.ts: no global lookup per event).
  const parse = JSON.parse;
  if (!detail) return (data) => (data.charCodeAt(0) !== Brace.Open && terminal[data] === true ? Verdict.End : Verdict.Other);
  // TURNS > 1 (answer.collectText): each content chunk's text is appended to the next turn's history,
  // so every chunk is parsed, JSON_CHECK=structural or not; otherwise `into` is null (one compare per content event).
  const into = answer !== undefined && answer.collectText ? answer : null;
  const hasContentText = into === null && config.jsonCheck === 'structural' ? contentTextTest() : null;
  return (data, _event, _events, notes) => {
    if (data.charCodeAt(0) !== Brace.Open) {
      if (terminal[data] === true) return Verdict.End;
      if (data === '' || data === '[DONE]') return Verdict.Other;
    } else if (hasContentText !== null && hasContentText(data)) {
      return data.charCodeAt(data.length - 1) === Brace.Close ? Verdict.Content : Verdict.BadJson;
    }
    // The parse written out here, not called: this is the per-event path of the default.
    let chunk: ChatChunk | null;
    try {
      chunk = parse(data) as ChatChunk | null;
    } catch {
      return Verdict.BadJson;
    }
    if (chunk === null || typeof chunk !== 'object') return Verdict.BadJson;
    if (chunk.error) return Verdict.Fail;
    const usage = chunk.usage;
    if (usage && typeof usage.completion_tokens === 'number') notes.usage = usage.completion_tokens;
    const content = chunk.choices?.[0]?.delta?.content;
    if (typeof content !== 'string' || content === '') return Verdict.Other;
    if (into !== null) into.text += content;
    return Verdict.Content;
  };
};

/**
 * The chunk carries a non-empty `"content"` string (the first such key decides): JSON_CHECK=structural's
 * token test, made only for that mode.
 */
export const contentTextTest = (): ((data: string) => boolean) => {
  const key = '"content":';
  return (data) => {
    const at = data.indexOf(key);
    if (at < 0) return false;
    let i = at + key.length;
    let c = data.charCodeAt(i);
    if (c === 32) c = data.charCodeAt(++i); // a space
    return c === 34 && data.charCodeAt(i + 1) !== 34; // an opening quote, not an empty string
  };
};
