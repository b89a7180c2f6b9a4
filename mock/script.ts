import type { ConversationStore } from './conversations.ts';
import type { Rng } from './rng.ts';

/**
 * What one endpoint sends: pre-serialised SSE blocks ("…\n\n"). The stream runner
 * (stream.ts) decides when; a script only decides what.
 */
export interface StreamScript {
  /** Events at TTFE, before the first token (may be empty). */
  start(): string[];
  /** The event of token `index`; `json` is the token already JSON-encoded. */
  token(json: string, index: number): string;
  /** Terminal events after the last token. */
  finish(end: StreamEnd): string[];
  /** The `error_event` fault: events that end the stream with an error. */
  error(end: StreamEnd): string[];
  /** The `workflow_failed` fault. */
  failed(end: StreamEnd): string[];
  /**
   * Dify: the task id a stop request names, and the events a stopped stream ends with (Dify's
   * generate task pipelines on QueueStopEvent). Absent: the endpoint has no stop request.
   */
  readonly taskId?: string;
  stopped?(end: StreamEnd): string[];
  /** The keep-alive block, or null when the protocol has none. */
  readonly ping: string | null;
  /** True when tokens start at TTFE (no separate TTFT), as in the generic /sse stream. */
  readonly tokensAtTtfe?: boolean;
}

/** What is known when a stream ends. */
export interface StreamEnd {
  answer: string;
  tokens: number;
  /**
   * Seconds from the request to the scheduled time of the last event: the stream's planned
   * duration (deterministic), not the wall clock, so the same request gives the same bytes.
   */
  elapsedS: number;
  nowS: number;
}

/** What a script needs to build payloads. */
export interface ScriptContext {
  /** Ids (and, in server.ts, the fault draw): one sequence per stream. */
  rng: Rng;
  /** Token text and jitter: a function of the request (answer-seed.ts). */
  answerRng: Rng;
  /** Request body, already validated by the endpoint's parse function. */
  body: Record<string, unknown>;
  createdAtS: number;
  model: string;
  /** The server's Dify chat conversations (dify-chat.ts registers each message and its answer). */
  conversations?: ConversationStore;
}

/** What a request asks of the "model" beyond its text: the context it sends and the answer length it allows. */
export interface RequestContext {
  /** Characters of context the model reads first (prompt and history): `--prefill-ms-per-1k-chars` is paid per 1,000 of them. */
  readonly chars: number;
  /** The request's `max_tokens` (OpenAI) or `inputs.max_tokens` (Dify): the answer's length; `null` = `--tokens`. */
  readonly maxTokens: number | null;
}

/** Largest answer length a request may ask for (the `--tokens` limit). */
export const MAX_ANSWER_TOKENS = 100_000;

/** A `max_tokens` value: absent/null → null; a positive integer (or its decimal text) up to MAX_ANSWER_TOKENS; else `undefined` (bad). */
export function maxTokensValue(v: unknown): number | null | undefined {
  if (v === undefined || v === null) return null;
  const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 && n <= MAX_ANSWER_TOKENS ? n : undefined;
}

export const sseData = (payload: unknown): string => `data: ${JSON.stringify(payload)}\n\n`;
export const DIFY_PING = 'event: ping\n\n';

export const round = (x: number, digits: number): number => Number(x.toFixed(digits));

/** Prompt/completion usage with Dify-style prices (strings) and latency. */
export function usage(promptTokens: number, end: StreamEnd) {
  const promptPrice = promptTokens * 0.000001;
  const completionPrice = end.tokens * 0.000002;
  return {
    prompt_tokens: promptTokens,
    prompt_unit_price: '0.001',
    prompt_price_unit: '0.001',
    prompt_price: promptPrice.toFixed(7),
    completion_tokens: end.tokens,
    completion_unit_price: '0.002',
    completion_price_unit: '0.001',
    completion_price: completionPrice.toFixed(7),
    total_tokens: promptTokens + end.tokens,
    total_price: (promptPrice + completionPrice).toFixed(7),
    currency: 'USD',
    latency: round(end.elapsedS, 3),
  };
}

/** One streaming API: how to validate its request and what it sends. */
export interface Endpoint {
  readonly dialect: 'dify' | 'openai';
  /** Throws HttpError 400 for a bad body; returns whether the response streams. */
  validate(body: Record<string, unknown>): boolean;
  /** The part of a validated body the answer depends on (answer-seed.ts): never the `user`. */
  prompt(body: Record<string, unknown>): string;
  script(ctx: ScriptContext): StreamScript;
  /** The non-streaming response body. */
  blocking(ctx: ScriptContext, end: StreamEnd): unknown;
  /** The context and answer length of a validated body; may throw HttpError (Dify: 404 for an unknown conversation). */
  context(body: Record<string, unknown>, conversations: ConversationStore): RequestContext;
}
