/**
 * The run's configuration, parsed once in the init context from k6's `__ENV`
 * by `loadConfig`. Every variable and its default is defined in lib/env-vars.ts;
 * a bad value throws `ConfigError` there, so k6 stops before any load is sent.
 * Pure: no k6 import (k6 has no `URL` or `path` either, so both are done by hand).
 */

import {
  BOOLEAN_VALUES,
  CONVERSATION_TARGETS,
  DATASET_ORDERS,
  JSON_CHECK_MODES,
  METHOD_NAMES,
  PROFILE_NAMES,
  SCENARIO_NAMES,
  TARGET_DEFAULTS,
  TARGET_NAMES,
  THRESHOLD_SET_NAMES,
  envVarDef,
  type DatasetOrder,
  type EnvVarName,
  type JsonCheckMode,
  type ProfileName,
  type ScenarioName,
  type TargetName,
} from '../env-vars';
import { parseGoDuration } from '../duration';
import type { DatasetInfo } from './dataset.ts';

// The names live in env-vars.ts (their one definition); re-exported here for the contract.
export { TARGET_NAMES, SCENARIO_NAMES, PROFILE_NAMES };
export type { TargetName, ScenarioName, ProfileName };

/** VUS / ITERATIONS / DURATION / RATE as given; `null` = the profile's number (lib/init/profiles.ts). */
export interface LoadOverrides {
  readonly vus: number | null;
  readonly iterations: number | null;
  readonly durationMs: number | null;
  readonly rate: number | null;
}

export const NO_OVERRIDES: LoadOverrides = { vus: null, iterations: null, durationMs: null, rate: null };

export interface Config {
  /** BASE_URL without a trailing slash; any path prefix kept. */
  readonly baseUrl: string;
  readonly target: TargetName;
  /** API_KEY or DIFY_API_KEY; '' when none. Never logged or written to a report. */
  readonly apiKey: string;
  /** Path appended to baseUrl: ENDPOINT, else the target's default. */
  readonly endpoint: string;
  /** baseUrl + endpoint. */
  readonly url: string;
  /** openai-chat model name. */
  readonly model: string;
  readonly userPrefix: string;
  /** generic target: HTTP method and body (other targets: 'POST' and ''). */
  readonly method: string;
  readonly body: string;
  /** generic target: stop after this many events (0 = until the server closes). */
  readonly maxEvents: number;
  /** STREAM_TIMEOUT as a Go duration string for sse.open's `timeout`, and in ms. */
  readonly streamTimeout: string;
  readonly streamTimeoutMs: number;
  /** Event types that end a stream (TERMINAL_EVENTS, else the target's default). */
  readonly terminalEvents: readonly string[];
  readonly profile: ProfileName;
  readonly scenarios: readonly ScenarioName[];
  /** QUESTIONS_FILE as a path k6's `open()` can read ('' = the built-in default questions). */
  readonly questionsFile: string;
  /** THRESHOLDS: a set name in thresholds/, or a path (relative ones already resolved against PWD). */
  readonly thresholds: string;
  readonly reportsDir: string;
  /** VUS / ITERATIONS / DURATION / RATE; absent = none (Config literals in tests may leave it out). */
  readonly load?: LoadOverrides;
  /** SLO_TTFE / SLO_TTFT / SLO_TPOT in ms (`null` = no limit); absent = none. Feed `sse_goodput`. */
  readonly slo?: StreamSlo;
  /** INTER_EVENT_SAMPLES: one `sse_inter_event_time` sample per event (absent = false). */
  readonly interEventSamples?: boolean;
  /** DATA_BYTES: count `sse_data_bytes` with k6/encoding (absent = false). */
  readonly dataBytes?: boolean;
  /** JSON_CHECK (absent = full). */
  readonly jsonCheck?: JsonCheckMode;
  /** DATASET, DATASET_ORDER, SEED, TURNS, THINK_TIME (absent = questions, one turn). */
  readonly workload?: WorkloadConfig;
  /** What DATASET held: set by lib/init/suite-init.ts once it read the file (reports show it). */
  readonly datasetInfo?: DatasetInfo;
  /** BREAKDOWN (lib/vu/breakdown.ts): per-stream times logged for the time breakdown; absent = off. */
  readonly breakdown?: boolean;
  /** CANCEL_RATE / CANCEL_AFTER (lib/vu/cancel.ts); absent or `null` = no stream is stopped. */
  readonly cancel?: CancelPlan | null;
}

