/**
 * How k6's remote-write output (`--out experimental-prometheus-rw`) names the series of a
 * suite metric, and the two settings its native-histogram mode needs. The dashboards
 * (grafana/dashboards.ts), the distributed gate (deploy/k6-operator/gate-checks.ts) and
 * the tests build every `k6_…` name here, from lib/metric-defs.ts. Pure: no k6 import.
 *
 * k6's naming (internal/output/prometheusrw/remotewrite in grafana/k6):
 * - counter `k6_<name>_total`, rate `k6_<name>_rate`;
 * - trend, default mode: one gauge per K6_PROMETHEUS_RW_TREND_STATS stat, `k6_<name>_<stat>`
 *   (`p(95)` → `p95`), values cumulative since the generator started;
 * - trend with K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM=true: one native histogram
 *   `k6_<name>_<base unit>` — `_seconds` for time trends (values converted from ms),
 *   nothing for unitless ones — cumulative since the generator started, bucket factor 1.1
 *   (schema 3: bucket bounds grow by 2^(1/8) ≈ 1.0905). No trend-stat gauges then.
 * Labels are the sample's tags (empty values dropped) on every kind.
 */
import type { MetricDef } from './metric-defs';

export const K6_RW_PREFIX = 'k6_';

/** k6's setting that makes the output write Trends as native histograms. */
export const NATIVE_HISTOGRAM_ENV = 'K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM';

/** The Prometheus (2.40 and later 2.x) flag without which native histograms are refused. */
export const PROMETHEUS_NATIVE_HISTOGRAM_FLAG = '--enable-feature=native-histograms';

/**
 * The native-histogram schema k6 ends up with: client_golang picks the largest schema whose
 * bucket growth 2^(2^-schema) does not exceed the requested factor (k6 asks for 1.1).
 */
export const K6_NATIVE_HISTOGRAM_SCHEMA = 3;

/** Worst relative distance between a value and its bucket's bounds for a schema: 2^(2^-schema) − 1. */
export const bucketGrowth = (schema: number): number => 2 ** (2 ** -schema) - 1;

export const rwCounterName = (metric: string): string => `${K6_RW_PREFIX}${metric}_total`;
export const rwRateName = (metric: string): string => `${K6_RW_PREFIX}${metric}_rate`;

/** The series suffix of a trend stat as k6 writes it: `p(95)` → `p95`, `p(99.9)` → `p999`, `avg` → `avg`. */
export function rwStatSuffix(stat: string): string {
  const p = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat);
  return p === null ? stat : `p${(p[1] ?? '').replace('.', '')}`;
}

/** A trend-stat gauge: `rwTrendStatName('sse_ttfe', 'p(95)')` → `k6_sse_ttfe_p95` (also accepts `p95`). */
export const rwTrendStatName = (metric: string, stat: string): string => `${K6_RW_PREFIX}${metric}_${rwStatSuffix(stat)}`;

/** A trend's native histogram: `k6_sse_ttfe_seconds`, `k6_llm_tokens_per_second`. */
export function rwNativeHistogramName(metric: MetricDef): string {
  if (metric.kind !== 'trend') throw new Error(`${metric.name} is a ${metric.kind}: only trends become native histograms`);
  return `${K6_RW_PREFIX}${metric.name}${metric.isTime ? '_seconds' : ''}`;
}
