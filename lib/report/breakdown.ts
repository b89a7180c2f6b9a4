/**
 * The time breakdown of a stream through the target (BREAKDOWN=true, the embedded mock as the model
 * behind it): the client's per-stream times (lib/vu/breakdown.ts, from k6's log) joined by the
 * marker id with the mock's model log (mock/model-log.ts) into four parts, each as p50/p95:
 *
 * - before the model: request sent (client `t0`) → the model received its request (mock);
 *   the target's auth, workflow start and the nodes before the LLM, plus the network both ways;
 * - model TTFT: the model received it → the model wrote its first token (the mock alone);
 * - relay per token: the model wrote token i → the client received content event i, over every
 *   token of every stream (the target's relay, per token; assumes one content event per model token);
 * - after the model: the model wrote its last token → the client received the end event (nodes
 *   after the LLM, `workflow_finished`).
 *
 * Both clocks are this machine's epoch ms (the client's `Date.now()` is whole milliseconds, the
 * mock's has the sub-millisecond part): the mock must run on the machine k6 runs on. Only streams
 * that succeeded on the client and have a model record are joined. Pure arithmetic, no I/O.
 */
import { BREAKDOWN_LOG_PREFIX } from '../breakdown-marker.ts';
import { isRecord } from './summary-data.ts';

/** One stream as the client logged it: times in ms after `t0` (epoch ms). */
export interface ClientStream {
  readonly id: string;
  readonly t0: number;
  readonly tok: readonly number[];
  /** The end event, ms after t0; -1 when none. */
  readonly end: number;
  readonly ok: boolean;
}

/** One model request as the mock recorded it: epoch ms. */
export interface ModelStream {
  readonly id: string;
  readonly receivedAt: number;
  readonly tokens: readonly number[];
  readonly end: number;
}

export const BREAKDOWN_PARTS = ['beforeModel', 'modelTtft', 'relayPerToken', 'afterModel'] as const;
export type BreakdownPart = (typeof BREAKDOWN_PARTS)[number];

export const PART_LABELS: Readonly<Record<BreakdownPart, string>> = {
  beforeModel: 'Before the model',
  modelTtft: 'Model TTFT',
  relayPerToken: 'Relay per token',
  afterModel: 'After the model',
};

export interface PartStats {
  readonly p50: number | null;
  readonly p95: number | null;
  /** Samples: streams (relay: tokens). */
  readonly samples: number;
}

/** Each part's p50 per window of streams by request start (the HTML report's chart over time). */
export interface BreakdownOverTime {
  readonly windowSec: number;
  /** Each window's start, seconds after the first stream's request. */
  readonly tSec: readonly number[];
  /** Per part, one p50 (ms) per window; null where the window had no sample of it. */
  readonly p50: Readonly<Record<BreakdownPart, readonly (number | null)[]>>;
}

export interface Breakdown {
  /** Streams joined (client success with a model record). */
  readonly streams: number;
  /** Client streams logged without a model record (the request never reached the mock, or another model served it). */
  readonly unmatched: number;
  readonly parts: Readonly<Record<BreakdownPart, PartStats>>;
  /** The same parts per window of request start (absent in reports written before it existed). */
  readonly overTime?: BreakdownOverTime;
}

/** Seconds per window of the breakdown over time. */
export const BREAKDOWN_WINDOW_SEC = 5;

/** The client's line (`sse-bench breakdown {…}` in a k6 log message), or null for any other message. */
export function parseClientLine(message: string): ClientStream | null {
  const at = message.indexOf(BREAKDOWN_LOG_PREFIX);
  if (at < 0) return null;
  let v: unknown;
  try {
    v = JSON.parse(message.slice(at + BREAKDOWN_LOG_PREFIX.length));
  } catch {
    return null;
  }
  if (!isRecord(v) || typeof v['id'] !== 'string' || typeof v['t0'] !== 'number' || !Array.isArray(v['tok']) || typeof v['end'] !== 'number') return null;
  const tok = v['tok'].filter((x): x is number => typeof x === 'number');
  return { id: v['id'], t0: v['t0'], tok, end: v['end'], ok: v['ok'] === true };
}

/** The q-quantile (0–1) of sorted values, linearly interpolated as k6 computes Trend percentiles; null for none. */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

const stats = (values: number[]): PartStats => {
  const sorted = values.sort((a, b) => a - b);
  return { p50: quantile(sorted, 0.5), p95: quantile(sorted, 0.95), samples: sorted.length };
};