/** What one iteration of the `stream` scenario sends: prompts from where, how many turns, what pause between them. */
export interface WorkloadConfig {
  /** DATASET as a path k6's `open()` can read ('' = QUESTIONS_FILE or the built-in questions). */
  readonly dataset: string;
  readonly datasetOrder: DatasetOrder;
  /** SEED of DATASET_ORDER=shuffled ('' = the default seed). */
  readonly seed: string;
  /** TURNS: turns per conversation (1 = one request per iteration, as without conversations). */
  readonly turns: number;
  /** THINK_TIME in ms, `[min, max]` (equal for a fixed pause); `null` = none. */
  readonly thinkTimeMs: readonly [number, number] | null;
}

/** The workload without DATASET, TURNS or THINK_TIME. */
export const NO_WORKLOAD: WorkloadConfig = { dataset: '', datasetOrder: 'sequential', seed: '', turns: 1, thinkTimeMs: null };

/** True when iterations go through the conversation runner (lib/vu/conversation.ts): a dataset or more than one turn. */
export function usesConversations(w: WorkloadConfig | undefined): boolean {
  return w !== undefined && (w.dataset !== '' || w.turns > 1);
}

/** Per-stream limits of `sse_goodput`, in milliseconds; `null` = no limit. */
export interface StreamSlo {
  readonly ttfeMs: number | null;
  readonly ttftMs: number | null;
  readonly tpotMs: number | null;
}

/**
 * CANCEL_RATE / CANCEL_AFTER: which streams of the `stream` scenario the client stops, when, and how.
 * Exactly one of `afterTokens` and `afterMs` is set.
 */
export interface CancelPlan {
  /** Share of streams stopped, in (0, 1]. */
  readonly rate: number;
  /** Stop once this many content events (tokens) arrived; `null` when the stop is timed. */
  readonly afterTokens: number | null;
  /** Stop at the first event at least [min, max] ms (drawn per stream) after the request started; `null` when counted in tokens. */
  readonly afterMs: readonly [number, number] | null;
  /**
   * Dify's stop request: URL = `stopPrefix + task_id + stopSuffix` (`POST`, `{"user": …}`). `''` (openai-chat,
   * generic): the client closes the connection instead, as OpenAI-compatible clients do.
   */
  readonly stopPrefix: string;
  readonly stopSuffix: string;
}

/** A bad setting: the message names the variable and the accepted values. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

/** The value of a variable from ENV_VARS: trimmed; unset or blank gives its default. */
function read(env: Env, name: EnvVarName): string {
  const value = env[name]?.trim() ?? '';
  return value === '' ? envVarDef(name).default : value;
}

/** True when the user set the variable (to something not blank). */
function isSet(env: Env, name: EnvVarName): boolean {
  return (env[name]?.trim() ?? '') !== '';
}

function list(values: readonly string[]): string {
  return values.join(', ');
}

function oneOf<T extends string>(env: Env, name: EnvVarName, accepted: readonly T[], what: string, normalize = (v: string) => v): T {
  const value = read(env, name);
  const normalized = normalize(value);
  if ((accepted as readonly string[]).includes(normalized)) return normalized as T;
  throw new ConfigError(name, `unknown ${what} "${value}"; accepted: ${list(accepted)}`);
}

function positiveInteger(env: Env, name: EnvVarName): number | null {
  const value = read(env, name);
  if (value === '') return null;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n <= 0) {
    throw new ConfigError(name, `"${value}" is not a positive integer; expected e.g. ${name}=10`);
  }
  return n;
}

function positiveDuration(env: Env, name: EnvVarName): { text: string; ms: number } | null {
  const text = read(env, name);
  if (text === '') return null;
  const ms = parseGoDuration(text);
  if (ms === undefined || ms <= 0) {
    throw new ConfigError(name, `"${text}" is not a positive Go duration; expected e.g. 30s, 1500ms, 1m30s (units: ns, us, ms, s, m, h)`);
  }
  return { text, ms };
}

const RATE_SHAPE = /^(?:0(?:\.\d+)?|1(?:\.0+)?|\.\d+)$/;

