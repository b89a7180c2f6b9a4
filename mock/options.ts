import { FAULTS, FAULT_NAMES, type FaultName, type FaultRates } from './faults.ts';
import { TEXT_KINDS, type TextKind } from './text.ts';
import { parseGoDuration } from '../lib/duration.ts';

/**
 * The one definition of every mock-server knob: its flag, environment variable, per-request
 * `X-Mock-*` header, default and description. `--help`, the docs table and all parsing
 * derive from KNOBS.
 */

export const JITTER_KINDS = ['none', 'uniform', 'exponential'] as const;
export type JitterKind = (typeof JITTER_KINDS)[number];
export const SCHEDULERS = ['tick', 'timers'] as const;
export type SchedulerKind = (typeof SCHEDULERS)[number];
export const CHUNK_WRITERS = ['socket', 'response'] as const;
export const AFTER_CLIENT_LEFT = ['stop', 'generate'] as const;
export const ON_OFF = ['off', 'on'] as const;
export type AfterClientLeft = (typeof AFTER_CLIENT_LEFT)[number];
export type ChunkWriter = (typeof CHUNK_WRITERS)[number];

/** `--ttfe-step`: from `atMs` after the server started, every new request's first event (and token) comes `addMs` later. */
export interface TtfeStep {
  readonly atMs: number;
  readonly addMs: number;
}

export interface MockOptions {
  apiKey: string;
  ttfeMs: number;
  /** null: TTFE stays as set. */
  ttfeStep: TtfeStep | null;
  ttftMs: number;
  tokens: number;
  tokenIntervalMs: number;
  jitter: JitterKind;
  jitterMs: number;
  pingIntervalMs: number;
  seed: string;
  model: string;
  /** `--text`: English ASCII words or Chinese (raw UTF-8 in the JSON). */
  text: TextKind;
  fault: FaultName | 'none';
  faultRates: FaultRates;
  resetAfterEvents: number;
  retryAfterS: number;
  scheduler: SchedulerKind;
  tickSliceMs: number;
  chunkWriter: ChunkWriter;
  maxConcurrency: number;
  /** `--prefill-ms-per-1k-chars`: TTFT grows by this per 1,000 characters of the request's context. */
  prefillMsPer1kChars: number;
  /** `--stop-delay-ms`: a Dify stop request → the stopped stream's end events. */
  stopDelayMs: number;
  /** `--after-client-left`: what a stream does once its client went away. */
  afterClientLeft: AfterClientLeft;
  /** `--model-log`: record model requests carrying a BREAKDOWN marker (mock/model-log.ts). */
  modelLog: (typeof ON_OFF)[number];
}

/** Where a knob applies: `listen` (host/port, not per request), `server` (flag/env only), `request` (also a header). */
export type KnobScope = 'listen' | 'server' | 'request';

export type KnobKind =
  | { type: 'int'; min: number; max: number; unit: string }
  | { type: 'number'; min: number; max: number; unit: string }
  | { type: 'enum'; accepted: readonly string[] }
  | { type: 'string' }
  /** `<time>:<±delay>` (TtfeStep), or empty. */
  | { type: 'step' };

export interface KnobDef {
  /** kebab-case: flag `--name`, env `MOCK_NAME`, header `X-Mock-Name`. */
  name: string;
  scope: KnobScope;
  kind: KnobKind;
  default: string;
  description: string;
  /** Stores a parsed value; absent for `listen` knobs, which are not MockOptions. */
  set?: (o: MockOptions, value: number | string) => void;
}

export class MockOptionError extends Error {
  override name = 'MockOptionError';
}

/** An enum knob; parseKnobValue only lets values of `accepted` through, so `set` gets a T. */
function oneOf<T extends string>(
  name: string,
  scope: KnobScope,
  accepted: readonly T[],
  def: T,
  description: string,
  set: (o: MockOptions, v: T) => void,
): KnobDef {
  return { name, scope, kind: { type: 'enum', accepted }, default: def, description, set: (o, v) => set(o, v as T) };
}

const int = (name: string, scope: KnobScope, def: string, max: number, unit: string, description: string, set: (o: MockOptions, v: number) => void): KnobDef => ({
  name,
  scope,
  kind: { type: 'int', min: 0, max, unit },
  default: def,
  description,
  set: (o, v) => set(o, Number(v)),
});

