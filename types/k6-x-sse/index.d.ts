/**
 * Type declarations for the community extension `k6/x/sse` (xk6-sse), written from
 * the observed behaviour on k6 v1.3 (docs/xk6-sse-behaviour.md summarises it).
 * No types are published upstream.
 */
declare module 'k6/x/sse' {
  import type { CookieJar } from 'k6/http';

  /** Options of `sse.open`. */
  export interface Params {
    /** HTTP method, default `GET`. */
    method?: string;
    /** Request body. Leading and trailing white space is trimmed by the extension. */
    body?: string;
    /** Request headers. `Accept: text/event-stream` and k6's User-Agent are set unless overridden. */
    headers?: Record<string, string>;
    /** Custom tags added to the extension's own metrics (`sse_event`, `http_reqs`, …). */
    tags?: Record<string, string>;
    /** A `k6/http` cookie jar. */
    jar?: CookieJar;
    /**
     * Deadline for the whole request (headers and body) as a Go duration string,
     * e.g. `"30s"` or `"1500ms"`. None by default. An invalid string throws.
     */
    timeout?: string;
  }

  /** One dispatched SSE event. Every field is a string, `""` when absent. */
  export interface SseEvent {
    id: string;
    name: string;
    data: string;
    comment: string;
  }

  /** What the `'error'` handler receives; `error()` returns the message. */
  export interface SseError {
    error(): string;
  }

  export interface Client {
    on(event: 'open', handler: () => void): void;
    on(event: 'event', handler: (event: SseEvent) => void): void;
    on(event: 'error', handler: (error: SseError) => void): void;
    /** Aborts the stream at once; `sse.open` returns right after. */
    close(): void;
  }

  /** Result of `sse.open`, known only once the stream has ended. */
  export interface Response {
    /** The request URL; `""` when no response arrived. */
    url: string;
    /** HTTP status; `0` when no response headers arrived (refused, DNS, header timeout). */
    status: number;
    /** Response headers; repeated headers joined by `", "`. `null` when no response arrived. */
    headers: Record<string, string> | null;
    /** `""` on success, otherwise the transport error message. */
    error: string;
  }

  /**
   * Opens a stream and **blocks** until it ends. `setup` runs once the response
   * headers have arrived (never on connection failure). Throws in the init context,
   * on an invalid `timeout`, when `setup` or a handler throws, and — with k6's `throw`
   * option (`--throw`, `K6_THROW=true`) — on a connection failure instead of returning
   * status 0.
   */
  export function open(url: string, params: Params | null, setup: (client: Client) => void): Response;
  export function open(url: string, setup: (client: Client) => void): Response;

  const sse: { open: typeof open };
  export default sse;
}
