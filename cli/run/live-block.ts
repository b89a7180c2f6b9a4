/**
 * The live block of `npm run bench` (the seed's "Live Metrics", every 5 s), computed from
 * two successive k6 REST snapshots: rates are count differences over the time between them;
 * TTFE avg/p95 are k6's running aggregates since the start. Pure: no I/O, no clock.
 */
import { EXTENSION_EVENT_METRIC, METRICS } from '../../lib/metric-defs.ts';
import { cpuShareText, type CpuSample } from './cpu-watch.ts';
import { counterCount, type MetricsSnapshot, sampleValue, subMetricCounts } from './k6-rest.ts';

export interface LiveFigures {
  /** Seconds since the run started (local clock). */
  readonly elapsedSec: number;
  /** sse_streams_opened − sse_streams_closed. */
  readonly activeStreams: number;
  /** New streams per second since the previous snapshot; null for the first one. */
  readonly connectionsPerSec: number | null;
  /** The extension's `sse_event` per second since the previous snapshot; null for the first one. */
  readonly eventsPerSec: number | null;
  /** null until the first TTFE sample. */
  readonly ttfeAvgMs: number | null;
  readonly ttfeP95Ms: number | null;
  /** null until the first TTFT sample (k6's running p(95) since the start, like TTFE's). */
  readonly ttftP95Ms: number | null;
  readonly totalConnections: number;
  readonly totalEvents: number;
  readonly errors: number;
  /** Non-zero error counts by `error_type`, largest first. */
  readonly errorsByType: readonly (readonly [string, number])[];
  readonly vus: number;
  readonly droppedIterations: number;
  readonly cpu: CpuSample | null;
  readonly cores: number;
}

export function computeLiveFigures(
  prev: MetricsSnapshot | null,
  cur: MetricsSnapshot,
  elapsedSec: number,
  cpu: CpuSample | null,
  cores: number,
): LiveFigures {
  const opened = counterCount(cur, METRICS.streamsOpened.name);
  const closed = counterCount(cur, METRICS.streamsClosed.name);
  const events = counterCount(cur, EXTENSION_EVENT_METRIC);
  const dtSec = prev ? (cur.takenAtMs - prev.takenAtMs) / 1000 : 0;
  const perSec = (metric: string, now: number): number | null =>
    prev && dtSec > 0 ? (now - counterCount(prev, metric)) / dtSec : null;
  const hasTtfe = cur.metrics.has(METRICS.ttfe.name);
  const hasTtft = cur.metrics.has(METRICS.ttft.name);
  const errorsByType = [...subMetricCounts(cur, METRICS.errors.name, 'error_type')]
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return {
    elapsedSec,
    activeStreams: opened - closed,
    connectionsPerSec: perSec(METRICS.streamsOpened.name, opened),
    eventsPerSec: perSec(EXTENSION_EVENT_METRIC, events),
    ttfeAvgMs: hasTtfe ? sampleValue(cur, METRICS.ttfe.name, 'avg') : null,
    ttfeP95Ms: hasTtfe ? sampleValue(cur, METRICS.ttfe.name, 'p(95)') : null,
    ttftP95Ms: hasTtft ? sampleValue(cur, METRICS.ttft.name, 'p(95)') : null,
    totalConnections: opened,
    totalEvents: events,
    errors: counterCount(cur, METRICS.errors.name),
    errorsByType,
    vus: sampleValue(cur, 'vus', 'value'),
    droppedIterations: counterCount(cur, 'dropped_iterations'),
    cpu,
    cores,
  };
}

const fixed = (n: number | null, digits: number): string => (n === null ? '–' : n.toFixed(digits));

export function formatDuration(sec: number): string {
  const s = Math.round(sec);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

function cpuText(f: LiveFigures): string {
  return f.cpu ? cpuShareText(f.cpu.share, f.cores) : 'n/a';
}

/** Multi-line block for a terminal. */
export function renderLiveBlock(f: LiveFigures): string {
  const errs = f.errorsByType.map(([t, n]) => `${t} ${n}`).join(', ');
  const lines = [
    `── Live Metrics (${formatDuration(f.elapsedSec)}) ──`,
    `  Active Streams:     ${f.activeStreams}`,
    `  Connection Rate:    ${fixed(f.connectionsPerSec, 2)} conn/sec`,
    `  Event Throughput:   ${fixed(f.eventsPerSec, 2)} events/sec`,
    `  TTFE avg / p95:     ${fixed(f.ttfeAvgMs, 1)} ms / ${fixed(f.ttfeP95Ms, 1)} ms`,
    `  Total Connections:  ${f.totalConnections}`,
    `  Total Events:       ${f.totalEvents}`,
    `  Errors:             ${f.errors}${errs === '' ? '' : ` (${errs})`}`,
    `  VUs:                ${f.vus}`,
    `  Generator CPU:      ${cpuText(f)}`,
  ];
  if (f.droppedIterations > 0) lines.push(`  Dropped Iterations: ${f.droppedIterations} (k6 ran out of VUs)`);
  return lines.join('\n');
}

/** One line of key=value pairs, for logs and non-TTY output. */
export function renderLiveLine(f: LiveFigures): string {
  const errs = f.errorsByType.map(([t, n]) => `${t}=${n}`).join(' ');
  const parts = [
    `[live ${formatDuration(f.elapsedSec)}]`,
    `active=${f.activeStreams}`,
    `conn/s=${fixed(f.connectionsPerSec, 2)}`,
    `events/s=${fixed(f.eventsPerSec, 2)}`,
    `ttfe_avg_ms=${fixed(f.ttfeAvgMs, 1)}`,
    `ttfe_p95_ms=${fixed(f.ttfeP95Ms, 1)}`,
    `connections=${f.totalConnections}`,
    `events=${f.totalEvents}`,
    `errors=${f.errors}${errs === '' ? '' : ` (${errs})`}`,
    `vus=${f.vus}`,
    `cpu=${f.cpu ? `${Math.round(f.cpu.share * 100)}%/${f.cores}` : 'n/a'}`,
  ];
  if (f.droppedIterations > 0) parts.push(`dropped_iterations=${f.droppedIterations}`);
  return parts.join(' ');
}

/** One point of the HTML report's time series. */
export interface SeriesPoint {
  readonly tSec: number;
  readonly activeStreams: number;
  readonly connectionsPerSec: number | null;
  readonly eventsPerSec: number | null;
  /** k6's running p(95) since the start of the run, as of this sample. */
  readonly ttfeP95Ms: number | null;
  readonly ttftP95Ms: number | null;
  /** Failed streams since the start, by error type (non-zero types only). */
  readonly errorCounts: Readonly<Record<string, number>>;
  readonly cpuShare: number | null;
}

export function toSeriesPoint(f: LiveFigures): SeriesPoint {
  return {
    tSec: f.elapsedSec,
    activeStreams: f.activeStreams,
    connectionsPerSec: f.connectionsPerSec,
    eventsPerSec: f.eventsPerSec,
    ttfeP95Ms: f.ttfeP95Ms,
    ttftP95Ms: f.ttftP95Ms,
    errorCounts: Object.fromEntries(f.errorsByType),
    cpuShare: f.cpu ? f.cpu.share : null,
  };
}