const ms = (name: string, scope: KnobScope, def: string, max: number, description: string, set: (o: MockOptions, v: number) => void): KnobDef =>
  int(name, scope, def, max, 'ms', description, set);

const str = (name: string, scope: KnobScope, def: string, description: string, set: (o: MockOptions, v: string) => void): KnobDef => ({
  name,
  scope,
  kind: { type: 'string' },
  default: def,
  description,
  set: (o, v) => set(o, String(v)),
});

const faultRateKnobs: KnobDef[] = FAULTS.map((f) => ({
  name: `fault-${f.name.replace(/_/g, '-')}`,
  scope: 'request',
  kind: { type: 'number', min: 0, max: 1, unit: 'probability' },
  default: '0',
  description: `Probability of fault \`${f.name}\`: ${f.description}`,
  set: (o, v) => {
    o.faultRates = { ...o.faultRates, [f.name]: Number(v) };
  },
}));

export const KNOBS: readonly KnobDef[] = [
  { name: 'host', scope: 'listen', kind: { type: 'string' }, default: '127.0.0.1', description: 'Address to listen on.' },
  {
    name: 'port',
    scope: 'listen',
    kind: { type: 'int', min: 0, max: 65535, unit: 'port' },
    default: '5001',
    description: "Port to listen on (Dify's API port; 0 = any free port).",
  },
  str('api-key', 'server', '', 'When set, every API request needs `Authorization: Bearer <key>` (401 otherwise). Never logged.', (o, v) => (o.apiKey = v)),
  ms('ttfe-ms', 'request', '20', 600_000, 'Delay from the request to the first event (time to first event).', (o, v) => (o.ttfeMs = v)),
  {
    name: 'ttfe-step',
    scope: 'server',
    kind: { type: 'step' },
    default: '',
    description:
      'A step in TTFE at a given time: `10s:+200ms` = requests arriving 10 s or more after the server started get their first event (and first token) 200 ms later than `--ttfe-ms`/`--ttft-ms` say (`-` for earlier, never below 0). Empty: no step. For checking that a report shows when latency changed.',
    set: (o, v) => (o.ttfeStep = parseTtfeStep(String(v))),
  },
  ms(
    'ttft-ms',
    'request',
    '200',
    600_000,
    'Delay from the request to the first token event (time to first token); never earlier than the first event.',
    (o, v) => (o.ttftMs = v),
  ),
  int('tokens', 'request', '50', 100_000, 'count', 'Tokens per answer: one `text_chunk` / `message` / delta event each.', (o, v) => (o.tokens = v)),
  ms('token-interval-ms', 'request', '20', 60_000, 'Interval between two token events.', (o, v) => (o.tokenIntervalMs = v)),
  oneOf('jitter', 'request', JITTER_KINDS, 'none', 'Extra random delay added to each token interval: `uniform` in [0, jitter-ms), `exponential` with mean jitter-ms.', (o, v) => (o.jitter = v)),
  ms('jitter-ms', 'request', '0', 60_000, 'Scale of the jitter.', (o, v) => (o.jitterMs = v)),
  ms('ping-interval-ms', 'request', '10000', 3_600_000, 'Interval of `event: ping` keep-alives on Dify streams (0 = none).', (o, v) => (o.pingIntervalMs = v)),
  str(
    'seed',
    'request',
    '',
    'Random seed (any text). Empty: a random one per server. The token text and jitter are a function of the seed and the request prompt (not its `user`); ids and fault draws follow the order streams start in; the same `X-Mock-Seed` always gives the same ids, text, jitter and fault draws.',
    (o, v) => (o.seed = v),
  ),
  str('model', 'request', 'mock-gpt', 'Model name reported by the OpenAI endpoints.', (o, v) => (o.model = v)),
  oneOf(
    'text',
    'request',
    TEXT_KINDS,
    'ascii',
    'Language of the streamed tokens: `ascii` English words, `cjk` Chinese words sent as raw UTF-8 in the JSON (as OpenAI, vLLM and orjson-era Dify send them).',
    (o, v) => (o.text = v),
  ),
  oneOf<FaultName | 'none'>('fault', 'request', ['none', ...FAULT_NAMES], 'none', 'Inject this fault into every request (per request: `X-Mock-Fault: reset`). Overrides the probabilities.', (o, v) => (o.fault = v)),
  ...faultRateKnobs,
  int('reset-after-events', 'request', '5', 1_000_000, 'count', 'Events sent before the `reset` fault destroys the socket.', (o, v) => (o.resetAfterEvents = v)),
  int(
    'max-concurrency',
    'request',
    '0',
    1_000_000,
    'count',
    'Capacity model: at most this many requests served at once (0 = no limit); later ones wait, in arrival order, for a free slot before their headers, so time to first event grows past it as behind a real server\'s queue. A client that leaves while waiting frees nothing. Per request: the limit that request is admitted under.',
    (o, v) => (o.maxConcurrency = v),
  ),
  {
    name: 'prefill-ms-per-1k-chars',
    scope: 'request',
    kind: { type: 'number', min: 0, max: 60_000, unit: 'ms' },
    default: '0',
    description:
      'Prefill cost, as an inference server pays it: the first token comes this much later per 1,000 characters of the context the request carries (OpenAI: the text of every message; Dify chat: the query plus the conversation\'s earlier queries and answers; workflow: the `question` input). So TTFT grows with a conversation\'s history. 0 = none.',
    set: (o, v) => {
      o.prefillMsPer1kChars = Number(v);
    },
  },
  ms(
    'stop-delay-ms',
    'request',
    '0',
    60_000,
    'Dify stop requests (`POST /v1/workflows/tasks/<task_id>/stop`, `POST /v1/chat-messages/<task_id>/stop`): delay from the stop to the stopped stream\'s end events (Dify notices its stop flag between events). Per request: the stream\'s own request.',
    (o, v) => (o.stopDelayMs = v),
  ),
  oneOf(
    'after-client-left',
    'request',
    AFTER_CLIENT_LEFT,
    'stop',
    'What a stream does when its client goes away (an OpenAI-style cancel): `stop` generating at once (as vLLM and Dify do), or `generate` the rest of the answer on its schedule without writing it (a server that does not notice). Either way `/stats` counts the tokens generated after the client left in `tokensAfterClientLeft`.',
    (o, v) => (o.afterClientLeft = v),
  ),
  int('retry-after-s', 'request', '1', 86_400, 's', '`Retry-After` seconds sent with the `http_429` fault.', (o, v) => (o.retryAfterS = v)),
  oneOf(
    'scheduler',
    'server',
    SCHEDULERS,
    'tick',
    'Event timing: `tick` = one timer and a min-heap per server, `timers` = one Node timer per stream (kept for benchmarking the mock itself: it costs more per event and accepts connections late under load).',
    (o, v) => (o.scheduler = v),
  ),
  ms(
    'tick-slice-ms',
    'server',
    '1',
    1_000,
    'With `--scheduler tick`: a wake-up that has written events this long lets the event loop accept connections and read requests before it carries on (0 = never: new connections wait while the server is busy).',
    (o, v) => (o.tickSliceMs = v),
  ),
  oneOf(
    'model-log',
    'server',
    ON_OFF,
    'off',
    '`on`: the time breakdown\'s model log (BREAKDOWN=true): for each streamed request whose prompt carries the client\'s marker ` [sb-<n>]`, when it arrived and when each token and the end were written (epoch ms), served as `GET /model-log` for `npm run bench -- --model-log <url>`.',
    (o, v) => (o.modelLog = v),
  ),
  oneOf(
    'chunk-writer',
    'server',
    CHUNK_WRITERS,
    'socket',
    'How events are written: `socket` = each HTTP chunk framed by the mock and written to the socket (measured cheaper), `response` = `res.write()`.',
    (o, v) => (o.chunkWriter = v),
  ),
];

