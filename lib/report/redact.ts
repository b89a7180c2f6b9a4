/**
 * Keeps secrets out of reports: the run's settings as reports show them (the API key
 * only as `set` / `unset`, URLs without credentials), and a scrubber that replaces any
 * occurrence of the key in report text or data (defence in depth: a key a user put in a
 * tag or URL must not reach a file either). Pure string work: no `URL` class, which
 * k6's runtime does not have.
 */
import { usesConversations, type Config } from '../init/config.ts';
import type { DatasetInfo } from '../init/dataset.ts';
import { formatGoDuration } from '../duration.ts';

import { REDACTED } from '../secrets.ts';

export { REDACTED };

/** Query parameters whose value is treated as a secret (matched case-insensitively). */
const SECRET_PARAM = /key|token|secret|pass|auth|sig|credential|session|code/i;

const URL_PARTS = /^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)([^/?#]*@)?([^?#]*)(\?[^#]*)?(#.*)?$/;

/**
 * A URL fit for a report: `user:pass@` removed, secret-looking query values
 * (`api_key`, `token`, `sig`…) replaced by `[REDACTED]`, the fragment dropped.
 * A string that is not an absolute URL is returned unchanged.
 */
export const redactUrl = (url: string): string => {
  const parts = URL_PARTS.exec(url);
  if (!parts) return url;
  const [, scheme = '', , rest = '', query] = parts;
  if (query === undefined) return scheme + rest;
  const params = query
    .slice(1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      const name = pair.slice(0, eq);
      return SECRET_PARAM.test(decodeSafe(name)) ? `${name}=${REDACTED}` : pair;
    });
  return `${scheme}${rest}?${params.join('&')}`;
};

const decodeSafe = (text: string): string => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

/** The run's settings as every report shows them: no API key, URLs redacted. */
export interface ReportSettings {
  readonly target: string;
  readonly baseUrl: string;
  readonly url: string;
  /** HTTP method of the stream requests. */
  readonly method: string;
  readonly model: string;
  readonly profile: string;
  readonly scenarios: readonly string[];
  readonly thresholds: string;
  readonly streamTimeout: string;
  readonly terminalEvents: readonly string[];
  readonly questionsFile: string;
  readonly reportsDir: string;
  /** Whether an API key was configured; the key itself is never written. */
  readonly apiKey: 'set' | 'unset';
  /** DATASET / TURNS / THINK_TIME, only on runs that use them. */
  readonly workload?: { readonly dataset: DatasetInfo | null; readonly turns: number; readonly thinkTime: string };
}

export const reportSettings = (config: Config): ReportSettings => {
  return {
    target: config.target,
    baseUrl: redactUrl(config.baseUrl),
    url: redactUrl(config.url),
    method: config.target === 'generic' ? config.method : 'POST', // Dify and OpenAI targets always POST
    model: config.model,
    profile: config.profile,
    scenarios: [...config.scenarios],
    thresholds: config.thresholds,
    streamTimeout: config.streamTimeout,
    terminalEvents: [...config.terminalEvents],
    questionsFile: config.questionsFile,
    reportsDir: config.reportsDir,
    apiKey: config.apiKey === '' ? 'unset' : 'set',
    ...(usesConversations(config.workload) && config.workload !== undefined
      ? { workload: { dataset: config.datasetInfo ?? null, turns: config.workload.turns, thinkTime: thinkTimeText(config.workload.thinkTimeMs) } }
      : {}),
  };
};

/** THINK_TIME as reports show it: `2s`, `1s-3s`, '' for none. */
const thinkTimeText = (ms: readonly [number, number] | null): string => {
  if (ms === null) return '';
  return ms[0] === ms[1] ? formatGoDuration(ms[0]) : `${formatGoDuration(ms[0])}-${formatGoDuration(ms[1])}`;
};

/** Shorter "secrets" are not replaced in free text: they would garble numbers and words. */
const MIN_SCRUB_LENGTH = 4;

const replaceAll = (text: string, needle: string, by: string): string => {
  return needle === '' ? text : text.split(needle).join(by);
};

/**
 * `text` with every occurrence of `secret` replaced by `[REDACTED]`, also in its JSON-
 * escaped spelling. Secrets shorter than MIN_SCRUB_LENGTH are left alone. (Reports are
 * rendered from data already passed through scrubValue; this is the last line.)
 */
export const scrubText = (text: string, secret: string): string => {
  if (secret.length < MIN_SCRUB_LENGTH) return text;
  const spellings = new Set([secret, JSON.stringify(secret).slice(1, -1)]);
  let out = text;
  for (const spelling of spellings) out = replaceAll(out, spelling, REDACTED);
  return out;
};

/**
 * A deep copy of a JSON-like value with `secret` replaced in every string and every
 * object key (any length but empty). Numbers and booleans are kept as they are.
 */
export const scrubValue = <T>(value: T, secret: string): T => {
  if (secret === '') return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return replaceAll(v, secret, REDACTED);
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object' && v !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, inner] of Object.entries(v)) out[replaceAll(k, secret, REDACTED)] = walk(inner);
      return out;
    }
    return v;
  };
  return walk(value) as T; // same shape as the input: only string contents changed
};
