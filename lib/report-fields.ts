/**
 * The one definition of the figures a run's reports derive from k6's summary (keys,
 * labels, units, which direction is better), of how they are displayed, and of the
 * seed's ratings. Used by the text, JSON and JUnit reports (lib/report-*.ts), the bench
 * CLI's final block, the HTML report and `npm run compare`. Pure data and formatting.
 *
 * Values: times in milliseconds, rates per second of test run, `fraction` figures as a
 * fraction 0–1 (k6's convention for a Rate; shown as a percentage in text), bytes as a plain
 * count. A figure is `null` when the run produced no sample it can be computed from (e.g. no
 * TTFT without content events).
 */

export type FigureUnit = 'ms' | '/s' | 'fraction' | 'count' | 'bytes' | 'tokens/s';
export type Better = 'lower' | 'higher' | 'none';
/** Report sections, in display order. */
export const FIGURE_SECTIONS = ['Final Metrics', 'Overall Rates', 'Latency', 'Streams', 'LLM'] as const;
export type FigureSection = (typeof FIGURE_SECTIONS)[number];

/**
 * How small a change of a figure between two runs is noise: `npm run compare` marks a change
 * (and `--max-regression` counts it) only when it exceeds BOTH bounds — `relative` (a fraction
 * of the baseline; any change from a baseline of 0 exceeds it) and `absolute` (in the figure's
 * unit: ms, per second, a fraction 0–1…). Two runs of one machine differ by a few ms of p95 and
 * a few % of throughput without any change to the target (docs/bench-cli.md).
 */
export interface NoiseFloor {
  readonly relative: number;
  readonly absolute: number;
}

/** The noise floor of each unit; a figure's own `noise` starts from its unit's. */
export const NOISE_BY_UNIT: Readonly<Record<FigureUnit, NoiseFloor>> = {
  ms: { relative: 0.05, absolute: 2 },
  '/s': { relative: 0.05, absolute: 0.05 },
  fraction: { relative: 0, absolute: 0.001 }, // 0.1 percentage point of success rate
  count: { relative: 0, absolute: 0 }, // every stream counts
  bytes: { relative: 0.05, absolute: 0 },
  'tokens/s': { relative: 0.05, absolute: 0.5 },
};

/** Whether a change from `a` to `b` is beyond `floor` (both bounds exceeded). */
export function exceedsNoise(floor: NoiseFloor, a: number, b: number): boolean {
  const delta = Math.abs(b - a);
  if (delta <= floor.absolute) return false;
  return a === 0 ? delta > 0 : delta / Math.abs(a) > floor.relative;
}

export interface FigureDef {
  /** Stable camelCase identifier: the key in the JSON report's `figures`. */
  readonly key: string;
  /** Label in human-readable reports. */
  readonly label: string;
  readonly unit: FigureUnit;
  /** Which way is an improvement (`npm run compare`); `none` for figures that describe the load. */
  readonly better: Better;
  /** Unit as printed after the value (e.g. `conn/sec` for a `/s` figure). */
  readonly unitText: string;
  readonly section: FigureSection;
  /** Where the value comes from, for docs and tooltips. */
  readonly description: string;
  /** Changes within it are noise for `npm run compare` (NOISE_BY_UNIT unless set per figure). */
  readonly noise: NoiseFloor;
}

function fig<K extends string>(
  key: K,
  label: string,
  unit: FigureUnit,
  better: Better,
  section: FigureSection,
  description: string,
  unitText: string = unit,
  noise: NoiseFloor = NOISE_BY_UNIT[unit],
): FigureDef & { readonly key: K } {
  return { key, label, unit, better, unitText, section, description, noise };
}