export const flagOf = (k: KnobDef): string => `--${k.name}`;
export const envOf = (k: KnobDef): string => `MOCK_${k.name.toUpperCase().replace(/-/g, '_')}`;
export const headerOf = (k: KnobDef): string =>
  `X-Mock-${k.name
    .split('-')
    .map((w) => (w[0] ?? '').toUpperCase() + w.slice(1))
    .join('-')}`;

function describeKind(kind: KnobKind): string {
  switch (kind.type) {
    case 'int':
      return `an integer from ${kind.min} to ${kind.max}`;
    case 'number':
      return `a number from ${kind.min} to ${kind.max}`;
    case 'enum':
      return `one of ${kind.accepted.join(', ')}`;
    case 'string':
      return 'text';
    case 'step':
      return '`<time>:+<delay>` in Go duration syntax (`10s:+200ms`, `1m30s:-50ms`) or empty';
  }
}

const STEP = /^([^:]+):([+-])(.+)$/;

/** `10s:+200ms` → { atMs: 10000, addMs: 200 }; '' → null; undefined for anything else. */
export function parseTtfeStep(text: string): TtfeStep | null {
  const t = text.trim();
  if (t === '') return null;
  const m = STEP.exec(t);
  const at = m ? parseGoDuration((m[1] ?? '').trim()) : undefined;
  const delta = m ? parseGoDuration((m[3] ?? '').trim()) : undefined;
  if (!m || at === undefined || delta === undefined || at < 0 || delta < 0) throw new MockOptionError(`expected <time>:+<delay> such as 10s:+200ms, got ${JSON.stringify(text)}`);
  return { atMs: at, addMs: m[2] === '-' ? -delta : delta };
}

