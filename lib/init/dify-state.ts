/**
 * The state file of `npm run setup:dify` (default `.sse-bench/dify.json`, mode 0600): its
 * shape, and how a run picks the API key and base URL up from it. One definition for both
 * readers: the k6 script (init context, file read with `open`) and `npm run bench` (Node).
 *
 * Precedence: explicit variables > this file > defaults. The file is read only when no API
 * key is set (API_KEY, DIFY_API_KEY), TARGET is unset or the app's target, and BASE_URL is
 * unset or the file's own: a key from the file never goes to a server the user named instead.
 * Pure: no k6 or Node import; the file is read through the injected `readFile`.
 */
import { ConfigError, difyStatePath, envValue, isEnvSet, type Env } from './config';
import type { TargetName } from '../env-vars';

export const DIFY_STATE_SCHEMA = 'sse-bench/dify-state@1';

/** How the console accepted our login: the auth generation and the password encoding. */
export interface DifyAuthSeen {
  readonly mode: 'cookie' | 'bearer' | null;
  readonly passwordEncoding: 'base64' | 'plain' | null;
}

/** What setup created inside Dify (so `--cleanup` deletes only that). */
export interface DifyCreated {
  readonly admin: boolean;
  /** Plugin id (`langgenius/openai`) when setup installed the plugin. */
  readonly pluginId: string | null;
  /** Provider credential setup created. */
  readonly credentialId: string | null;
  /** Active credential before setup switched the provider to its own (restored by cleanup). */
  readonly previousCredentialId: string | null;
  readonly app: boolean;
  readonly apiKey: boolean;
}

export interface DifyStateFile {
  readonly schema: typeof DIFY_STATE_SCHEMA;
  /** True once every step, the verification included, succeeded. */
  readonly complete: boolean;
  /** The step the last run stopped at ('' when complete). */
  readonly stoppedAt: string;
  /** Dify's origin (console under /console/api, service API under /v1): BASE_URL of a run. */
  readonly baseUrl: string;
  readonly email: string;
  /** Dify's version as it reported it (`X-Version`), '' when it did not. */
  readonly difyVersion: string;
  readonly auth: DifyAuthSeen;
  readonly llmBaseUrl: string;
  readonly model: string;
  readonly appName: string;
  readonly appId: string | null;
  readonly appMode: string | null;
  /** The app's API key. Never printed or written anywhere else. */
  readonly apiKey: string | null;
  readonly apiKeyId: string | null;
  readonly created: DifyCreated;
  /** When the verification stream last succeeded (ISO 8601). */
  readonly verifiedAt: string | null;
  /** When the file was last written (ISO 8601). */
  readonly writtenAt: string;
}

/** The benchmark target a state file gives. */
export interface DifyStateTarget {
  readonly path: string;
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly target: TargetName;
}

/** The k6 target that benchmarks an app of this mode. */
export function targetForAppMode(mode: string | null): TargetName | null {
  if (mode === 'workflow') return 'dify-workflow';
  if (mode === 'advanced-chat' || mode === 'chat') return 'dify-chat';
  return null;
}

const normUrl = (u: string): string => u.trim().replace(/\/+$/, '');

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const FIX = 'run `npm run setup:dify` again, set API_KEY and BASE_URL yourself, or set DIFY_STATE=none';

/** The target in a state file's text; throws ConfigError('DIFY_STATE') for a file that is not a finished state. */
export function parseDifyStateTarget(text: string, path: string): Omit<DifyStateTarget, 'path'> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError('DIFY_STATE', `"${path}" is not JSON (${error instanceof Error ? error.message : String(error)}); ${FIX}`);
  }
  if (!isRecord(value) || value.schema !== DIFY_STATE_SCHEMA) {
    throw new ConfigError('DIFY_STATE', `"${path}" is not an sse-bench Dify state file (schema ${DIFY_STATE_SCHEMA}); ${FIX}`);
  }
  if (value.complete !== true) {
    const at = typeof value.stoppedAt === 'string' && value.stoppedAt !== '' ? ` (it stopped at step "${value.stoppedAt}")` : '';
    throw new ConfigError('DIFY_STATE', `"${path}" is from an unfinished \`npm run setup:dify\`${at}; ${FIX}`);
  }
  const { baseUrl, apiKey, appMode } = value;
  const target = targetForAppMode(typeof appMode === 'string' ? appMode : null);
  if (typeof baseUrl !== 'string' || baseUrl === '' || typeof apiKey !== 'string' || apiKey === '' || target === null) {
    throw new ConfigError('DIFY_STATE', `"${path}" lacks baseUrl, apiKey or a workflow/chat appMode; ${FIX}`);
  }
  return { baseUrl: normUrl(baseUrl), apiKey, target };
}

/**
 * The key and base URL a run takes from the state file, or null when the file does not
 * apply (a key is set, TARGET or BASE_URL name something else, the pickup is off, or the
 * default file does not exist). `readFile` returns null for a missing file.
 * Throws ConfigError('DIFY_STATE') for an explicit DIFY_STATE that cannot be read, or a bad file.
 */
export function readDifyState(env: Env, readFile: (path: string) => string | null): DifyStateTarget | null {
  if (isEnvSet(env, 'API_KEY') || isEnvSet(env, 'DIFY_API_KEY')) return null;
  const { path, explicit } = difyStatePath(env);
  if (path === '') return null;
  const text = readFile(path);
  if (text === null) {
    if (!explicit) return null;
    throw new ConfigError('DIFY_STATE', `cannot read "${path}"; ${FIX}`);
  }
  const state = parseDifyStateTarget(text, path);
  if (isEnvSet(env, 'TARGET') && envValue(env, 'TARGET') !== state.target) return null;
  if (isEnvSet(env, 'BASE_URL') && normUrl(envValue(env, 'BASE_URL')) !== state.baseUrl) return null;
  return { path, ...state };
}

/**
 * `env` with BASE_URL and API_KEY filled in from the state file when it applies (else `env`
 * itself). The k6 script's entry: `loadConfig(withDifyState(__ENV, readOrNull(readFile)))`.
 */
export function withDifyState(env: Env, readFile: (path: string) => string | null): Env {
  const state = readDifyState(env, readFile);
  return state === null ? env : { ...env, BASE_URL: state.baseUrl, API_KEY: state.apiKey };
}

/** A reader that returns null instead of throwing (k6's `open` throws for a missing file). */
export function readOrNull(read: (path: string) => string): (path: string) => string | null {
  return (path) => {
    try {
      return read(path);
    } catch {
      return null;
    }
  };
}
