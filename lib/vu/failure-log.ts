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
import { Secret } from '../secrets.ts';

/** The line's fixed parts (a `const enum`: inlined, no module binding in every VU). */
const enum FailureLine {
  Prefix = 'sse-bench failure error_type=',
  /** Longest reason logged (the issue: the first 200 bytes of a body, plus its status). */
  ReasonMax = 240,
  LineBreaks = '\r\n\t\v\f',
}
export const FAILURE_LOG_PREFIX: string = FailureLine.Prefix;

export { NO_BODY_NOTE } from './stream-failure.ts';

export interface FailureLogEntry {
  readonly errorType: ErrorType;
  readonly reason: string;
}

/** Reads a message written by failureLogMessage back; `null` for any other text. */
export const parseFailureLogMessage = (message: string): FailureLogEntry | null => {
  const at = message.indexOf(FailureLine.Prefix);
  if (at < 0) return null;
  const rest = message.slice(at + FAILURE_LOG_PREFIX.length);
  const colon = rest.indexOf(': ');
  if (colon < 0) return null;
  const type = rest.slice(0, colon);
  if (!(ERROR_TYPES as readonly string[]).includes(type)) return null;
  return { errorType: type as ErrorType, reason: rest.slice(colon + 2) };
};

/**
 * The failure listener of one VU: warns (`warn`: console.warn, a k6 warning) the first failure of
 * each error type with its reason, and nothing after that (a run of a million refused connections
 * logs one line per VU). The message is the reason fit for a log line — one line, at most
 * FailureLine.ReasonMax characters, the key replaced — built here, in the one closure a VU keeps.
 */
export const failureLogger = (apiKey: string, warn: (message: string) => void): ((type: ErrorType, reason: string) => void) => {
  const logged: Partial<Record<ErrorType, true>> = {};
  return (type, reason) => {
    if (logged[type]) return;
    logged[type] = true;
    // Line breaks and tabs to spaces without a regex: a VU's first regex makes Sobek build the
    // RegExp prototype for that VU (measured in k6's CPU profile of 3,000 VUs).
    let text = reason;
    const breaks: string = FailureLine.LineBreaks;
    for (let i = 0; i < breaks.length; i++) {
      const c = breaks[i] as string;
      if (text.indexOf(c) >= 0) text = text.split(c).join(' ');
    }
    text = text.trim();
    if (apiKey !== '') text = text.split(apiKey).join(Secret.Redacted);
    if (text.length > FailureLine.ReasonMax) text = `${text.slice(0, FailureLine.ReasonMax - 1)}…`;
    warn(`${FailureLine.Prefix}${type}: ${text || '(no detail)'}`);
  };
};

/** The message failureLogger warns for a failure (tests, and code outside the bundle). */
export const failureLogMessage = (type: ErrorType, reason: string, apiKey: string): string => {
  let line = '';
  failureLogger(apiKey, (message) => {
    line = message;
  })(type, reason);
  return line;
};
