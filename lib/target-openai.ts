/**
 * `openai-chat`: POST /v1/chat/completions with `stream: true` and
 * `stream_options.include_usage`. Content = a non-empty `choices[0].delta.content`
 * (the first, role-only delta is not a token); output tokens from the final
 * `usage.completion_tokens` chunk when present; `data: [DONE]` (TERMINAL_EVENTS) ends
 * the stream; a chunk carrying `error` (OpenAI-compatible servers that fail mid-stream)
 * is a server_error_event. Pure: no k6 import.
 */
import {
  V_BAD_JSON,
  V_CONTENT,
  V_END,
  V_FAIL,
  V_OTHER,
  type Interpreter,
} from './stream-tracker.ts';

export function openaiBody(model: string, question: string, user: string): string {
  return JSON.stringify({
    model,
    messages: [{ role: 'user', content: question }],
    stream: true,
    stream_options: { include_usage: true },
    user,
  });
}

interface ChatChunk {
  readonly error?: unknown;
  readonly usage?: { readonly completion_tokens?: unknown } | null;
  readonly choices?: ReadonlyArray<{ readonly delta?: { readonly content?: unknown } | null } | null>;
}

const OPEN_BRACE = 123; // {

export function openaiStreamInterpreter(terminal: ReadonlySet<string>): Interpreter {
  return (data, _event, notes) => {
    if (data.charCodeAt(0) !== OPEN_BRACE) {
      if (terminal.has(data)) return V_END;
      if (data === '' || data === '[DONE]') return V_OTHER;
    }
    let chunk: ChatChunk;
    try {
      chunk = JSON.parse(data) as ChatChunk;
    } catch {
      return V_BAD_JSON;
    }
    if (chunk === null || typeof chunk !== 'object') return V_BAD_JSON;
    if (chunk.error) return V_FAIL;
    const usage = chunk.usage;
    if (usage && typeof usage.completion_tokens === 'number') notes.setUsage(usage.completion_tokens);
    const content = chunk.choices?.[0]?.delta?.content;
    return typeof content === 'string' && content !== '' ? V_CONTENT : V_OTHER;
  };
}

/** Burst scenario: no parse at all; only `[DONE]` (or another listed plain text) matters. */
export function openaiBurstInterpreter(terminal: ReadonlySet<string>): Interpreter {
  return (data) => (data.charCodeAt(0) !== OPEN_BRACE && terminal.has(data) ? V_END : V_OTHER);
}
