import { openaiPrompt } from './answer-seed.ts';
import { HttpError } from './http.ts';
import { maxTokensValue, MAX_ANSWER_TOKENS, sseData, type Endpoint, type RequestContext, type ScriptContext, type StreamEnd, type StreamScript } from './script.ts';
import { estimateTokens } from './text.ts';

/** `POST /v1/chat/completions` (OpenAI-compatible) and `GET /v1/models`. */

const bad = (message: string): HttpError => new HttpError(400, 'invalid_request_error', message);

interface Completion {
  id: string;
  created: number;
  model: string;
  promptTokens: number;
  includeUsage: boolean;
}

/** A uint32 in base 36, always 7 characters: every id has the same length, so bytes do not depend on the draw. */
const base36 = (n: number): string => n.toString(36).padStart(7, '0');

function newCompletion(ctx: ScriptContext): Completion {
  const { body } = ctx;
  const options = body.stream_options as { include_usage?: unknown } | undefined; // shape checked in validate()
  return {
    id: `chatcmpl-${base36(ctx.rng.uint32())}${base36(ctx.rng.uint32())}`,
    created: ctx.createdAtS,
    model: typeof body.model === 'string' && body.model !== '' ? body.model : ctx.model,
    promptTokens: estimateTokens(JSON.stringify(body.messages)),
    includeUsage: options?.include_usage === true,
  };
}

const usageOf = (c: Completion, end: StreamEnd) => ({
  prompt_tokens: c.promptTokens,
  completion_tokens: end.tokens,
  total_tokens: c.promptTokens + end.tokens,
});

function script(ctx: ScriptContext): StreamScript {
  const c = newCompletion(ctx);
  const base = { id: c.id, object: 'chat.completion.chunk', created: c.created, model: c.model };
  const chunk = (delta: unknown, finishReason: string | null): string =>
    sseData({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] });
  const head = `data: {"id":"${c.id}","object":"chat.completion.chunk","created":${c.created},"model":${JSON.stringify(c.model)},"choices":[{"index":0,"delta":{"content":`;
  const tail = '},"logprobs":null,"finish_reason":null}]}\n\n';
  const done = 'data: [DONE]\n\n';
  const error = (): string[] => [sseData({ error: { message: 'Mock fault: error_event', type: 'server_error', code: 'internal_error' } })];
  return {
    ping: null,
    start: () => [chunk({ role: 'assistant', content: '' }, null)],
    token: (json) => head + json + tail,
    finish: (end) => {
      const out = [chunk({}, 'stop')];
      if (c.includeUsage) out.push(sseData({ ...base, choices: [], usage: usageOf(c, end) }));
      out.push(done);
      return out;
    },
    error,
    failed: error,
  };
}

/** Characters of the messages' text: a string `content`, or the `text` of its parts. */
function messageChars(messages: readonly unknown[]): number {
  let chars = 0;
  for (const m of messages) {
    const content = typeof m === 'object' && m !== null ? (m as { content?: unknown }).content : undefined;
    if (typeof content === 'string') chars += content.length;
    else if (Array.isArray(content)) {
      for (const part of content) {
        const text = typeof part === 'object' && part !== null ? (part as { text?: unknown }).text : undefined;
        if (typeof text === 'string') chars += text.length;
      }
    }
  }
  return chars;
}

const answerLimit = (body: Record<string, unknown>): number | null => {
  const max = maxTokensValue(body.max_tokens);
  return max !== null && max !== undefined ? max : (maxTokensValue(body.max_completion_tokens) ?? null);
};

export const openaiChat: Endpoint = {
  dialect: 'openai',
  validate(body) {
    const { messages, stream, stream_options: options, model } = body;
    if (!Array.isArray(messages) || messages.length === 0) throw bad('messages is required and must be a non-empty array.');
    if (model !== undefined && typeof model !== 'string') throw bad('model must be a string.');
    if (stream !== undefined && typeof stream !== 'boolean') throw bad('stream must be a boolean.');
    if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
      throw bad('stream_options must be an object.');
    }
    for (const field of ['max_tokens', 'max_completion_tokens']) {
      if (maxTokensValue(body[field]) === undefined) throw bad(`${field} must be an integer from 1 to ${MAX_ANSWER_TOKENS}.`);
    }
    return stream === true;
  },
  context(body): RequestContext {
    return { chars: messageChars(body.messages as unknown[]), maxTokens: answerLimit(body) }; // messages: an array, checked in validate()
  },
  prompt: openaiPrompt,
  script,
  blocking(ctx, end) {
    const c = newCompletion(ctx);
    return {
      id: c.id,
      object: 'chat.completion',
      created: c.created,
      model: c.model,
      choices: [{ index: 0, message: { role: 'assistant', content: end.answer }, logprobs: null, finish_reason: 'stop' }],
      usage: usageOf(c, end),
    };
  },
};

export function modelList(model: string): string {
  return JSON.stringify({ object: 'list', data: [{ id: model, object: 'model', created: 0, owned_by: 'sse-bench-mock' }] });
}