const FIGURES = [
  // The seed's "Final Metrics" block.
  fig('totalConnections', 'Total Connections', 'count', 'none', 'Final Metrics', '`sse_streams_opened` count'),
  fig('totalEvents', 'Total Events', 'count', 'none', 'Final Metrics', "the extension's `sse_event` count (else the sum of `sse_events_per_stream`)"),
  fig('ttfeAvgMs', 'Average TTFE', 'ms', 'lower', 'Final Metrics', '`sse_ttfe` avg'),
  fig('ttfeSamples', 'TTFE Samples', 'count', 'none', 'Final Metrics', '`sse_ttfe` count'),
  // The seed's "Overall Rates" block, plus k6's request rate.
  fig('connectionRate', 'Connection Rate', '/s', 'higher', 'Overall Rates', 'total connections / test run duration', 'conn/sec'),
  fig('eventThroughput', 'Event Throughput', '/s', 'higher', 'Overall Rates', 'total events / test run duration', 'events/sec'),
  fig('requestsPerSecond', 'Requests per Second', '/s', 'higher', 'Overall Rates', '`http_reqs` rate (the extension counts a stream when it ends)', 'req/sec'),
  fig('goodputPerSecond', 'Goodput', '/s', 'higher', 'Overall Rates', '`sse_goodput` passes / test run duration (streams that succeeded within every SLO_* limit)', 'streams/sec'),
  // Latency.
  fig('ttfeMedMs', 'TTFE p50', 'ms', 'lower', 'Latency', '`sse_ttfe` med'),
  fig('ttfeP95Ms', 'TTFE p95', 'ms', 'lower', 'Latency', '`sse_ttfe` p(95)'),
  fig('ttfeP99Ms', 'TTFE p99', 'ms', 'lower', 'Latency', '`sse_ttfe` p(99)'),
  fig('ttftAvgMs', 'Average TTFT', 'ms', 'lower', 'Latency', '`sse_ttft` avg (first content event)'),
  fig('ttftMedMs', 'TTFT p50', 'ms', 'lower', 'Latency', '`sse_ttft` med'),
  fig('ttftP95Ms', 'TTFT p95', 'ms', 'lower', 'Latency', '`sse_ttft` p(95)'),
  fig('openTimeP95Ms', 'Open Time p95', 'ms', 'lower', 'Latency', '`sse_open_time` p(95) (request start → headers)'),
  // Streams.
  fig('streamDurationAvgMs', 'Average Stream Duration', 'ms', 'lower', 'Streams', '`sse_stream_duration` avg (first → last event)'),
  fig('streamDurationP95Ms', 'Stream Duration p95', 'ms', 'lower', 'Streams', '`sse_stream_duration` p(95)'),
  fig('gapMeanAvgMs', 'Average Inter-event Gap', 'ms', 'lower', 'Streams', '`sse_stream_gap_mean` avg (each stream\'s mean gap between events, averaged over streams)'),
  fig('gapMaxP95Ms', 'Longest Gap p95', 'ms', 'lower', 'Streams', '`sse_stream_gap_max` p(95) (each stream\'s longest gap between events: stalls)'),
  fig('eventsPerStreamAvg', 'Events per Stream', 'count', 'none', 'Streams', '`sse_events_per_stream` avg'),
  fig('dataReceived', 'Data Received', 'bytes', 'none', 'Streams', "k6's `data_received` count: bytes on the wire, headers and SSE framing included (the seed's total data volume)"),
  fig('dataBytes', 'Event Data', 'bytes', 'none', 'Streams', '`sse_data_bytes` count (UTF-8 bytes of event data; only with DATA_BYTES=true)'),
  fig('successRate', 'Success Rate', 'fraction', 'higher', 'Streams', '`sse_stream_success` rate, a fraction 0–1 (0.976 = 97.6 %)'),
  fig('goodputRate', 'Goodput Rate', 'fraction', 'higher', 'Streams', '`sse_goodput` rate, a fraction 0–1: share of streams that succeeded within every SLO_* limit'),
  fig('failedStreams', 'Failed Streams', 'count', 'lower', 'Streams', '`sse_errors` count (one per failed stream)'),
  fig('streamsOpenAtEnd', 'Streams Open at End', 'count', 'lower', 'Streams', '`sse_streams_opened` − `sse_streams_closed` (cut off by the end of the test)'),
  fig('droppedIterations', 'Dropped Iterations', 'count', 'lower', 'Streams', '`dropped_iterations` count (arrival-rate profiles: load the run could not start)'),
  fig('vusMax', 'Max VUs', 'count', 'none', 'Streams', '`vus_max` max'),
  fig('testDurationMs', 'Test Duration', 'ms', 'none', 'Streams', 'k6 `state.testRunDurationMs`'),
  // LLM / Dify.
  fig('outputTokens', 'Output Tokens', 'count', 'none', 'LLM', '`llm_output_tokens` count'),
  fig('tokensPerSecondAvg', 'Average Tokens per Second', 'tokens/s', 'higher', 'LLM', '`llm_tokens_per_second` avg (per stream, after the first token)'),
  fig('timePerOutputTokenAvgMs', 'Average Time per Output Token', 'ms', 'lower', 'LLM', '`llm_time_per_output_token` avg'),
  fig('difyWorkflowAvgMs', 'Average Dify Workflow Time', 'ms', 'lower', 'LLM', '`dify_workflow_elapsed` avg (server-reported)'),
] as const satisfies readonly FigureDef[];

export type FigureKey = (typeof FIGURES)[number]['key'];
export type Figures = Record<FigureKey, number | null>;

/** Every derived figure, in display order. */
export const REPORT_FIGURES: readonly FigureDef[] = FIGURES;
export const FIGURE_KEYS: readonly FigureKey[] = FIGURES.map((f) => f.key);

/** The definition of one figure (throws on an unknown key: a programming error). */
export function figureDef(key: FigureKey): FigureDef {
  const found = REPORT_FIGURES.find((f) => f.key === key);
  if (!found) throw new Error(`unknown report figure: ${key}`);
  return found;
}