/** Dify's stop endpoint beside the stream's: `…/workflows/run` → `…/workflows/tasks/<id>/stop`, `…/chat-messages` → `…/chat-messages/<id>/stop`. */
function stopUrl(target: TargetName, url: string): { prefix: string; suffix: string } {
  if (target === 'openai-chat' || target === 'generic') return { prefix: '', suffix: '' };
  const path = url.replace(/[?#].*$/, '');
  if (target === 'dify-workflow' && path.endsWith('/workflows/run')) return { prefix: `${path.slice(0, -'run'.length)}tasks/`, suffix: '/stop' };
  if (target === 'dify-chat' && path.endsWith('/chat-messages')) return { prefix: `${path}/`, suffix: '/stop' };
  const shape = target === 'dify-workflow' ? '/workflows/run' : '/chat-messages';
  throw new ConfigError('CANCEL_RATE', `the stop request of TARGET=${target} is sent beside its stream endpoint, which must end in ${shape}; ENDPOINT gives ${hideSecrets(url)}`);
}

/** CANCEL_RATE and CANCEL_AFTER; `null` when no stream is stopped. */
function cancelPlan(env: Env, target: TargetName, url: string, scenarioNames: readonly ScenarioName[]): CancelPlan | null {
  const text = read(env, 'CANCEL_RATE');
  if (text === '') {
    if (isSet(env, 'CANCEL_AFTER')) throw new ConfigError('CANCEL_AFTER', 'only used with CANCEL_RATE; set CANCEL_RATE (e.g. 0.3) or unset CANCEL_AFTER');
    return null;
  }
  if (!RATE_SHAPE.test(text)) throw new ConfigError('CANCEL_RATE', `"${text}" is not a number from 0 to 1; expected e.g. CANCEL_RATE=0.3`);
  const rate = Number(text);
  if (rate === 0) return null;
  if (!scenarioNames.includes('stream')) {
    throw new ConfigError('CANCEL_RATE', 'stops streams of the stream scenario only, and SCENARIOS does not select it; add stream to SCENARIOS or unset CANCEL_RATE');
  }
  const after = read(env, 'CANCEL_AFTER');
  const { prefix, suffix } = stopUrl(target, url);
  const plan = (afterTokens: number | null, afterMs: readonly [number, number] | null): CancelPlan => ({ rate, afterTokens, afterMs, stopPrefix: prefix, stopSuffix: suffix });
  if (/^\d+$/.test(after)) {
    const n = Number(after);
    if (!Number.isSafeInteger(n) || n <= 0) throw new ConfigError('CANCEL_AFTER', `"${after}" tokens: expected a positive integer, e.g. CANCEL_AFTER=5`);
    return plan(n, null);
  }
  const parts = after.split('-');
  const ms = parts.map((p) => parseGoDuration(p.trim()));
  const bad = (): ConfigError =>
    new ConfigError('CANCEL_AFTER', `"${after}" is neither a number of tokens nor a time; expected e.g. CANCEL_AFTER=5 (tokens), 800ms, or a range 500ms-2s (Go durations)`);
  if (parts.length > 2 || ms.some((m) => m === undefined || m <= 0)) throw bad();
  const [min, max] = [ms[0] as number, (ms[1] ?? ms[0]) as number];
  if (max < min) throw new ConfigError('CANCEL_AFTER', `"${after}": the range ends before it starts; expected e.g. 500ms-2s`);
  return plan(null, [min, max]);
}

function breakdown(env: Env, target: TargetName, scenarioNames: readonly ScenarioName[]): boolean {
  if (oneOf(env, 'BREAKDOWN', BOOLEAN_VALUES, 'value', (v) => v.toLowerCase()) !== 'true') return false;
  if (target === 'generic') throw new ConfigError('BREAKDOWN', 'needs a question that reaches the model (TARGET dify-workflow, dify-chat or openai-chat), but TARGET is generic; unset BREAKDOWN');
  if (!scenarioNames.includes('stream')) throw new ConfigError('BREAKDOWN', 'breaks down streams of the stream scenario only, and SCENARIOS does not select it; add stream to SCENARIOS or unset BREAKDOWN');
  return true;
}

function commaList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** A URL as shown in an error: user info, query and fragment (where keys hide) replaced by `***`. */
function hideSecrets(url: string): string {
  return url.replace(/\/\/[^/]*@/, '//***@').replace(/([?#]).*$/, '$1***');
}

const URL_SHAPE = /^https?:\/\/[^\s/?#@]+(?:\/[^\s?#]*)?$/i;

function baseUrl(env: Env): string {
  const value = read(env, 'BASE_URL');
  if (!URL_SHAPE.test(value)) {
    // Credentials and query strings (`?api_key=…`) are not echoed into the log; API_KEY is the way to authenticate.
    const shown = hideSecrets(value);
    throw new ConfigError(
      'BASE_URL',
      `"${shown}" is not an http(s) URL without credentials, query or fragment; expected e.g. http://localhost:5001 or https://api.example.com/prefix`,
    );
  }
  return value.replace(/\/+$/, '');
}

function endpoint(env: Env, target: TargetName, base: string): string {
  if (!isSet(env, 'ENDPOINT')) {
    const path = TARGET_DEFAULTS[target].endpoint;
    // Dify and OpenAI docs write the base URL with /v1: do not send /v1/v1/...
    return /\/v1$/i.test(base) && path.startsWith('/v1/') ? path.slice('/v1'.length) : path;
  }
  const value = read(env, 'ENDPOINT');
  if (/^[a-z][a-z0-9+.-]*:/i.test(value)) {
    throw new ConfigError('ENDPOINT', `"${hideSecrets(value)}" is a URL; ENDPOINT is the path after BASE_URL (e.g. /v1/chat-messages): put the server in BASE_URL`);
  }
  return value.startsWith('/') ? value : `/${value}`;
}

/** Rejects a variable that only one target uses, so a forgotten TARGET is caught. */
function onlyFor(env: Env, name: EnvVarName, target: TargetName, needed: TargetName): void {
  if (target !== needed && isSet(env, name)) {
    throw new ConfigError(name, `only used with TARGET=${needed}, but TARGET is ${target}; unset ${name} or set TARGET=${needed}`);
  }
}

/** True for `C:\x`, `C:/x`, `\\server\x` and `/x`. */
function isAbsolutePath(path: string): boolean {
  return path.startsWith('/') || path.startsWith('\\\\') || /^[A-Za-z]:[\\/]/.test(path);
}

/** A THRESHOLDS value that names a file rather than a bundled set. */
export function isPathLike(value: string): boolean {
  return /[\\/]/.test(value) || value.toLowerCase().endsWith('.json');
}

/** Joins a relative path onto a directory, folding `.` and `..` segments. */
export function resolvePath(dir: string, relative: string): string {
  const separator = dir.includes('\\') && !dir.includes('/') ? '\\' : '/';
  const parts = dir.split(/[\\/]+/);
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  for (const segment of relative.split(/[\\/]+/)) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (parts.length > 1) parts.pop();
    } else {
      parts.push(segment);
    }
  }
  const joined = parts.join(separator);
  return joined === '' ? separator : joined;
}

/**
 * A user path as `open()` needs it: k6 resolves relative paths against the
 * script (build/), not the working directory, so they are resolved here
 * against PWD (k6 passes the shell environment into __ENV).
 */
function userPath(env: Env, name: EnvVarName, path: string): string {
  if (isAbsolutePath(path)) return path;
  const pwd = read(env, 'PWD');
  if (pwd === '' || !isAbsolutePath(pwd)) {
    throw new ConfigError(
      name,
      `relative path "${path}" needs PWD to resolve against (k6 would resolve it against the script in build/, not the directory you run k6 in), and PWD is ${pwd === '' ? 'not set' : `"${pwd}", not an absolute path`}; give an absolute path, or pass -e PWD="$PWD"`,
    );
  }
  return resolvePath(pwd, path);
}

/** DIFY_STATE's value that turns the state-file pickup off. */
export const DIFY_STATE_OFF = 'none';

/**
 * Where the state file of `npm run setup:dify` is looked for ('' = nowhere): DIFY_STATE
 * (relative paths resolved against PWD, as for QUESTIONS_FILE). The default path is only
 * looked for when PWD is usable, so a run without PWD is not an error; an explicit relative
 * DIFY_STATE without PWD is.
 */
export function difyStatePath(env: Env): { path: string; explicit: boolean } {
  const explicit = isSet(env, 'DIFY_STATE');
  const value = read(env, 'DIFY_STATE');
  if (value.toLowerCase() === DIFY_STATE_OFF) return { path: '', explicit };
  if (explicit || isAbsolutePath(value)) return { path: userPath(env, 'DIFY_STATE', value), explicit };
  const pwd = read(env, 'PWD');
  return { path: isAbsolutePath(pwd) ? resolvePath(pwd, value) : '', explicit };
}

/** True when the user set the variable (to something not blank): explicit settings win over the state file. */
export function isEnvSet(env: Env, name: EnvVarName): boolean {
  return isSet(env, name);
}

/** A variable as loadConfig sees it: trimmed, the default when unset or blank. */
export function envValue(env: Env, name: EnvVarName): string {
  return read(env, name);
}

function thresholds(env: Env): string {
  const value = read(env, 'THRESHOLDS');
  if (isPathLike(value)) return userPath(env, 'THRESHOLDS', value);
  if ((THRESHOLD_SET_NAMES as readonly string[]).includes(value)) return value;
  throw unknownThresholdSet(value);
}

/** THRESHOLDS names neither a bundled set nor a file. */
export function unknownThresholdSet(value: string): ConfigError {
  return new ConfigError(
    'THRESHOLDS',
    `unknown threshold set "${value}"; accepted: ${list(THRESHOLD_SET_NAMES)}, or a path to a JSON file (containing / or ending in .json)`,
  );
}

function scenarios(env: Env): ScenarioName[] {
  const names = commaList(read(env, 'SCENARIOS'));
  if (names.length === 0) {
    throw new ConfigError('SCENARIOS', `names no scenario; accepted: a comma-separated list of ${list(SCENARIO_NAMES)}`);
  }
  for (const name of names) {
    if (!(SCENARIO_NAMES as readonly string[]).includes(name)) {
      throw new ConfigError('SCENARIOS', `unknown scenario "${name}"; accepted: a comma-separated list of ${list(SCENARIO_NAMES)}`);
    }
  }
  return SCENARIO_NAMES.filter((s) => names.includes(s));
}

function terminalEvents(env: Env, target: TargetName): readonly string[] {
  if (!isSet(env, 'TERMINAL_EVENTS')) return TARGET_DEFAULTS[target].terminalEvents;
  const names = commaList(read(env, 'TERMINAL_EVENTS'));
  if (names.length === 0) {
    throw new ConfigError('TERMINAL_EVENTS', `names no event; expected a comma-separated list such as workflow_finished,error (unset it for the target's default)`);
  }
  return names;
}

/** THINK_TIME: `2s` or `1s-3s` (each part a Go duration ≥ 0, the range not reversed). */
function thinkTime(env: Env): readonly [number, number] | null {
  const text = read(env, 'THINK_TIME');
  if (text === '') return null;
  const bad = (): never => {
    throw new ConfigError('THINK_TIME', `"${text}" is not a Go duration or a range of two; expected e.g. THINK_TIME=2s or THINK_TIME=1s-3s`);
  };
  // A range splits at the `-` between two durations (a Go duration may start with a sign: not accepted here).
  const dash = text.indexOf('-');
  const parts = dash < 0 ? [text, text] : [text.slice(0, dash).trim(), text.slice(dash + 1).trim()];
  const low = parseGoDuration(parts[0] ?? '');
  const high = parseGoDuration(parts[1] ?? '');
  if (low === undefined || high === undefined || low < 0 || high < 0 || /^[+-]/.test(parts[1] ?? '')) return bad();
  if (high < low) throw new ConfigError('THINK_TIME', `"${text}": the range ends before it starts; expected low-high, e.g. 1s-3s`);
  return [low, high];
}

function workload(env: Env, target: TargetName): WorkloadConfig {
  const dataset = isSet(env, 'DATASET') ? userPath(env, 'DATASET', read(env, 'DATASET')) : '';
  if (dataset !== '' && isSet(env, 'QUESTIONS_FILE')) {
    throw new ConfigError('DATASET', 'and QUESTIONS_FILE are both set; a run takes its prompts from one of them: unset one');
  }
  if (dataset !== '' && target === 'generic') {
    throw new ConfigError('DATASET', 'TARGET=generic sends BODY as it is and has no prompt to fill; use DATASET with TARGET=dify-workflow, dify-chat or openai-chat');
  }
  const datasetOrder = oneOf(env, 'DATASET_ORDER', DATASET_ORDERS, 'order', (v) => v.toLowerCase());
  if (dataset === '' && isSet(env, 'DATASET_ORDER')) throw new ConfigError('DATASET_ORDER', 'only used with DATASET; set DATASET or unset DATASET_ORDER');
  if (isSet(env, 'SEED') && datasetOrder !== 'shuffled') {
    throw new ConfigError('SEED', 'only used with DATASET_ORDER=shuffled (it seeds the shuffle); set DATASET_ORDER=shuffled or unset SEED');
  }
  const turns = positiveInteger(env, 'TURNS') ?? 1;
  if (turns > 1 && !(CONVERSATION_TARGETS as readonly string[]).includes(target)) {
    throw new ConfigError('TURNS', `${turns} turns need a target that keeps a conversation (${list(CONVERSATION_TARGETS)}), but TARGET is ${target}${target === 'dify-workflow' ? ': a workflow run has no conversation (use a chat or chatflow app with TARGET=dify-chat)' : ''}; unset TURNS or change TARGET`);
  }
  const think = thinkTime(env);
  if (think !== null && turns === 1) throw new ConfigError('THINK_TIME', 'is the pause between two turns, and TURNS is 1; set TURNS (e.g. TURNS=4) or unset THINK_TIME');
  return { dataset, datasetOrder, seed: read(env, 'SEED'), turns, thinkTimeMs: think };
}

/**
 * Parses and validates the whole configuration. Reads only the variables in
 * ENV_VARS. Throws ConfigError naming the variable and the accepted values.
 */
export function loadConfig(env: Env): Config {
  const base = baseUrl(env);
  const target = oneOf(env, 'TARGET', TARGET_NAMES, 'target');
  const path = endpoint(env, target, base);

  onlyFor(env, 'MODEL', target, 'openai-chat');
  for (const name of ['METHOD', 'BODY', 'MAX_EVENTS'] as const) onlyFor(env, name, target, 'generic');
  const generic = target === 'generic';
  const method = generic ? oneOf(env, 'METHOD', METHOD_NAMES, 'method', (v) => v.toUpperCase()) : 'POST';

  const timeout = positiveDuration(env, 'STREAM_TIMEOUT');
  if (timeout === null) throw new Error('ENV_VARS gives STREAM_TIMEOUT no default'); // unreachable
  const duration = positiveDuration(env, 'DURATION');
  const apiKey = read(env, 'API_KEY') || read(env, 'DIFY_API_KEY');
  const scenarioNames = scenarios(env);

  return {
    baseUrl: base,
    target,
    apiKey,
    endpoint: path,
    url: base + path,
    model: read(env, 'MODEL'),
    userPrefix: read(env, 'USER_PREFIX'),
    method,
    body: generic ? read(env, 'BODY') : '',
    maxEvents: positiveInteger(env, 'MAX_EVENTS') ?? 0,
    streamTimeout: timeout.text,
    streamTimeoutMs: timeout.ms,
    terminalEvents: terminalEvents(env, target),
    profile: oneOf(env, 'PROFILE', PROFILE_NAMES, 'profile'),
    scenarios: scenarioNames,
    questionsFile: isSet(env, 'QUESTIONS_FILE') ? userPath(env, 'QUESTIONS_FILE', read(env, 'QUESTIONS_FILE')) : '',
    thresholds: thresholds(env),
    reportsDir: read(env, 'REPORTS_DIR').replace(/(.)[\\/]+$/, '$1'),
    load: {
      vus: positiveInteger(env, 'VUS'),
      iterations: positiveInteger(env, 'ITERATIONS'),
      durationMs: duration?.ms ?? null,
      rate: positiveInteger(env, 'RATE'),
    },
    slo: {
      ttfeMs: positiveDuration(env, 'SLO_TTFE')?.ms ?? null,
      ttftMs: positiveDuration(env, 'SLO_TTFT')?.ms ?? null,
      tpotMs: positiveDuration(env, 'SLO_TPOT')?.ms ?? null,
    },
    interEventSamples: oneOf(env, 'INTER_EVENT_SAMPLES', BOOLEAN_VALUES, 'value', (v) => v.toLowerCase()) === 'true',
    dataBytes: oneOf(env, 'DATA_BYTES', BOOLEAN_VALUES, 'value', (v) => v.toLowerCase()) === 'true',
    jsonCheck: oneOf(env, 'JSON_CHECK', JSON_CHECK_MODES, 'mode', (v) => v.toLowerCase()),
    workload: workload(env, target),
    cancel: cancelPlan(env, target, base + path, scenarioNames),
    breakdown: breakdown(env, target, scenarioNames),
  };
}