/**
 * The options a request arriving `elapsedMs` after the server started is served with: `o`
 * itself before the step (or without one), else TTFE and TTFT moved by the step.
 */
export function steppedOptions(o: MockOptions, elapsedMs: number): MockOptions {
  const step = o.ttfeStep;
  if (step === null || elapsedMs < step.atMs) return o;
  return { ...o, ttfeMs: Math.max(0, o.ttfeMs + step.addMs), ttftMs: Math.max(0, o.ttftMs + step.addMs) };
}

/** Parses one raw value; `source` names where it came from (a flag, env var or header) for the error. */
function parseKnobValue(knob: KnobDef, raw: string, source: string): number | string {
  const kind = knob.kind;
  const fail = (): never => {
    throw new MockOptionError(`${source}: expected ${describeKind(kind)}, got ${JSON.stringify(raw)}`);
  };
  switch (kind.type) {
    case 'int':
    case 'number': {
      const text = raw.trim();
      const n = text === '' ? NaN : Number(text);
      if (!Number.isFinite(n) || n < kind.min || n > kind.max) return fail();
      if (kind.type === 'int' && !Number.isInteger(n)) return fail();
      return n;
    }
    case 'enum':
      return kind.accepted.includes(raw.trim()) ? raw.trim() : fail();
    case 'string':
      return raw;
    case 'step':
      try {
        parseTtfeStep(raw);
      } catch (err) {
        throw new MockOptionError(`${source}: ${(err as Error).message}`);
      }
      return raw;
  }
}

function emptyOptions(): MockOptions {
  const faultRates = Object.fromEntries(FAULT_NAMES.map((n) => [n, 0])) as Record<FaultName, number>;
  return {
    apiKey: '',
    ttfeMs: 0,
    ttfeStep: null,
    ttftMs: 0,
    tokens: 0,
    tokenIntervalMs: 0,
    jitter: 'none',
    jitterMs: 0,
    pingIntervalMs: 0,
    seed: '',
    model: '',
    text: 'ascii',
    fault: 'none',
    faultRates,
    resetAfterEvents: 0,
    retryAfterS: 0,
    scheduler: 'tick',
    tickSliceMs: 0,
    chunkWriter: 'socket',
    maxConcurrency: 0,
    prefillMsPer1kChars: 0,
    stopDelayMs: 0,
    afterClientLeft: 'stop',
    modelLog: 'off',
  };
}

/** The defaults, derived from KNOBS so the documented default is the running one. */
export function defaultOptions(): MockOptions {
  const o = emptyOptions();
  for (const k of KNOBS) k.set?.(o, parseKnobValue(k, k.default, `default of ${flagOf(k)}`));
  return o;
}

export interface ListenOptions {
  host: string;
  port: number;
}

