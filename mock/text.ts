import type { Rng } from './rng.ts';

/** Words the mock "model" streams, one per token, each with its leading space. */
const WORDS = (
  'the a of and to in is that it for on with as was by are this be from at or an which can model data learning ' +
  'energy network neural quantum system systems computing artificial intelligence machine power renewable solar wind ' +
  'training layers weights signals patterns qubits states information process processes results example examples ' +
  'used uses using many more most also new such these those through between while when where how what why'
).split(' ');

export const TOKENS: readonly string[] = WORDS.map((w) => ` ${w}`);
/** The same tokens already JSON-encoded (quotes included): no JSON.stringify per event. */
export const TOKENS_JSON: readonly string[] = TOKENS.map((t) => JSON.stringify(t));

export function pickToken(rng: Rng): number {
  return rng.uint32() % TOKENS.length;
}

/** A rough prompt-token estimate for usage figures (4 characters per token). */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}
