/**
 * The reference every cost figure of the suite is measured against: what any k6 script that
 * reads an SSE stream must do per event — read `data` once, skip keep-alives (no data), and
 * `JSON.parse` it — plus the one thing needed to compare TTFE: the time of the first event.
 * `build/bare.js` registers it with `k6/x/sse`; perf/handler-cost.ts replays streams through
 * the same function. Pure: no k6 import.
 */
import type { SseEvent } from 'k6/x/sse';

/** The environment variable that carries build/bare.js's request (JSON `{url, params}`): one name for the script and the bench. */
export const BARE_REQUEST_VAR = 'BARE_REQUEST';

export interface BareHandler {
  /** Request start: the next event with data is the stream's first. */
  begin(): void;
  readonly onEvent: (event: SseEvent) => void;
}

/** `onFirst(ms)` gets request start → first event with data, once per stream. */
export function createBareHandler(onFirst: (ttfeMs: number) => void): BareHandler {
  let start = 0;
  let first = true;
  return {
    begin() {
      start = Date.now();
      first = true;
    },
    onEvent(event) {
      const data = event.data;
      if (data === '') return;
      if (first) {
        first = false;
        onFirst(Date.now() - start);
      }
      try {
        JSON.parse(data);
      } catch {
        // `[DONE]` and non-JSON payloads: a bare script ignores them too
      }
    },
  };
}
