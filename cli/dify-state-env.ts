/**
 * `npm run bench`'s side of the state-file pickup (lib/init/dify-state.ts): the environment k6 is
 * started with gets BASE_URL and API_KEY from `npm run setup:dify`'s state file when no key is
 * set. The key goes to k6 through its environment only, never its command line (`ps` shows
 * that); the note for the user names the file and the URL, never the key.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../lib/init/config.ts';
import { readDifyState, readOrNull } from '../lib/init/dify-state.ts';
import { PreflightError } from './preflight/preflight.ts';

export interface DifyStateEnv {
  readonly env: NodeJS.ProcessEnv;
  /** What was taken from where ('' when nothing was). */
  readonly note: string;
}

const readText = readOrNull((path) => readFileSync(path, 'utf8'));

/** `env` with the state file applied (relative paths resolve against env.PWD, as in k6); throws PreflightError for a bad file. */
export function difyStateEnv(env: NodeJS.ProcessEnv, readFile: (path: string) => string | null = readText): DifyStateEnv {
  try {
    const state = readDifyState(env, readFile);
    if (state === null) return { env, note: '' };
    return {
      env: { ...env, BASE_URL: state.baseUrl, API_KEY: state.apiKey },
      note: `API key and BASE_URL ${state.baseUrl} from ${state.path} (npm run setup:dify); API_KEY or DIFY_STATE=none overrides it`,
    };
  } catch (err) {
    if (err instanceof ConfigError) throw new PreflightError(`setting ${err.message}`, 'fix or remove the state file (npm run setup:dify writes it), or set DIFY_STATE=none');
    throw err;
  }
}
