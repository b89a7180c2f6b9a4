/**
 * Per-window latency percentiles for the HTML report's over-time charts: TTFE, TTFT and
 * stream duration in each N-second window of the run, exact (every per-stream sample of the
 * window, k6's percentile interpolation), from k6's own sample stream (`--out csv`, read by
 * k6-samples.ts after the run). k6's REST API has cumulative figures only, so a latency climb
 * late in a long run barely moves its p95; per window it shows when it happened.
 *
 * The suite records its per-stream metrics when the stream ends, so a sample falls in the
 * window its stream ended in. Pure: samples in, windows out.
 */
import { METRICS } from '../../lib/metric-defs.ts';

/** The trends charted per window, by key. */
export const WINDOW_TRENDS = { ttfe: METRICS.ttfe.name, ttft: METRICS.ttft.name, streamDuration: METRICS.streamDuration.name } as const;
export type WindowMetric = keyof typeof WINDOW_TRENDS;
const WINDOW_KEYS = Object.keys(WINDOW_TRENDS) as WindowMetric[];
/** The k6 metric names charted per window. */
export const WINDOW_METRICS: readonly string[] = Object.values(WINDOW_TRENDS);
const keyOf = new Map<string, WindowMetric>(WINDOW_KEYS.map((k) => [WINDOW_TRENDS[k], k]));

/** `--window` default: seconds per window. */
export const DEFAULT_WINDOW_SEC = 5;

/** Windows past this many are dropped (a timestamp far off the run's start would otherwise allocate them all). */
export const MAX_WINDOWS = 100_000;

/** The percentiles kept per window. */
export const WINDOW_PERCENTILES = [50, 95, 99] as const;

export interface WindowSeries {
  /** Samples in each window. */
  readonly n: readonly number[];
  /** pN in each window, null for a window without samples. */
  readonly p50: readonly (number | null)[];
  readonly p95: readonly (number | null)[];
  readonly p99: readonly (number | null)[];
}

export interface LatencyWindows {
  readonly windowSec: number;
  /** Epoch ms where window 0 starts (the start of the run). */
  readonly startMs: number;
  /** Start of each window, seconds after startMs. */
  readonly tSec: readonly number[];
  /** By key of WINDOW_TRENDS. */
  readonly metrics: Readonly<Record<WindowMetric, WindowSeries>>;
}

export interface Sample {
  readonly metric: string;
  /** Epoch ms. */
  readonly atMs: number;
  readonly value: number;
}

/** k6's Trend percentile (TrendSink): linear interpolation between the ranks around p·(n−1). */
export function k6Percentile(sorted: readonly number[], p: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const rank = (p / 100) * (n - 1);
  const lo = Math.floor(rank);
  const a = sorted[lo] as number;
  const b = sorted[Math.min(lo + 1, n - 1)] as number;
  return a + (b - a) * (rank - lo);
}

/**
 * Collects samples into windows and computes each window's percentiles. A sample before
 * startMs counts in window 0; windows run up to the last sample's; one MAX_WINDOWS or more
 * windows after the start (or without a timestamp) is dropped.
 */
export class WindowCollector {
  private readonly values = new Map<WindowMetric, number[][]>(WINDOW_KEYS.map((m) => [m, []]));
  private last = -1;

  constructor(
    readonly startMs: number,
    readonly windowSec: number,
  ) {}

  add(s: Sample): void {
    const key = keyOf.get(s.metric);
    if (key === undefined || !Number.isFinite(s.value)) return;
    const i = Math.max(0, Math.floor((s.atMs - this.startMs) / (this.windowSec * 1000)));
    if (!(i < MAX_WINDOWS)) return;
    const perWindow = this.values.get(key) as number[][];
    (perWindow[i] ??= []).push(s.value);
    if (i > this.last) this.last = i;
  }

  /** The windows so far; null when no sample of a charted metric came. */
  result(): LatencyWindows | null {
    if (this.last < 0) return null;
    const count = this.last + 1;
    const tSec = Array.from({ length: count }, (_, i) => i * this.windowSec);
    const metrics = {} as Record<WindowMetric, WindowSeries>;
    for (const m of WINDOW_KEYS) {
      const perWindow = this.values.get(m) as number[][];
      const sorted = Array.from({ length: count }, (_, i) => [...(perWindow[i] ?? [])].sort((a, b) => a - b));
      metrics[m] = {
        n: sorted.map((v) => v.length),
        p50: sorted.map((v) => k6Percentile(v, 50)),
        p95: sorted.map((v) => k6Percentile(v, 95)),
        p99: sorted.map((v) => k6Percentile(v, 99)),
      };
    }
    return { windowSec: this.windowSec, startMs: this.startMs, tSec, metrics };
  }
}

/** Whether any window has a sample of any charted metric. */
export const hasWindows = (w: LatencyWindows | null): w is LatencyWindows =>
  w !== null && WINDOW_KEYS.some((m) => w.metrics[m].n.some((n) => n > 0));
