/**
 * The `error_type` tag values of `sse_errors`: one per way a stream can fail.
 * A failed stream is counted once, under the first fault that decided it.
 */
export const ERROR_TYPES = [
  'connection_error', // no response: refused, DNS failure, reset before headers
  'timeout', // STREAM_TIMEOUT passed (before headers, or while the body streamed or stalled)
  'http_4xx', // response status 400–499
  'http_5xx', // response status 500–599 (and any other non-2xx)
  'invalid_json', // a `data` payload the target must parse was not JSON
  'invalid_response', // 2xx but not `text/event-stream`
  'protocol_error', // the stream broke mid-way (reset, read error)
  'server_error_event', // a Dify `error` event or a failed workflow
  'early_termination', // the stream ended without a terminal event
] as const;

export type ErrorType = (typeof ERROR_TYPES)[number];
