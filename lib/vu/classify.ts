/**
 * Fault → `error_type` (lib/error-types.ts): what the response and the `'error'` messages
 * say. A failed stream gets exactly one type (StreamTracker.finish): the response decides
 * first (no response, HTTP status, content type), then the first fault seen inside the
 * stream, then a missing terminal event.
 * Message patterns follow docs/xk6-sse-behaviour.md. Pure: no k6 import.
 */
import type { ErrorType } from '../error-types.ts';

/** What `sse.open` returned (`headers` may be missing when no response arrived). */
export interface StreamResponse {
  readonly status: number;
  readonly error: string;
  readonly headers?: Readonly<Record<string, string>> | null;
}

/** xk6-sse's `'error'` message for a field line it does not know: the stream goes on. */
const UNKNOWN_FIELD_PREFIX = 'unknown event:';

const TIMEOUT_PATTERNS = ['Client.Timeout', 'deadline exceeded', 'i/o timeout', 'timeout awaiting'] as const;

const isTimeoutMessage = (message: string): boolean => {
  for (let i = 0; i < TIMEOUT_PATTERNS.length; i++) if (message.includes(TIMEOUT_PATTERNS[i] as string)) return true;
  return false;
};

/** `res.status === 0`: no response. A deadline is `timeout`, anything else `connection_error`. */
export const classifyReadError = (message: string): ErrorType | null => {
  if (message.startsWith(UNKNOWN_FIELD_PREFIX)) return null;
  return isTimeoutMessage(message) ? 'timeout' : 'protocol_error';
};

/** The `Content-Type` header, found case-insensitively ('' when absent). */
export const contentType = (headers: Readonly<Record<string, string>> | null | undefined): string => {
  if (!headers) return '';
  for (const name in headers) {
    if (name.toLowerCase() === 'content-type') return headers[name] ?? '';
  }
  return '';
};

export const classifyResponse = (res: StreamResponse): ErrorType | null => {
  const status = res.status;
  if (status === 0) return isTimeoutMessage(res.error) ? 'timeout' : 'connection_error';
  if (status >= 400 && status < 500) return 'http_4xx';
  if (status < 200 || status >= 300) return 'http_5xx';
  return contentType(res.headers).trim().toLowerCase().startsWith('text/event-stream') ? null : 'invalid_response';
};
