import type { Rng } from './rng.ts';

/**
 * Every fault the mock can inject. Order matters: probabilities are drawn in this order,
 * at most one fault per request.
 */
export const FAULTS = [
  { name: 'http_500', description: 'HTTP 500 before the stream opens (Dify/OpenAI error JSON).' },
  { name: 'http_429', description: 'HTTP 429 with a `Retry-After` header (seconds: --retry-after-s).' },
  { name: 'http_401', description: 'HTTP 401 before the stream opens.' },
  { name: 'non_sse', description: 'HTTP 200 with `Content-Type: text/html` instead of an event stream.' },
  { name: 'reset', description: 'Destroys the socket after --reset-after-events events (no terminal chunk).' },
  { name: 'stall', description: 'Sends the headers, then nothing until the client leaves or the server stops.' },
  { name: 'invalid_json', description: 'The first token event carries JSON with its last `}` cut off (a truncated write: what is left still ends with the nested object\'s `}`).' },
  { name: 'unknown_field', description: 'The first token event gets an extra `mock_unknown: 1` field line.' },
  { name: 'crlf', description: 'The whole stream uses CRLF line endings.' },
  { name: 'error_event', description: 'Half-way through the tokens an `error` event (OpenAI: `{"error":…}` chunk) ends the stream.' },
  { name: 'workflow_failed', description: 'Half-way through, the LLM node and `workflow_finished` report status `failed` (chat/OpenAI: same as error_event).' },
  { name: 'no_terminal', description: 'The response ends after the last token without the terminal event (`workflow_finished`, `message_end`, `[DONE]`).' },
] as const;

export type FaultName = (typeof FAULTS)[number]['name'];
export const FAULT_NAMES: readonly FaultName[] = FAULTS.map((f) => f.name);

export type FaultRates = Readonly<Record<FaultName, number>>;

/**
 * The fault for one request: the forced one (`--fault` / `X-Mock-Fault`) when set, else
 * one draw against the cumulative probabilities (none when all are 0: no draw is made,
 * so a seeded stream's text does not depend on whether fault rates exist).
 */
export function pickFault(forced: FaultName | 'none', rates: FaultRates, rng: Rng): FaultName | null {
  if (forced !== 'none') return forced;
  let total = 0;
  for (const name of FAULT_NAMES) total += rates[name];
  if (total <= 0) return null;
  const u = rng.next();
  let acc = 0;
  for (const name of FAULT_NAMES) {
    acc += rates[name];
    if (u < acc) return name;
  }
  return null;
}
