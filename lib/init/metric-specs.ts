/**
 * METRICS (lib/metric-defs.ts) reduced to what a VU needs to create its metric objects: built once
 * per test in the init-only module and handed to every VU in the VU plan (lib/vu-plan.ts).
 */
import { createMetrics, type MetricFactory, type MetricSpec, type SuiteMetrics } from '../vu/metric-create.ts';
import { usesConversations, type Config } from './config.ts';
import { METRICS, type MetricKey } from '../metric-defs.ts';

/** Every suite metric. */
export function metricSpecs(): MetricSpec[] {
  return (Object.keys(METRICS) as MetricKey[]).map((key) => {
    const def = METRICS[key];
    return [key, def.name, def.kind, def.isTime] as const;
  });
}

/** Every suite metric made at once from METRICS (tests, and code outside k6's per-VU path). */
export function createSuiteMetrics(factory: MetricFactory): SuiteMetrics {
  return createMetrics(metricSpecs(), factory);
}

/**
 * The metrics a VU of this configuration can record (each metric object costs a VU ~1.6 kB in
 * k6): without INTER_EVENT_SAMPLES no `sse_inter_event_time`, without DATA_BYTES no
 * `sse_data_bytes`, outside Dify no `dify_*`, without DATASET or TURNS no prompt/answer lengths,
 * with one turn no conversation counts, without CANCEL_RATE none of the cancel metrics. The
 * instance k6 reads options from creates all of them, so thresholds on any metric stay valid.
 */
export function recordableMetricSpecs(config: Pick<Config, 'target' | 'interEventSamples' | 'dataBytes' | 'workload' | 'cancel'>): MetricSpec[] {
  const dify = config.target === 'dify-workflow' || config.target === 'dify-chat';
  const skip = new Set<MetricKey>();
  if (!usesConversations(config.workload)) {
    skip.add('promptChars');
    skip.add('answerTokens');
  }
  if ((config.workload?.turns ?? 1) <= 1) {
    skip.add('conversationsStarted');
    skip.add('conversationsCompleted');
    skip.add('turnsPerConversation');
  }
  if (config.interEventSamples !== true) skip.add('interEventTime');
  if (config.dataBytes !== true) skip.add('dataBytes');
  if (config.cancel == null) {
    skip.add('streamsCancelled');
    skip.add('streamCancelled');
    skip.add('stopLatency');
    skip.add('stopFailed');
  } else if (config.cancel.stopPrefix === '') skip.add('stopFailed');
  if (!dify) {
    skip.add('difyNodeElapsed');
    skip.add('difyWorkflowElapsed');
  }
  return metricSpecs().filter((spec) => !skip.has(spec[0]));
}