const emptyParts = (): Record<BreakdownPart, number[]> => ({ beforeModel: [], modelTtft: [], relayPerToken: [], afterModel: [] });

/**
 * Joins the client's streams with the model's records by id: each part's p50/p95 over the run, and
 * its p50 per `windowSec` window of request start (a stream counts in the window it started in).
 */
export function joinBreakdown(client: readonly ClientStream[], model: readonly ModelStream[], windowSec = BREAKDOWN_WINDOW_SEC): Breakdown {
  const byId = new Map(model.map((m) => [m.id, m]));
  const parts = emptyParts();
  const windows: Record<BreakdownPart, number[]>[] = [];
  const start = client.length === 0 ? 0 : Math.min(...client.map((c) => c.t0));
  let streams = 0;
  let unmatched = 0;
  for (const c of client) {
    const m = byId.get(c.id);
    if (m === undefined) {
      unmatched++;
      continue;
    }
    if (!c.ok) continue;
    streams++;
    const w = Math.floor((c.t0 - start) / (windowSec * 1000));
    while (windows.length <= w) windows.push(emptyParts());
    const add = (part: BreakdownPart, v: number): void => {
      parts[part].push(v);
      (windows[w] as Record<BreakdownPart, number[]>)[part].push(v);
    };
    add('beforeModel', m.receivedAt - c.t0);
    const first = m.tokens[0];
    const last = m.tokens.at(-1);
    if (first !== undefined) add('modelTtft', first - m.receivedAt);
    const n = Math.min(c.tok.length, m.tokens.length);
    for (let i = 0; i < n; i++) add('relayPerToken', c.t0 + (c.tok[i] as number) - (m.tokens[i] as number));
    if (last !== undefined && c.end >= 0) add('afterModel', c.t0 + c.end - last);
  }
  const p50Of = (part: BreakdownPart): (number | null)[] => windows.map((win) => quantile(win[part].sort((a, b) => a - b), 0.5));
  return {
    streams,
    unmatched,
    parts: { beforeModel: stats(parts.beforeModel), modelTtft: stats(parts.modelTtft), relayPerToken: stats(parts.relayPerToken), afterModel: stats(parts.afterModel) },
    overTime: {
      windowSec,
      tSec: windows.map((_, i) => i * windowSec),
      p50: { beforeModel: p50Of('beforeModel'), modelTtft: p50Of('modelTtft'), relayPerToken: p50Of('relayPerToken'), afterModel: p50Of('afterModel') },
    },
  };
}

const ms = (v: number | null): string => (v === null ? 'n/a' : `${v.toFixed(1)} ms`);

/** Label/value rows for the text and HTML reports. */
export function breakdownRows(b: Breakdown): [string, string][] {
  return [
    ...BREAKDOWN_PARTS.map((p): [string, string] => [PART_LABELS[p], `p50 ${ms(b.parts[p].p50)}, p95 ${ms(b.parts[p].p95)} (${b.parts[p].samples} ${p === 'relayPerToken' ? 'tokens' : 'streams'})`]),
    ['Streams Joined', `${b.streams}${b.unmatched > 0 ? ` (${b.unmatched} without a model record)` : ''}`],
  ];
}

/** Why a `breakdown` field read back from a JSON report is not a Breakdown; `null` when it is. */
export function breakdownProblem(value: unknown): string | null {
  if (!isRecord(value) || typeof value['streams'] !== 'number' || typeof value['unmatched'] !== 'number' || !isRecord(value['parts'])) return 'expected { streams, unmatched, parts }';
  const parts = value['parts'];
  for (const p of BREAKDOWN_PARTS) {
    const s = parts[p];
    if (!isRecord(s) || typeof s['samples'] !== 'number') return `parts.${p}: expected { p50, p95, samples }`;
    for (const k of ['p50', 'p95']) if (s[k] !== null && typeof s[k] !== 'number') return `parts.${p}.${k}: expected a number or null`;
  }
  const o = value['overTime'];
  if (o !== undefined) {
    if (!isRecord(o) || typeof o['windowSec'] !== 'number' || !Array.isArray(o['tSec']) || !isRecord(o['p50'])) return 'overTime: expected { windowSec, tSec, p50 }';
    for (const p of BREAKDOWN_PARTS) if (!Array.isArray(o['p50'][p])) return `overTime.p50.${p}: expected an array`;
  }
  return null;
}
