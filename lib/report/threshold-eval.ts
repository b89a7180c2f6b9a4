/**
 * k6's end-of-test threshold verdict, reproduced for a list of samples — what k6 v1.x does
 * when the test ends (grafana/k6 metrics/engine/engine.go `evaluateThresholds(false, …)`,
 * metrics/thresholds.go `Thresholds.Run`, metrics/sink.go):
 *
 * - every threshold is evaluated at the end, also on a metric that got no sample;
 * - a Counter with no sample has `count` 0 (and `rate` 0): `count>0` fails;
 * - a Trend with no sample has min = max = avg = med = p(N) = 0: `p(95)<500` PASSES;
 * - a Rate with no sample has no `rate` at all (k6 leaves it out to avoid 0/0): k6 logs
 *   "Threshold error" and skips the threshold, which leaves it PASSING (grafana/k6#4283).
 *
 * So a run in which no stream ended passes both `sse_ttfe: p(95)<500` and
 * `sse_stream_success: rate>0.99`; only a counter condition fails it (thresholds/default.json
 * has `sse_streams_closed: count>0` for that). Used by tests to check the bundled threshold
 * sets against the samples a run of build/sse.js records. Trend percentiles interpolate
 * linearly between ranks (k6's TrendSink before its HDR histogram; exact for the 0- and
 * 1-sample cases above). Pure.
 */
import { parseMetricKey } from './summary-data.ts';
import { parseThresholdExpression, thresholdMetricKind, type Thresholds } from '../init/thresholds.ts';

export interface EvalSample {
  readonly metric: string;
  readonly value: number;
  readonly tags: Readonly<Record<string, string>>;
}

export interface ThresholdVerdict {
  /** Metric or sub-metric key, e.g. `sse_errors{error_type:timeout}`. */
  readonly key: string;
  readonly expression: string;
  readonly ok: boolean;
  /** The aggregated value the expression compared; null when k6 had none (an empty Rate). */
  readonly value: number | null;
  /** k6 could not evaluate it (an empty Rate) and let it pass. */
  readonly skipped: boolean;
}

/** k6's percentile of sorted values: 0 for none, the one value for one, else linear between ranks. */
export function k6Percentile(sorted: readonly number[], fraction: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  if (n === 1) return sorted[0] ?? 0;
  const rank = fraction * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, n - 1);
  const a = sorted[lo] ?? 0;
  const b = sorted[hi] ?? 0;
  return a + (b - a) * (rank - lo);
}

/** The values k6 offers a threshold on this metric, by aggregation (`p(N)` computed on request). */
function sinkValues(kind: string, values: readonly number[], durationMs: number, percentiles: readonly number[]): Record<string, number> {
  switch (kind) {
    case 'counter': {
      const count = values.reduce((a, b) => a + b, 0);
      return { count, rate: durationMs > 0 ? count / (durationMs / 1000) : 0 };
    }
    case 'gauge':
      return { value: values.at(-1) ?? 0 };
    case 'rate': {
      if (values.length === 0) return {}; // no `rate`: k6 skips the threshold
      return { rate: values.filter((v) => v !== 0).length / values.length };
    }
    default: {
      const sorted = [...values].sort((a, b) => a - b);
      const out: Record<string, number> = {
        min: sorted[0] ?? 0,
        max: sorted.at(-1) ?? 0,
        avg: sorted.length === 0 ? 0 : sorted.reduce((a, b) => a + b, 0) / sorted.length,
        med: k6Percentile(sorted, 0.5),
      };
      for (const p of percentiles) out[`p(${p})`] = k6Percentile(sorted, p / 100);
      return out;
    }
  }
}

function holds(value: number, op: string, limit: number): boolean {
  switch (op) {
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
    case '>':
      return value > limit;
    case '>=':
      return value >= limit;
    case '!=':
      return value !== limit;
    default: // == and ===
      return value === limit;
  }
}

/** Every threshold of `thresholds` as k6 judges it at the end of a test that recorded `samples` over `durationMs`. */
export function evaluateThresholds(thresholds: Thresholds, samples: readonly EvalSample[], durationMs: number): ThresholdVerdict[] {
  const out: ThresholdVerdict[] = [];
  for (const [key, specs] of Object.entries(thresholds)) {
    const { metric, tags } = parseMetricKey(key);
    const kind = thresholdMetricKind(metric);
    if (kind === undefined) throw new Error(`evaluateThresholds: unknown metric ${metric}`);
    const values = samples.filter((s) => s.metric === metric && Object.entries(tags).every(([k, v]) => s.tags[k] === v)).map((s) => s.value);
    const expressions = specs.map((s) => (typeof s === 'string' ? s : s.threshold));
    const parsed = expressions.map((e) => {
      const p = parseThresholdExpression(e);
      if (p === null) throw new Error(`evaluateThresholds: ${key}: not a threshold expression: ${e}`);
      return p;
    });
    const sink = sinkValues(kind, values, durationMs, parsed.flatMap((p) => (p.percentile === null ? [] : [p.percentile])));
    parsed.forEach((p, i) => {
      const value = sink[p.aggregation];
      const expression = expressions[i] ?? '';
      if (value === undefined) out.push({ key, expression, ok: true, value: null, skipped: true });
      else out.push({ key, expression, ok: holds(value, p.op, p.limit), value, skipped: false });
    });
  }
  return out;
}

/** k6's exit verdict: every threshold held (exit 0), else exit 99. */
export function thresholdsPass(verdicts: readonly ThresholdVerdict[]): boolean {
  return verdicts.every((v) => v.ok);
}
