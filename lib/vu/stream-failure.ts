/**
 * Why a stream failed: fault → `error_type` (lib/error-types.ts) from what the response and the
 * `'error'` messages say, the failure's reason in words, and the cached `error_type` tag objects.
 * A failed stream gets exactly one type (lib/vu/stream-tracker.ts `finish`): the response
 * decides first (no response, HTTP status, content type), then the first fault seen inside the
 * stream, then a missing terminal event. Message patterns follow docs/xk6-sse-behaviour.md.
 *
 * When it runs: only once a VU meets its first failure. The per-stream success path needs only
 * `isEventStream`; everything else is made by `createStreamFailures()`, which the tracker calls
 * on the first failure (each function object costs every VU memory in k6, so code a healthy run
 * never needs is not made in its VUs). Pure: no k6 import.
 */
import type { ErrorType } from '../error-types.ts';
import type { Tags } from './stream-tracker.ts';

/** What `sse.open` returned (`headers` may be missing when no response arrived). */
export interface StreamResponse {
  readonly status: number;
  readonly error: string;
  readonly headers?: Readonly<Record<string, string>> | null;
}

/** Strings of the failure path, inlined where used (a `const enum`: no module binding per VU). */
export const enum FailureText {
  /** Appended to the reason of an HTTP failure that came with no body the script could read. */
  NoBody = '(body not readable through xk6-sse: empty, or no final newline)',
  /** xk6-sse's `'error'` message for a field line it does not know: the stream goes on. */
  UnknownField = 'unknown event: ',
}
/** FailureText.NoBody by name, for tests and code outside the bundle. */
export const NO_BODY_NOTE: string = FailureText.NoBody;

/** The `Content-Type` header, found case-insensitively ('' when absent). */
export const contentType = (headers: Readonly<Record<string, string>> | null | undefined): string => {
  if (!headers) return '';
  for (const name in headers) {
    if (name.toLowerCase() === 'content-type') return headers[name] ?? '';
  }
  return '';
};

/** A 2xx `text/event-stream` answer: the per-stream test of the success path (the tracker's `finish`). */
export const isEventStream = (res: StreamResponse): boolean => {
  return res.status >= 200 && res.status < 300 && contentType(res.headers).trim().toLowerCase().startsWith('text/event-stream');
};

/** What the tracker knows of a failed stream when it asks for the reason. */
export interface FailureFacts {
  /** The first event's data, or the first unknown field line ('' when none: no body line arrived). */
  readonly firstData: string;
  readonly events: number;
  /** The text of the first fault inside the stream (event data, Go error message). */
  readonly faultReason: string;
}

export interface StreamFailures {
  /** The error type of a response that is not a 2xx `text/event-stream`. */
  responseType(res: StreamResponse): ErrorType;
  /** An `'error'` message inside the stream: its type, or `null` for an unknown field line (the stream goes on). */
  readErrorType(message: string): ErrorType | null;
  /** Why the stream failed, for the failure log. */
  reason(type: ErrorType, res: StreamResponse, facts: FailureFacts): string;
  /** The frozen `{ error_type }` tag object of a type, made once per type and VU. */
  tag(type: ErrorType): Tags;
}

/** The failure path of one VU: call once, on the first failure, and keep it. */
export const createStreamFailures = (): StreamFailures => {
  const timeoutPatterns = ['Client.Timeout', 'deadline exceeded', 'i/o timeout', 'timeout awaiting'];
  const isTimeoutMessage = (message: string): boolean => {
    for (let i = 0; i < timeoutPatterns.length; i++) if (message.includes(timeoutPatterns[i] as string)) return true;
    return false;
  };
  // Longest piece of a body or event kept as a reason (lib/vu/failure-log.ts bounds it again).
  const excerpt = (text: string): string => (text.length > 200 ? text.slice(0, 200) : text);
  // Plain object, not a Map (Sobek would build the Map prototype in the VU).
  const tags: Partial<Record<ErrorType, Tags>> = {};
  return {
    responseType(res) {
      const status = res.status;
      if (status === 0) return isTimeoutMessage(res.error) ? 'timeout' : 'connection_error';
      if (status >= 400 && status < 500) return 'http_4xx';
      if (status < 200 || status >= 300) return 'http_5xx';
      return 'invalid_response';
    },
    readErrorType(message) {
      if (message.startsWith(FailureText.UnknownField)) return null;
      return isTimeoutMessage(message) ? 'timeout' : 'protocol_error';
    },
    reason(type, res, facts) {
      // xk6-sse hands over a body only as SSE lines, and drops a last line without `\n`: say so when none came.
      const body = facts.firstData === '' ? ` ${FailureText.NoBody}` : `: ${excerpt(facts.firstData)}`;
      switch (type) {
        case 'connection_error':
          return res.error;
        case 'timeout':
          return res.status === 0 ? res.error : facts.faultReason;
        case 'http_4xx':
        case 'http_5xx':
          return `status ${res.status}${body}`;
        case 'invalid_response':
          return `status ${res.status}, content type "${contentType(res.headers)}"${body}`;
        case 'early_termination':
          return `the stream ended after ${facts.events} event${facts.events === 1 ? '' : 's'} without its terminal event`;
        default:
          return excerpt(facts.faultReason);
      }
    },
    tag(type) {
      return (tags[type] ??= Object.freeze({ error_type: type }));
    },
  };
};
