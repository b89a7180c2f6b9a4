/**
 * Why streams fail, in one line: the k6 warning a VU logs the first time each `error_type`
 * occurs in it (lib/vu/sse-session.ts), and the parser the bench CLI uses to collect those lines
 * from k6's log into its failures table. One format, defined here.
 *
 *   sse-bench failure error_type=http_4xx: status 401: {"code": "unauthorized", …}
 *
 * The reason is bounded (REASON_MAX characters, one line) and never holds the API key. An HTTP
 * failure whose body the script never saw says so (NO_BODY_NOTE): xk6-sse reads a 4xx/5xx body as
 * SSE lines and drops a last line without a final newline, which is how vLLM, FastAPI and many
 * gateways end their JSON errors (Dify ends its with a newline, so its reason shows).
 * Pure: no k6 import.
 */
import { ERROR_TYPES, type ErrorType } from '../error-types.ts';
import { REDACTED } from '../secrets.ts';

export const FAILURE_LOG_PREFIX = 'sse-bench failure error_type=';
/** Longest reason logged (the issue: the first 200 bytes of a body, plus its status). */
const REASON_MAX = 240;
const LINE_BREAKS = '\r\n\t\v\f';

/** Appended to the reason of an HTTP failure that came with no body the script could read (lib/vu/stream-tracker.ts). */
export const NO_BODY_NOTE = '(body not readable through xk6-sse: empty, or no final newline)';

/**
 * The message of the warning (k6 adds its own `level=warning` framing): the reason fit for a log
 * line — one line, at most REASON_MAX characters, the key replaced.
 */
export const failureLogMessage = (type: ErrorType, reason: string, apiKey: string): string => {
  // Line breaks and tabs to spaces without a regex: a VU's first regex makes Sobek build the
  // RegExp prototype for that VU (measured in k6's CPU profile of 3,000 VUs).
  let text = reason;
  for (let i = 0; i < LINE_BREAKS.length; i++) {
    const c = LINE_BREAKS[i] as string;
    if (text.indexOf(c) >= 0) text = text.split(c).join(' ');
  }
  text = text.trim();
  if (apiKey !== '') text = text.split(apiKey).join(REDACTED);
  if (text.length > REASON_MAX) text = `${text.slice(0, REASON_MAX - 1)}…`;
  return `${FAILURE_LOG_PREFIX}${type}: ${text || '(no detail)'}`;
};

export interface FailureLogEntry {
  readonly errorType: ErrorType;
  readonly reason: string;
}

/** Reads a message written by failureLogMessage back; `null` for any other text. */
export const parseFailureLogMessage = (message: string): FailureLogEntry | null => {
  const at = message.indexOf(FAILURE_LOG_PREFIX);
  if (at < 0) return null;
  const rest = message.slice(at + FAILURE_LOG_PREFIX.length);
  const colon = rest.indexOf(': ');
  if (colon < 0) return null;
  const type = rest.slice(0, colon);
  if (!(ERROR_TYPES as readonly string[]).includes(type)) return null;
  return { errorType: type as ErrorType, reason: rest.slice(colon + 2) };
};

/**
 * The failure listener of one VU: logs the first failure of each error type with its reason,
 * and nothing after that (a run of a million refused connections logs one line per VU).
 */
export const failureLogger = (apiKey: string, warn: (message: string) => void): (type: ErrorType, reason: string) => void => {
  const logged: Partial<Record<ErrorType, true>> = {};
  return (type, reason) => {
    if (logged[type]) return;
    logged[type] = true;
    warn(failureLogMessage(type, reason, apiKey));
  };
};
