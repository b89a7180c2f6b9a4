/**
 * The request build/bare.js sends, as JSON `{url, params}`: what build/sse.js would send for its
 * first question with the same settings (TARGET, BASE_URL, API_KEY, MODEL, STREAM_TIMEOUT, …,
 * from the environment). `npm run perf:client` puts it in k6's environment as BARE_REQUEST (not
 * on the command line: with a key it holds the Authorization header).
 */
import { loadConfig, type Env } from '../lib/init/config.ts';
import { DEFAULT_QUESTIONS } from '../lib/init/questions.ts';
import { createTarget } from '../lib/vu/targets.ts';

export function bareRequest(env: Env): string {
  const request = createTarget(loadConfig(env)).request(DEFAULT_QUESTIONS[0] ?? 'What is artificial intelligence?', 'bare-reference');
  return JSON.stringify(request);
}
