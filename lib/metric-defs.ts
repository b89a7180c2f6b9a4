/**
 * The suite's metrics: the one definition of their names, k6 types and meaning.
 * Scenarios create k6 metrics from this table (lib/vu/metrics.ts); reports, the
 * README table, the bench CLI and the Grafana dashboards import or are checked
 * against it. Pure data: no k6 import.
 */

export type MetricKind = 'trend' | 'counter' | 'rate';

export interface MetricDef {
  /** Exact k6 metric name. */
  readonly name: string;
  readonly kind: MetricKind;
  /** Trend values are milliseconds (k6 `isTime`). */
  readonly isTime: boolean;
  /** Tags this metric carries beyond `scenario` and `target` (which every metric has). */
  readonly extraTags: readonly string[];
  /** One line for docs and reports. */
  readonly description: string;
}

function def(
  name: string,
  kind: MetricKind,
  isTime: boolean,
  description: string,
  extraTags: readonly string[] = [],
): MetricDef {
  return { name, kind, isTime, extraTags, description };
}

/** Keyed by a short identifier; `METRICS.ttfe.name === 'sse_ttfe'`. */
export const METRICS = {
  openTime: def('sse_open_time', 'trend', true, 'request start → response headers'),
  ttfe: def('sse_ttfe', 'trend', true, 'request start → first SSE event that is not a keep-alive (`ping`, comment-only); with TURNS > 1 tagged `turn` (`1`, `2`, `3`, `4+`)', ['turn']),
  ttft: def('sse_ttft', 'trend', true, 'request start → first content event (first token); `stream` scenario only; with TURNS > 1 tagged `turn` (`1`, `2`, `3`, `4+`)', ['turn']),
  streamDuration: def('sse_stream_duration', 'trend', true, 'first event → last event'),
  gapMean: def('sse_stream_gap_mean', 'trend', true, 'mean gap between consecutive events of one stream (one sample per stream with ≥ 2 events); `stream` scenario only'),
  gapMax: def('sse_stream_gap_max', 'trend', true, 'longest gap between consecutive events of one stream (stalls); `stream` scenario only'),
  interEventTime: def('sse_inter_event_time', 'trend', true, 'gap between consecutive events, one sample per event; only with INTER_EVENT_SAMPLES=true (memory grows with events)'),
  eventsPerStream: def('sse_events_per_stream', 'trend', false, 'events in one stream'),
  dataBytes: def('sse_data_bytes', 'counter', false, 'UTF-8 bytes of event data received, one sample per stream; only with DATA_BYTES=true (else see k6\'s `data_received`); `stream` scenario only'),
  streamsOpened: def('sse_streams_opened', 'counter', false, 'streams started (active = opened − closed)'),
  streamsClosed: def('sse_streams_closed', 'counter', false, 'streams ended, however they ended'),
  streamSuccess: def('sse_stream_success', 'rate', false, '1 per stream: 2xx `text/event-stream`, terminal event seen, no fault on the way; else 0'),
  goodput: def('sse_goodput', 'rate', false, '1 per stream that succeeded and met every per-stream SLO (SLO_TTFE, SLO_TTFT, SLO_TPOT); else 0'),
  errors: def('sse_errors', 'counter', false, 'failed streams, one per stream, by `error_type`', ['error_type']),
  streamsCancelled: def('sse_streams_cancelled', 'counter', false, 'streams the client stopped (CANCEL_RATE): neither success nor error, so absent from `sse_stream_success`, `sse_goodput` and `sse_errors`; `stream` scenario only'),
  streamCancelled: def('sse_stream_cancelled', 'rate', false, '1 per `stream`-scenario stream the client stopped, else 0; only with CANCEL_RATE'),
  stopLatency: def('sse_stop_latency', 'trend', true, 'stop sent (Dify\'s stop request, or the client closing the connection) → the stream ended (its end event, or the server closing); only with CANCEL_RATE'),
  stopFailed: def('sse_stop_failed', 'counter', false, 'Dify stop requests not answered 2xx (the stream then runs to its own end and counts as usual); only with CANCEL_RATE'),
  difyNodeElapsed: def('dify_node_elapsed', 'trend', true, 'server-reported node time from `node_finished`; `stream` scenario only', ['node_type']),
  difyWorkflowElapsed: def('dify_workflow_elapsed', 'trend', true, 'server-reported workflow time from `workflow_finished`'),
  llmOutputTokens: def('llm_output_tokens', 'counter', false, 'output tokens: usage from the stream when present, else content events; `stream` scenario only'),
  llmTokensPerSecond: def('llm_tokens_per_second', 'trend', false, 'output tokens per second after the first token, per stream; `stream` scenario only'),
  llmTimePerOutputToken: def('llm_time_per_output_token', 'trend', true, 'time per output token after the first, per stream; `stream` scenario only'),
  promptChars: def('sse_prompt_chars', 'trend', false, 'characters of the prompt (the user turn) one request sends; only with DATASET or TURNS > 1'),
  answerTokens: def('llm_answer_tokens', 'trend', false, 'output tokens of one answer, as `llm_output_tokens` counts them, one sample per stream (their distribution); only with DATASET or TURNS > 1; `stream` scenario only'),
  conversationsStarted: def('sse_conversations_started', 'counter', false, 'conversations begun (one per `stream` iteration); only with TURNS > 1'),
  conversationsCompleted: def('sse_conversations_completed', 'counter', false, 'conversations whose every turn succeeded; only with TURNS > 1'),
  turnsPerConversation: def('sse_turns_per_conversation', 'trend', false, 'turns that succeeded in one conversation (a failed turn ends it); only with TURNS > 1'),
} as const satisfies Record<string, MetricDef>;

export type MetricKey = keyof typeof METRICS;

export const METRIC_LIST: readonly MetricDef[] = Object.values(METRICS);

/** Tags every suite metric carries (`scenario` is k6's system tag, `target` a test-wide tag). */
export const COMMON_TAGS = ['scenario', 'target'] as const;

/** The extension's own counter: never define a metric with this name. */
export const EXTENSION_EVENT_METRIC = 'sse_event';

/**
 * Every metric a run of the suite records that dashboards and gates read: the suite's own
 * plus the extension's `sse_event` (recorded by xk6-sse, so not created by lib/vu/metrics.ts).
 */
export const RECORDED_METRICS: readonly MetricDef[] = [
  ...METRIC_LIST,
  def(EXTENSION_EVENT_METRIC, 'counter', false, 'events dispatched by xk6-sse, keep-alives included'),
];
