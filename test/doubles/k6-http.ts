/**
 * Double of `k6/http`'s `post` (all build/sse.js uses of it: Dify's stop request under
 * CANCEL_RATE, sent from inside an SSE event handler). Synchronous like k6's: the virtual clock
 * moves on by the scripted answer's `tookMs`, then the call returns. It records the request and k6's
 * `http_reqs` / `http_req_duration` samples (tags: the request's, `name` replacing `url` as k6 does).
 */
import { recordSample, runtime } from './runtime.ts';

export interface HttpRequest {
  readonly method: string;
  readonly url: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly timeout: string | undefined;
  /** Virtual time the request was sent. */
  readonly sentAt: number;
}

export interface HttpAnswer {
  readonly status: number;
  readonly body?: string;
  /** Virtual time the request takes (default 0). */
  readonly tookMs?: number;
}

const KEY = Symbol.for('sse-bench.k6-doubles.http');
type Holder = { [KEY]?: { handler: (r: HttpRequest) => HttpAnswer; requests: HttpRequest[] } };

function state(): { handler: (r: HttpRequest) => HttpAnswer; requests: HttpRequest[] } {
  const holder = globalThis as Holder;
  return (holder[KEY] ??= { handler: () => ({ status: 200, body: '{"result":"success"}' }), requests: [] });
}

/** How the server answers the following requests (and forgets old ones). Default: 200 `{"result":"success"}` at once. */
export function setHttpHandler(handler: ((r: HttpRequest) => HttpAnswer) | null): void {
  const s = state();
  s.handler = handler ?? (() => ({ status: 200, body: '{"result":"success"}' }));
  s.requests = [];
}

export function httpRequests(): readonly HttpRequest[] {
  return state().requests;
}

function post(url: string, body: string, params?: { headers?: Record<string, string>; tags?: Record<string, string>; timeout?: string }): { status: number; body: string } {
  const rt = runtime();
  if (rt.phase === 'init') throw new Error('Making http requests in the init context is not supported');
  const request: HttpRequest = { method: 'POST', url, body, headers: { ...(params?.headers ?? {}) }, tags: { ...(params?.tags ?? {}) }, timeout: params?.timeout, sentAt: rt.now() };
  const s = state();
  s.requests.push(request);
  const answer = s.handler(request);
  rt.setTime(request.sentAt + (answer.tookMs ?? 0));
  const tags = { ...request.tags, url: request.tags.name ?? url, method: 'POST', status: String(answer.status) };
  recordSample('http_reqs', 'counter', 1, tags);
  recordSample('http_req_duration', 'trend', answer.tookMs ?? 0, tags);
  return { status: answer.status, body: answer.body ?? '' };
}

export default { post };
