/**
 * The marker BREAKDOWN=true appends to each `stream`-scenario question, ` [sb-<iterationInTest>]`:
 * the question reaches the model (Dify puts it into the LLM prompt), so the embedded mock, as the
 * model, can tell which client stream a model request belongs to (mock/model-log.ts). build/sse.js
 * writes the same text inline (scenarios/sse.ts: no binding per VU); a bundle test checks they agree.
 * Plain data.
 */
export const breakdownMarker = (streamKey: number): string => ` [sb-${streamKey}]`;

/** Finds the marker in a prompt; group 1 is the stream's id (`sb-<n>`). */
export const BREAKDOWN_MARKER = /\[(sb-\d+)\]/;

/** The prefix of the per-stream log line lib/vu/breakdown.ts writes (console.log → k6's log). */
export const BREAKDOWN_LOG_PREFIX = 'sse-bench breakdown ';
