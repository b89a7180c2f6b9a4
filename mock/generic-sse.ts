import { HttpError } from './http.ts';
import type { MockOptions } from './options.ts';
import type { StreamScript } from './script.ts';

/**
 * `GET /sse?events=N&interval=MS`: a plain SSE stream, `id: <seq>` and
 * `data: {"seq":…,"text":…}` per event, starting at TTFE, then the response ends.
 */
export function genericScript(): StreamScript {
  return {
    ping: null,
    tokensAtTtfe: true,
    start: () => [],
    token: (json, index) => `id: ${index}\ndata: {"seq":${index},"text":${json}}\n\n`,
    finish: () => [],
    error: () => ['event: error\ndata: {"message":"Mock fault: error_event"}\n\n'],
    failed: () => ['event: error\ndata: {"message":"Mock fault: workflow_failed"}\n\n'],
  };
}

function intParam(params: URLSearchParams, name: string, max: number): number | null {
  const raw = params.get(name);
  if (raw === null) return null;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n) || n < 0 || n > max) {
    throw new HttpError(400, 'invalid_param', `query parameter ${name}: expected an integer from 0 to ${max}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/** Applies `events` and `interval` from the query string over the request's options. */
export function genericOptions(o: MockOptions, query: string): MockOptions {
  const params = new URLSearchParams(query);
  const events = intParam(params, 'events', 100_000);
  const interval = intParam(params, 'interval', 60_000);
  if (events === null && interval === null) return o;
  return { ...o, tokens: events ?? o.tokens, tokenIntervalMs: interval ?? o.tokenIntervalMs };
}
