/**
 * A small, hand-checkable run of the suite as two load generators would record it
 * (k6-operator runners `instance_id` 1 and 2): the samples k6 hands to its outputs.
 * The live InfluxDB and Prometheus tests write these in each output's format and run
 * the dashboard's queries against them; the expected figures are worked out by hand
 * in the tests, not computed from this data.
 *
 * Timeline (seconds after t0), scenario `stream`, target `dify-workflow`, testid `t1`:
 *   generator 1: opens at 1, 2, 3; closes at 61, 62 (ok) and 121 (timeout); opens at 122, 123
 *   generator 2: opens at 4, 5, 64, 65; closes at 124, 125 (ok), 126 (timeout), 127 (http_5xx)
 *   → active streams per minute: 5, 5, 2 (opened 9, closed 7)
 * Noise that the scenario filter must drop: 100 `burst` streams opened at 10 s, never closed.
 */
import { METRICS, RECORDED_METRICS, EXTENSION_EVENT_METRIC, type MetricKind } from '../../lib/metric-defs.ts';

export interface FixtureSample {
  readonly metric: string;
  readonly kind: MetricKind;
  /** Time trend (ms): Prometheus remote write stores it in seconds. */
  readonly isTime: boolean;
  /** Milliseconds after t0. */
  readonly atMs: number;
  readonly value: number;
  readonly tags: Readonly<Record<string, string>>;
}

export const FIXTURE_TESTID = 't1';

/** Every metric a run records: the suite's (lib/metric-defs.ts) and the extension's `sse_event` counter. */

const defsByName = new Map(RECORDED_METRICS.map((m) => [m.name, m]));

function sampleMaker(instance: number, scenario = 'stream') {
  return (metric: string, atS: number, value: number, extra: Record<string, string> = {}): FixtureSample => {
    const def = defsByName.get(metric);
    if (def === undefined) throw new Error(`fixture uses unknown metric ${metric}`);
    return {
      metric,
      kind: def.kind,
      isTime: def.isTime,
      atMs: Math.round(atS * 1000),
      value,
      tags: { instance_id: String(instance), scenario, target: 'dify-workflow', testid: FIXTURE_TESTID, ...extra },
    };
  };
}

const g1 = sampleMaker(1);
const g2 = sampleMaker(2);
const burst = sampleMaker(1, 'burst');
const M = METRICS;

/** One ended stream: closed, success or not, its error and its TTFE. */
function ended(s: ReturnType<typeof sampleMaker>, atS: number, ok: boolean, ttfeMs: number, errorType?: string): FixtureSample[] {
  const out = [
    s(M.streamsClosed.name, atS, 1),
    s(M.streamSuccess.name, atS + 0.001, ok ? 1 : 0),
    s(M.goodput.name, atS + 0.0015, ok && ttfeMs <= 200 ? 1 : 0),
    s(M.openTime.name, atS + 0.0015, ttfeMs - 20),
    s(M.ttfe.name, atS + 0.002, ttfeMs),
    s(M.ttft.name, atS + 0.004, ttfeMs + 50),
    s(M.streamDuration.name, atS + 0.005, 2000),
    s(M.gapMean.name, atS + 0.006, 40),
    s(M.gapMax.name, atS + 0.0065, 90),
    s(M.difyWorkflowElapsed.name, atS + 0.007, 1500),
  ];
  if (errorType !== undefined) out.push(s(M.errors.name, atS + 0.003, 1, { error_type: errorType }));
  return out;
}

/** `count` events, one every 0.1 s from `fromS` (the extension's counter carries url and status). */
const events = (s: ReturnType<typeof sampleMaker>, fromS: number, count: number): FixtureSample[] =>
  Array.from({ length: count }, (_, i) => s(EXTENSION_EVENT_METRIC, fromS + i * 0.1, 1, { status: '200', url: 'http://127.0.0.1:5001/v1/workflows/run' }));

export const FIXTURE_SAMPLES: readonly FixtureSample[] = [
  ...[1, 2, 3].map((t) => g1(M.streamsOpened.name, t, 1)),
  ...[4, 5, 64, 65].map((t) => g2(M.streamsOpened.name, t, 1)),
  ...Array.from({ length: 100 }, (_, i) => burst(M.streamsOpened.name, 10 + i * 0.01, 1)),
  ...ended(g1, 61, true, 100),
  ...ended(g1, 62, true, 200),
  ...ended(g1, 121, false, 300, 'timeout'),
  ...[122, 123].map((t) => g1(M.streamsOpened.name, t, 1)),
  ...ended(g2, 124, true, 150),
  ...ended(g2, 125, true, 250),
  ...ended(g2, 126, false, 350, 'timeout'),
  ...ended(g2, 127, false, 450, 'http_5xx'),
  ...events(g1, 20, 30),
  ...events(g2, 30, 40),
  ...[100, 200, 300, 400].map((v, i) => g1(M.difyNodeElapsed.name, 70 + i, v, { node_type: 'llm' })),
  ...[5, 6].map((v, i) => g2(M.difyNodeElapsed.name, 80 + i, v, { node_type: 'code' })),
  g1(M.llmOutputTokens.name, 61.5, 60),
  g2(M.llmOutputTokens.name, 124.5, 80),
  g1(M.llmTokensPerSecond.name, 61.6, 20),
  g1(M.llmTokensPerSecond.name, 62.6, 30),
  g2(M.llmTokensPerSecond.name, 124.6, 40),
].sort((a, b) => a.atMs - b.atMs);