/** Options for `npm run mock`: flags override env vars override defaults. */
export function resolveCliOptions(
  flags: Readonly<Record<string, string | undefined>>,
  env: Readonly<Record<string, string | undefined>>,
): MockOptions & ListenOptions {
  const o: MockOptions & ListenOptions = { ...defaultOptions(), host: '', port: 0 };
  for (const k of KNOBS) {
    const fromFlag = flags[k.name];
    const fromEnv = env[envOf(k)];
    let raw = k.default;
    let source = `default of ${flagOf(k)}`;
    if (fromFlag !== undefined) [raw, source] = [fromFlag, flagOf(k)];
    else if (fromEnv !== undefined && fromEnv !== '') [raw, source] = [fromEnv, envOf(k)];
    const value = parseKnobValue(k, raw, source);
    if (k.set) k.set(o, value);
    else if (k.name === 'host') o.host = String(value);
    else if (k.name === 'port') o.port = Number(value);
  }
  return o;
}

const knobByHeader = new Map(KNOBS.map((k) => [headerOf(k).toLowerCase(), k]));
const HEADER_PREFIX = 'x-mock-';

/**
 * Applies a request's `X-Mock-*` headers over the server's options. Returns `base` itself
 * when there are none (no copy on the hot path). Throws MockOptionError for an unknown
 * header, a server-only one, or a bad value.
 */
export function applyRequestHeaders(base: MockOptions, headers: Readonly<Record<string, string | string[] | undefined>>): MockOptions {
  let o: MockOptions | null = null;
  for (const name in headers) {
    if (!name.startsWith(HEADER_PREFIX)) continue;
    const knob = knobByHeader.get(name);
    const label = knob ? headerOf(knob) : name;
    if (!knob) {
      const known = KNOBS.filter((k) => k.scope === 'request').map(headerOf);
      throw new MockOptionError(`unknown header ${name}; per-request headers are ${known.join(', ')}`);
    }
    if (knob.scope !== 'request' || !knob.set) throw new MockOptionError(`${label} cannot be set per request; use ${flagOf(knob)} or ${envOf(knob)}`);
    const raw = headers[name];
    const text = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
    o ??= { ...base };
    knob.set(o, parseKnobValue(knob, text, `header ${label}`));
  }
  return o ?? base;
}

function defaultLabel(k: KnobDef): string {
  return k.default === '' ? '(empty)' : k.default;
}

/** `--help` text. */
export function renderHelp(): string {
  const lines = [
    'Usage: npm run mock -- [flags]   (or: tsx mock/main.ts [flags])',
    '',
    'Dify- and OpenAI-compatible SSE mock server. Every flag also reads its MOCK_* env var;',
    'flags win. Knobs marked "header" can be overridden per request with that X-Mock-* header.',
    '',
  ];
  for (const k of KNOBS) {
    const value = k.kind.type === 'enum' ? `<${k.kind.accepted.join('|')}>` : k.kind.type === 'string' ? '<text>' : k.kind.type === 'step' ? '<time>:+<delay>' : `<${k.kind.unit}>`;
    const where = [`env ${envOf(k)}`, k.scope === 'request' ? `header ${headerOf(k)}` : null].filter(Boolean).join(', ');
    lines.push(`  ${flagOf(k)} ${value}`, `      ${k.description}`, `      default ${defaultLabel(k)}; ${where}`);
  }
  lines.push('  --help', '      Print this help and exit.', '  --help-markdown', '      Print the knob table of docs/mock-server.md and exit.');
  return lines.join('\n');
}

const cell = (s: string): string => s.replace(/\|/g, '\\|');

/** The Markdown table in docs/mock-server.md (a test checks the docs match). */
export function renderKnobTable(): string {
  const rows = KNOBS.map((k) => {
    const header = k.scope === 'request' ? `\`${headerOf(k)}\`` : '—';
    const accepted = describeKind(k.kind);
    return `| \`${flagOf(k)}\` | \`${envOf(k)}\` | ${header} | \`${defaultLabel(k)}\` | ${cell(k.description)} (${cell(accepted)}) |`;
  });
  return ['| flag | env | per-request header | default | meaning (accepted values) |', '|---|---|---|---|---|', ...rows].join('\n');
}
