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
 * Pure: no k6 import.
 */
import { Brace, Verdict, endsLikeObject, type AnswerNotes, type Interpreter, type NameSet } from './interpreter.ts';

export const openaiBody = (model: string, question: string, user: string): string => {
  return JSON.stringify({
    model,
    messages: [{ role: 'user', content: question }],
    stream: true,
    stream_options: { include_usage: true },
    user,
  });
};

interface ChatChunk {
  readonly error?: unknown;
  readonly usage?: { readonly completion_tokens?: unknown } | null;
  readonly choices?: ReadonlyArray<{ readonly delta?: { readonly content?: unknown } | null } | null>;
}

const CONTENT_KEY = '"content":';
const QUOTE = 34;
const SPACE = 32;

/** The chunk carries a non-empty `"content"` string (the first such key decides). */
export const hasContentText = (data: string): boolean => {
  const at = data.indexOf(CONTENT_KEY);
  if (at < 0) return false;
  let i = at + CONTENT_KEY.length;
  let c = data.charCodeAt(i);
  if (c === SPACE) c = data.charCodeAt(++i);
  return c === QUOTE && data.charCodeAt(i + 1) !== QUOTE;
};

/** OpenAI's interpreters: what `openaiInterpreters()` returns. */
export interface OpenaiInterpreters {
  stream(terminal: NameSet, fullCheck: boolean): Interpreter;
  burst(terminal: NameSet): Interpreter;
}

/**
 * OpenAI's event interpretation, made only when the openai-chat target is chosen (as difyInterpreters).
 * `answer` with `collectText` (TURNS > 1): the stream interpreter appends each chunk's content to
 * `answer.text` (the history of the next turn), so every chunk is parsed, JSON_CHECK=structural or not.
 */
export const openaiInterpreters = (answer?: AnswerNotes): OpenaiInterpreters => {
  const stream = (terminal: NameSet, fullCheck: boolean): Interpreter => {
    if (answer !== undefined && answer.collectText) {
      // The collecting variant (a closure made only then, so the default path stays as it is):
      // the default's work, plus the text.
      const into = answer;
      return (data, _event, _events, notes) => {
        if (data.charCodeAt(0) !== Brace.Open) {
          if (terminal[data] === true) return Verdict.End;
          if (data === '' || data === '[DONE]') return Verdict.Other;
        }
        let chunk: ChatChunk | null;
        try {
          chunk = JSON.parse(data) as ChatChunk | null;
        } catch {
          return Verdict.BadJson;
        }
        if (chunk === null || typeof chunk !== 'object') return Verdict.BadJson;
        if (chunk.error) return Verdict.Fail;
        const usage = chunk.usage;
        if (usage && typeof usage.completion_tokens === 'number') notes.setUsage(usage.completion_tokens);
        const content = chunk.choices?.[0]?.delta?.content;
        if (typeof content !== 'string' || content === '') return Verdict.Other;
        into.text += content;
        return Verdict.Content;
      };
    }
    return (data, _event, _events, notes) => {
      if (data.charCodeAt(0) !== Brace.Open) {
        if (terminal[data] === true) return Verdict.End;
        if (data === '' || data === '[DONE]') return Verdict.Other;
      } else if (!fullCheck && hasContentText(data)) {
        return endsLikeObject(data) ? Verdict.Content : Verdict.BadJson;
      }
      // The parse written out here, not called: this is the per-event path of the default.
      let chunk: ChatChunk | null;
      try {
        chunk = JSON.parse(data) as ChatChunk | null;
      } catch {
        return Verdict.BadJson;
      }
      if (chunk === null || typeof chunk !== 'object') return Verdict.BadJson;
      if (chunk.error) return Verdict.Fail;
      const usage = chunk.usage;
      if (usage && typeof usage.completion_tokens === 'number') notes.setUsage(usage.completion_tokens);
      const content = chunk.choices?.[0]?.delta?.content;
      return typeof content === 'string' && content !== '' ? Verdict.Content : Verdict.Other;
    };
  };

  /** Burst scenario: no parse at all; only `[DONE]` (or another listed plain text) matters. */
  const burst = (terminal: NameSet): Interpreter => {
    return (data) => (data.charCodeAt(0) !== Brace.Open && terminal[data] === true ? Verdict.End : Verdict.Other);
  };

  return { stream, burst };
};

/** The `stream` interpreter alone (tests, and code that needs one interpreter). */
export const openaiStreamInterpreter = (terminal: NameSet, fullCheck: boolean): Interpreter => openaiInterpreters().stream(terminal, fullCheck);

/** The `burst` interpreter alone. */
export const openaiBurstInterpreter = (terminal: NameSet): Interpreter => openaiInterpreters().burst(terminal);
