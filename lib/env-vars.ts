/**
 * Every environment variable the k6 script reads (`k6 run -e NAME=value` or the
 * shell environment): the one definition. `loadConfig` reads only these names
 * and takes its defaults from here; the README table is rendered from here
 * (lib/docs-tables.ts) and checked against it by a test.
 *
 * The accepted names of targets, scenarios, profiles and threshold sets live
 * here too (lib/init/config.ts re-exports them), so this module depends on nothing
 * at run time and config.ts can import it without an import cycle.
 */

export const TARGET_NAMES = ['dify-workflow', 'dify-chat', 'openai-chat', 'generic'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

export const SCENARIO_NAMES = ['stream', 'burst'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export const PROFILE_NAMES = ['smoke', 'default', 'light', 'normal', 'heavy', 'stress', 'open'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/** Threshold sets bundled from `thresholds/<name>.json` (lib/init/thresholds.ts). */
export const THRESHOLD_SET_NAMES = ['default', 'strict', 'none'] as const;
export type ThresholdSetName = (typeof THRESHOLD_SET_NAMES)[number];

/** HTTP methods the generic target may use (METHOD). */
export const METHOD_NAMES = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** Values of the on/off settings (INTER_EVENT_SAMPLES, DATA_BYTES). */
export const BOOLEAN_VALUES = ['true', 'false'] as const;

/** How content events are checked for valid JSON (JSON_CHECK). */
export const JSON_CHECK_MODES = ['full', 'structural'] as const;
export type JsonCheckMode = (typeof JSON_CHECK_MODES)[number];

/** How DATASET records are taken (DATASET_ORDER). */
export const DATASET_ORDERS = ['sequential', 'shuffled'] as const;
export type DatasetOrder = (typeof DATASET_ORDERS)[number];

/** The targets that hold a conversation (TURNS > 1). */
export const CONVERSATION_TARGETS = ['dify-chat', 'openai-chat'] as const;

/** What a target uses when ENDPOINT / TERMINAL_EVENTS are unset. */
export interface TargetDefaults {
  readonly endpoint: string;
  readonly terminalEvents: readonly string[];
}

export const TARGET_DEFAULTS: Readonly<Record<TargetName, TargetDefaults>> = {
  'dify-workflow': { endpoint: '/v1/workflows/run', terminalEvents: ['workflow_finished', 'error'] },
  // A chatflow app sends workflow_finished after message_end: the answer is complete at message_end,
  // and the client reads on to workflow_finished (lib/vu/target-dify.ts) to check its status.
  'dify-chat': { endpoint: '/v1/chat-messages', terminalEvents: ['message_end', 'error'] },
  // `data: [DONE]` (an unnamed event whose data is [DONE]).
  'openai-chat': { endpoint: '/v1/chat/completions', terminalEvents: ['[DONE]'] },
  // Ends when the server closes the stream, or after MAX_EVENTS events.
  generic: { endpoint: '', terminalEvents: [] },
};

export interface EnvVarDef {
  readonly name: string;
  /** Value used when the variable is unset or empty ('' = none; see the description). */
  readonly default: string;
  /** One paragraph for the README table. */
  readonly description: string;
  /** The complete list of accepted values, when there is one. */
  readonly accepted?: readonly string[];
}

function perTarget(pick: (d: TargetDefaults) => string): string {
  return TARGET_NAMES.map((t) => {
    const value = pick(TARGET_DEFAULTS[t]);
    return `${t} ${value === '' ? '(none)' : `\`${value}\``}`;
  }).join(', ');
}

export const ENV_VARS = [
  {
    name: 'BASE_URL',
    default: 'http://localhost:5001',
    description:
      'http(s) URL of the server. A path prefix is kept (`https://host/dify`); a trailing `/v1` is not repeated when the default ENDPOINT also starts with `/v1/`.',
  },
  {
    name: 'TARGET',
    default: 'dify-workflow',
    description: 'Which API is benchmarked: request body, endpoint and how events are read.',
    accepted: TARGET_NAMES,
  },
  {
    name: 'API_KEY',
    default: '',
    description: 'Sent as `Authorization: Bearer <key>`; unset = no Authorization header. Never written to logs or reports.',
  },
  { name: 'DIFY_API_KEY', default: '', description: 'Used when API_KEY is unset (the seed suite’s name).' },
  {
    name: 'ENDPOINT',
    default: '',
    description: `Path (optionally with a query) appended to BASE_URL. Unset, per TARGET: ${perTarget((d) => d.endpoint)}.`,
  },
  { name: 'MODEL', default: 'mock-gpt', description: '`model` of the request body; TARGET=openai-chat only.' },
  {
    name: 'QUESTIONS_FILE',
    default: '',
    description:
      'Text file, one question per non-blank line, read once in the init context. Unset: the seed’s five questions. Relative paths are resolved against PWD.',
  },
  {
    name: 'DATASET',
    default: '',
    description:
      'JSON Lines file of prompts, read and validated once in the init context (a bad line stops the run with its line number): `{"prompt": "…", "max_tokens": 64}` records, or ShareGPT-style `{"conversations": [{"from": "human", "value": "…"}, {"from": "gpt", "value": "…"}, …]}` records whose human turns are the turns of a conversation (TURNS). `max_tokens` (optional) goes into the request: OpenAI `max_tokens`, Dify `inputs.max_tokens`. Replaces QUESTIONS_FILE; not with TARGET=generic. Shipped: `datasets/synthetic-chat.jsonl`. Relative paths are resolved against PWD.',
  },
  {
    name: 'DATASET_ORDER',
    default: 'sequential',
    description: 'How DATASET records are taken: `sequential` (conversation n gets record n, wrapping around), `shuffled` (the same, in an order shuffled once per test with SEED). DATASET only.',
    accepted: DATASET_ORDERS,
  },
  { name: 'SEED', default: '', description: 'Any text: the seed of DATASET_ORDER=shuffled (same seed, same order). Unset: `sse-bench`. DATASET_ORDER=shuffled only.' },
  {
    name: 'TURNS',
    default: '1',
    description:
      'Positive integer: turns per conversation; one iteration of the `stream` scenario is one conversation. TARGET=dify-chat sends the first turn without `conversation_id` and the later ones with the id its stream returned (`message_end`); openai-chat sends the whole history in `messages`, the assistant\'s streamed answers included. A failed turn ends the conversation. TARGET=dify-chat and openai-chat only (a workflow has no conversation); the `burst` scenario sends single turns.',
  },
  {
    name: 'THINK_TIME',
    default: '',
    description: 'Go duration (`2s`) or range (`1s-3s`, uniform) slept between two turns of a conversation, as a user reads before replying. Unset: none. TURNS > 1 only.',
  },
  { name: 'USER_PREFIX', default: 'sse-bench', description: 'Prefix of the `user` identifier sent with each request.' },
  { name: 'METHOD', default: 'GET', description: 'HTTP method; TARGET=generic only.', accepted: METHOD_NAMES },
  { name: 'BODY', default: '', description: 'Request body sent as is; TARGET=generic only.' },
  {
    name: 'MAX_EVENTS',
    default: '',
    description: 'Positive integer: close the stream after this many events (a success); TARGET=generic only. Unset: read until the server closes.',
  },
  { name: 'PROFILE', default: 'default', description: 'Load shape; see the profiles table.', accepted: PROFILE_NAMES },
  { name: 'VUS', default: '', description: 'Positive integer overriding the profile’s VUs (total over the selected scenarios; PROFILE=open: pre-allocated and maximum VUs).' },
  { name: 'ITERATIONS', default: '', description: 'Positive integer overriding the profile’s iterations (shared-iterations profiles).' },
  { name: 'DURATION', default: '', description: 'Go duration (`30s`, `2m`) overriding the profile’s duration (PROFILE default and open).' },
  { name: 'RATE', default: '', description: 'Positive integer: iterations started per second (PROFILE=open; default 10).' },
  {
    name: 'SCENARIOS',
    default: 'stream,burst',
    description: 'Comma-separated scenarios to run; the profile’s VUs, iterations and rate are split between them.',
    accepted: SCENARIO_NAMES,
  },
  {
    name: 'THRESHOLDS',
    default: 'default',
    description:
      'A threshold set bundled from `thresholds/<name>.json`, or a path to a JSON file (contains `/` or ends in `.json`; relative paths are resolved against PWD).',
    accepted: THRESHOLD_SET_NAMES,
  },
  { name: 'REPORTS_DIR', default: 'reports', description: 'Directory the report files are written to (relative to where k6 runs).' },
  {
    name: 'STREAM_TIMEOUT',
    default: '60s',
    description: 'Go duration (`30s`, `1500ms`, `1m30s`): deadline of one whole stream, headers and body; a stream still open then ends as `timeout`.',
  },
  {
    name: 'TERMINAL_EVENTS',
    default: '',
    description: `Comma-separated event names that end a stream (\`[DONE]\` = OpenAI's \`data: [DONE]\`). Unset, per TARGET: ${perTarget((d) => d.terminalEvents.join(','))}: generic ends when the server closes or after MAX_EVENTS; after a chatflow's \`message_end\` the client reads on to its \`workflow_finished\`.`,
  },
  {
    name: 'SLO_TTFE',
    default: '',
    description:
      'Go duration: per-stream time-to-first-event limit for `sse_goodput` (a stream counts as goodput when it succeeded and met every SLO_* limit). Unset: no TTFE limit. The capacity sweep sets it from its `--slo`.',
  },
  { name: 'SLO_TTFT', default: '', description: 'Go duration: per-stream time-to-first-token limit for `sse_goodput`; a stream without a content event fails it. Unset: no TTFT limit.' },
  {
    name: 'SLO_TPOT',
    default: '',
    description: 'Go duration: per-stream limit on the mean time per output token after the first (`llm_time_per_output_token`) for `sse_goodput`. Unset: no TPOT limit.',
  },
  {
    name: 'INTER_EVENT_SAMPLES',
    default: 'false',
    description:
      '`true`: also record one `sse_inter_event_time` sample per event (the full gap distribution). k6 keeps every Trend sample until the end of the test: ~40–54 bytes per event (a 1-hour run at 20,000 events/s holds ~3 GB). Default: per-stream gap figures only (`sse_stream_gap_mean`, `sse_stream_gap_max`).',
    accepted: BOOLEAN_VALUES,
  },
  {
    name: 'DATA_BYTES',
    default: 'false',
    description:
      '`true`: count `sse_data_bytes` (exact UTF-8 bytes of event data, one sample per stream) with k6\'s native `k6/encoding`, ~2 µs per event in k6. Default: not counted; the data volume in reports is k6\'s own `data_received` (bytes on the wire), free.',
    accepted: BOOLEAN_VALUES,
  },
  {
    name: 'JSON_CHECK',
    default: 'full',
    description:
      '`full`: `JSON.parse` every event with data (one parse per event, as any script that reads the stream does), so a payload cut anywhere — even at its last character — is `invalid_json`. `structural`: cheaper, not exact: content events (the bulk of a stream) are only checked to end with `}`, events whose fields matter (ends, errors, usage, node times) are still parsed.',
    accepted: JSON_CHECK_MODES,
  },
  {
    name: 'CANCEL_RATE',
    default: '',
    description:
      'Number from 0 to 1: the share of `stream`-scenario streams the client stops, the way the target\'s users do: Dify targets send `POST …/workflows/tasks/<task_id>/stop` or `POST …/chat-messages/<task_id>/stop` (`{"user": …}`, the task id from the stream\'s first event) and read on to the stream\'s end; openai-chat and generic close the connection. Which streams: a hash of the iteration number (the same ones on every run). Cancelled streams count in `sse_streams_cancelled`, `sse_stream_cancelled` and `sse_stop_latency`, never as success or error. Unset or 0: nothing is stopped and nothing of it runs in a VU.',
  },
  {
    name: 'CANCEL_AFTER',
    default: '5',
    description:
      'When a cancelled stream is stopped: a positive integer = after that many content events (tokens, e.g. `5`); a Go duration (`800ms`) or a range of two (`500ms-2s`, drawn per stream from the iteration\'s hash) = that long after the request started, acted on at the first event from then on (a handler runs only when an event arrives). Only with CANCEL_RATE.',
  },
  {
    name: 'BREAKDOWN',
    default: 'false',
    description:
      '`true`: the time breakdown of each stream when the embedded mock is the model behind the target (`npm run bench -- --model-log <mock URL>`): the `stream` scenario appends a marker ` [sb-<iteration>]` to each question (Dify passes the question into the LLM prompt, so the mock can tell which stream a model request belongs to), takes one more `Date.now()` per content event and logs one line per stream (`sse-bench breakdown {…}`: request start, each token\'s arrival, the end event); the bench CLI joins them with the mock\'s model log into before-model, model TTFT, relay per token and after-model times. Not for `generic`.',
    accepted: BOOLEAN_VALUES,
  },
  {
    name: 'DIFY_STATE',
    default: '.sse-bench/dify.json',
    description:
      'State file written by `npm run setup:dify`. Read only when API_KEY and DIFY_API_KEY are unset, TARGET is unset or `dify-workflow`, and BASE_URL is unset or equal to the file’s: then its API key and base URL are used (explicit variables > this file > defaults). A missing file at the default path is ignored; `none` turns the pickup off. Relative paths are resolved against PWD.',
  },
  {
    name: 'PWD',
    default: '',
    description: 'Set by the shell (k6 passes its environment): the directory relative QUESTIONS_FILE, DATASET, THRESHOLDS and DIFY_STATE paths are resolved against.',
  },
] as const satisfies readonly EnvVarDef[];

export type EnvVarName = (typeof ENV_VARS)[number]['name'];

const BY_NAME: ReadonlyMap<string, EnvVarDef> = new Map(ENV_VARS.map((v) => [v.name, v]));

export function envVarDef(name: EnvVarName): EnvVarDef {
  const def = BY_NAME.get(name);
  if (def === undefined) throw new Error(`${name} is not in ENV_VARS`); // unreachable: EnvVarName is derived from ENV_VARS
  return def;
}
