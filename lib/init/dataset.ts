/**
 * DATASET: a JSON Lines file of prompts, read and validated once per test in the init context
 * (a bad line is a ConfigError naming its line number, before any request), then handed to every
 * VU through the VU plan's SharedArray (lib/vu-plan.ts): one element per record, after the plan.
 *
 * Record formats (the ones LLM benchmarks use), one JSON object per non-blank line:
 * - `{"prompt": "…", "max_tokens": 64}`: one turn; `max_tokens` optional;
 * - ShareGPT: `{"conversations": [{"from": "human", "value": "…"}, {"from": "gpt", "value": "…"}, …]}`:
 *   the human turns (`human` or `user`) are the turns of a conversation; the others (`gpt`,
 *   `assistant`, `system`, …) are the recorded answers and are not sent (the target answers itself).
 *   A record-level `max_tokens` applies to each of its turns.
 *
 * Each record is shared as the JSON text `[maxTokens, "turn 1", "turn 2", …]` (maxTokens 0 = none):
 * a string, so k6 hands it over without freezing a tree of objects, decoded by the VU once per
 * conversation (lib/vu/conversation.ts). DATASET_ORDER=shuffled shuffles the records here, once,
 * with SEED; VUs then take them in order. Pure: the file is read through the injected `readFile`.
 */
import { ConfigError, type WorkloadConfig } from './config.ts';

/** What reports say about the dataset (lib/report/workload-report.ts). */
export interface DatasetInfo {
  readonly path: string;
  readonly records: number;
  /** Human turns over all records. */
  readonly prompts: number;
  readonly order: WorkloadConfig['datasetOrder'];
  /** Characters of one prompt (a human turn) over the file. */
  readonly promptChars: { readonly min: number; readonly mean: number; readonly max: number };
  /** Records that set `max_tokens`. */
  readonly withMaxTokens: number;
}

export interface Dataset {
  /** One JSON text per record: `[maxTokens, turn…]`. */
  readonly elements: string[];
  readonly info: DatasetInfo;
}

/** The largest `max_tokens` accepted (the mock's `--tokens` limit; real servers cap lower). */
export const MAX_TOKENS_LIMIT = 100_000;
const DEFAULT_SEED = 'sse-bench';

const USER_ROLES: readonly string[] = ['human', 'user'];

/** One record: its turns and max_tokens (0 = none), or a problem in words. */
function parseRecord(line: string): { turns: string[]; maxTokens: number } | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    return `not valid JSON (${e instanceof Error ? e.message : String(e)})`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'expected a JSON object: {"prompt": …} or {"conversations": […]}';
  const record = value as Record<string, unknown>;
  let maxTokens = 0;
  if (record['max_tokens'] !== undefined && record['max_tokens'] !== null) {
    const m = record['max_tokens'];
    if (typeof m !== 'number' || !Number.isInteger(m) || m <= 0 || m > MAX_TOKENS_LIMIT) return `max_tokens must be an integer from 1 to ${MAX_TOKENS_LIMIT}, got ${JSON.stringify(m)}`;
    maxTokens = m;
  }
  const prompt = record['prompt'];
  const conversations = record['conversations'];
  if (prompt !== undefined && conversations !== undefined) return 'has both "prompt" and "conversations"; a record is one or the other';
  if (prompt !== undefined) {
    if (typeof prompt !== 'string' || prompt.trim() === '') return '"prompt" must be a non-empty string';
    return { turns: [prompt], maxTokens };
  }
  if (conversations === undefined) return 'has neither "prompt" nor "conversations"';
  if (!Array.isArray(conversations)) return '"conversations" must be an array of {"from", "value"} turns';
  const turns: string[] = [];
  for (let i = 0; i < conversations.length; i++) {
    const turn: unknown = conversations[i];
    if (typeof turn !== 'object' || turn === null) return `conversations[${i}] must be an object {"from", "value"}`;
    const { from, value: text } = turn as Record<string, unknown>;
    if (typeof from !== 'string') return `conversations[${i}].from must be a string (human, gpt, …)`;
    if (typeof text !== 'string') return `conversations[${i}].value must be a string`;
    if (!USER_ROLES.includes(from.toLowerCase())) continue;
    if (text.trim() === '') return `conversations[${i}] is a human turn with an empty value`;
    turns.push(text);
  }
  if (turns.length === 0) return '"conversations" has no human turn ("from": "human") to send';
  return { turns, maxTokens };
}

/** A 32-bit seeded generator (mulberry32) over the seed text's FNV-1a hash: the shuffle's only randomness. */
function seededRandom(seed: string): () => number {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193);
  let a = h >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates with `seed`: the same seed gives the same order. */
export function shuffled<T>(items: readonly T[], seed: string): T[] {
  const out = [...items];
  const random = seededRandom(seed === '' ? DEFAULT_SEED : seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Parses the file's text; throws ConfigError('DATASET') naming the first bad line. */
export function parseDataset(text: string, workload: WorkloadConfig): Dataset {
  const path = workload.dataset;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n|\r/);
  const records: string[] = [];
  let prompts = 0;
  let withMaxTokens = 0;
  let minChars = Infinity;
  let maxChars = 0;
  let sumChars = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '') continue;
    const record = parseRecord(line);
    if (typeof record === 'string') throw new ConfigError('DATASET', `"${path}" line ${i + 1}: ${record}`);
    records.push(JSON.stringify([record.maxTokens, ...record.turns]));
    if (record.maxTokens > 0) withMaxTokens++;
    for (const turn of record.turns) {
      prompts++;
      sumChars += turn.length;
      minChars = Math.min(minChars, turn.length);
      maxChars = Math.max(maxChars, turn.length);
    }
  }
  if (records.length === 0) throw new ConfigError('DATASET', `"${path}" has no record; expected one JSON object per line, e.g. {"prompt": "Hello", "max_tokens": 64}`);
  const elements = workload.datasetOrder === 'shuffled' ? shuffled(records, workload.seed) : records;
  return {
    elements,
    info: {
      path,
      records: records.length,
      prompts,
      order: workload.datasetOrder,
      promptChars: { min: minChars, mean: Math.round((sumChars / prompts) * 10) / 10, max: maxChars },
      withMaxTokens,
    },
  };
}

/** Reads DATASET once (k6's `open` in the init context) and parses it; `null` without DATASET. */
export function loadDataset(workload: WorkloadConfig | undefined, readFile: (path: string) => string): Dataset | null {
  if (workload === undefined || workload.dataset === '') return null;
  let text: string;
  try {
    text = readFile(workload.dataset);
  } catch (error) {
    throw new ConfigError('DATASET', `cannot read "${workload.dataset}" (${error instanceof Error ? error.message : String(error)}); expected a JSON Lines file, one {"prompt": …} or {"conversations": […]} record per line`);
  }
  return parseDataset(text, workload);
}
