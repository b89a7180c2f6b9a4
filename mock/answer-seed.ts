/**
 * The answer of the mock "model" is a function of the request: the token text (and the
 * jitter of its timing) come from an rng seeded with the server's seed and the request's
 * prompt, not from the order in which streams start. Two k6 processes splitting a run
 * (`--execution-segment`) and one process running it whole therefore receive the same bytes,
 * whichever VU sends which question first.
 *
 * The prompt leaves out Dify's/OpenAI's `user` field on purpose: the suite names it after the
 * VU and its iteration (`sse-bench-<vu>-<iteration>`), which differ between a whole run and its
 * segments. A model at temperature 0 answers the same question the same way; so does the mock.
 * Ids and fault draws stay per stream (see server.ts): ids are unique, fault rates are rates.
 */
import { createRng, hashSeed, type Rng } from './rng.ts';

/** The rng of one request's answer: `seed` (the server's, or the request's X-Mock-Seed) and the prompt. */
export function answerRng(seed: string, prompt: string): Rng {
  return createRng(hashSeed(`${seed}\u0000${prompt}`));
}

/** What a Dify workflow answers to: its `inputs`. */
export function workflowPrompt(body: Record<string, unknown>): string {
  return JSON.stringify(body.inputs ?? null);
}

/** What a Dify chat app answers to: its `query` and `inputs` (a `conversation_id` does not change the text). */
export function chatPrompt(body: Record<string, unknown>): string {
  return `${String(body.query)}\u0000${JSON.stringify(body.inputs ?? {})}`;
}

/** What an OpenAI-compatible model answers to: the model and the messages. */
export function openaiPrompt(body: Record<string, unknown>): string {
  return `${typeof body.model === 'string' ? body.model : ''}\u0000${JSON.stringify(body.messages ?? null)}`;
}