/** `1234567` → `1.23 MB` (decimal units, as k6 prints data). */
export function humanBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(2)} ${units[unit]}`;
}

/**
 * A figure as printed in reports: `42.5 ms` (`62.50 s` from 10 s up), `2.60 conn/sec`, `99.50%` (a fraction 0.995), `2964`,
 * `1.23 MB`, `31.4 tokens/s`; `n/a` when the figure is null.
 */
export function formatFigure(def: FigureDef, value: number | null): string {
  if (value === null) return 'n/a';
  switch (def.unit) {
    case 'ms':
      if (value >= 10_000) return `${(value / 1000).toFixed(2)} s`;
      return `${value.toFixed(value >= 100 ? 0 : value >= 10 ? 1 : 2)} ms`;
    case '/s':
      return `${value.toFixed(2)} ${def.unitText}`;
    case 'fraction':
      return `${(value * 100).toFixed(2)}%`;
    case 'count':
      return Number.isInteger(value) ? String(value) : value.toFixed(2);
    case 'bytes':
      return humanBytes(value);
    case 'tokens/s':
      return `${value.toFixed(1)} tokens/s`;
  }
}

/** A noise floor in words, for docs and help: `5 % and 2 ms`, `0.1 percentage point`, `any change`. */
export function noiseText(unit: FigureUnit, floor: NoiseFloor): string {
  const parts: string[] = [];
  if (floor.relative > 0) parts.push(`${+(floor.relative * 100).toFixed(3)} %`);
  if (floor.absolute > 0) {
    const abs = +floor.absolute.toPrecision(6);
    parts.push(unit === 'fraction' ? `${+(floor.absolute * 100).toPrecision(6)} percentage point` : unit === 'count' || unit === 'bytes' ? String(abs) : `${abs} ${unit}`);
  }
  return parts.length === 0 ? 'any change' : parts.join(' and ');
}

/**
 * Marks a run whose load generator ran out of CPU (ReportJson.generatorSaturated): its
 * latencies include the generator's own queueing. Shown by every report of such a run.
 */
export const SATURATION_NOTE = 'generator saturated — results understate the target';

// ---- Ratings (the seed's bands) ----

export type RatingOp = '>' | '>=' | '<' | '<=';

export interface RatingBand {
  readonly label: string;
  /** The band applies when `value <op> bound`; bands are tried in order. */
  readonly op: RatingOp;
  readonly bound: number;
}

export interface RatingDef {
  readonly key: string;
  readonly title: string;
  /** The figure that is rated. */
  readonly figure: FigureKey;
  readonly bands: readonly RatingBand[];
  /** Label when no band applies. */
  readonly otherwise: string;
  /** The bands in words, for reports and docs. */
  readonly legend: string;
}

const RATING_LIST = [
  {
    key: 'requestsPerSecond',
    title: 'Requests per second',
    figure: 'requestsPerSecond',
    bands: [
      { label: 'Excellent', op: '>', bound: 50 },
      { label: 'Good', op: '>=', bound: 20 },
      { label: 'Acceptable', op: '>=', bound: 10 },
    ],
    otherwise: 'Needs Improvement',
    legend: 'Excellent > 50, Good 20–50, Acceptable 10–20, Needs Improvement < 10',
  },
  {
    key: 'ttfe',
    title: 'Time to first event (p95)',
    figure: 'ttfeP95Ms',
    bands: [
      { label: 'Excellent', op: '<', bound: 100 },
      { label: 'Acceptable', op: '<', bound: 500 },
    ],
    otherwise: 'Needs Improvement',
    legend: 'Excellent < 100 ms, Acceptable < 500 ms, else Needs Improvement',
  },
  {
    key: 'successRate',
    title: 'Success rate',
    figure: 'successRate',
    bands: [{ label: 'Production Ready', op: '>', bound: 0.99 }],
    otherwise: 'Needs Improvement',
    legend: 'Production Ready > 99%, else Needs Improvement',
  },
] as const satisfies readonly RatingDef[];

export type RatingKey = (typeof RATING_LIST)[number]['key'];
/** The seed's ratings, in display order. */
export const RATINGS: readonly RatingDef[] = RATING_LIST;

export interface Rating {
  readonly value: number | null;
  /** The band's label; `null` when the figure is null. */
  readonly label: string | null;
}
export type Ratings = Record<RatingKey, Rating>;

function holds(value: number, op: RatingOp, bound: number): boolean {
  switch (op) {
    case '>':
      return value > bound;
    case '>=':
      return value >= bound;
    case '<':
      return value < bound;
    case '<=':
      return value <= bound;
  }
}

/** The band label of `value` under `def`; `null` for a null value. */
export function rate(def: RatingDef, value: number | null): string | null {
  if (value === null) return null;
  return def.bands.find((b) => holds(value, b.op, b.bound))?.label ?? def.otherwise;
}

/** Every rating of a run's figures. */
export function rateFigures(figures: Figures): Ratings {
  const out = {} as Record<RatingKey, Rating>;
  for (const def of RATING_LIST) {
    const value = figures[def.figure];
    out[def.key] = { value, label: rate(def, value) };
  }
  return out;
}
