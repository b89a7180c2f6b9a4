/**
 * Polls k6's REST API every interval while a run lasts: computes the live figures from
 * successive snapshots, samples the generator's CPU, and keeps the time series and the
 * saturation verdict for the reports. One request per interval; ticks never overlap.
 */
import type { CpuWatch } from './cpu-watch.ts';
import { SaturationTracker } from './cpu-watch.ts';
import { fetchMetrics, type MetricsSnapshot } from './k6-rest.ts';
import { computeLiveFigures, type LiveFigures, type SeriesPoint, toSeriesPoint } from './live-block.ts';

export interface LivePollerOptions {
  /** k6 REST API host:port. */
  readonly address: string;
  readonly intervalMs: number;
  readonly now: () => number;
  /** null where /proc is unavailable. */
  readonly cpu: CpuWatch | null;
  readonly onFigures: (f: LiveFigures) => void;
}

export interface LivePoller {
  readonly series: readonly SeriesPoint[];
  readonly saturation: SaturationTracker;
  /** Polls that k6 did not answer (before its API is up, or after it stopped). */
  readonly failures: number;
  stop(): Promise<void>;
}

export function startLivePoller(o: LivePollerOptions): LivePoller {
  const startedAt = o.now();
  const series: SeriesPoint[] = [];
  const saturation = new SaturationTracker();
  let prev: MetricsSnapshot | null = null;
  let failures = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  o.cpu?.sample(startedAt); // baseline

  const tick = async (): Promise<void> => {
    let snap: MetricsSnapshot;
    try {
      snap = await fetchMetrics(o.address, o.now);
    } catch {
      failures++;
      return;
    }
    if (stopped) return;
    const cpu = o.cpu?.sample(snap.takenAtMs) ?? null;
    if (cpu) saturation.record(cpu.share);
    const figures = computeLiveFigures(prev, snap, (snap.takenAtMs - startedAt) / 1000, cpu, o.cpu?.cores ?? 0);
    prev = snap;
    series.push(toSeriesPoint(figures));
    o.onFigures(figures);
  };

  const schedule = (): void => {
    timer = setTimeout(() => {
      inFlight = tick().finally(() => {
        if (!stopped) schedule();
      });
    }, o.intervalMs);
    timer.unref();
  };
  schedule();

  return {
    series,
    saturation,
    get failures() {
      return failures;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}
