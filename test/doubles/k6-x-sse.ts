/**
 * Double of `k6/x/sse` (xk6-sse on k6 v1.3), faithful to docs/xk6-sse-behaviour.md and
 * the extension's line reader. `sse.open` BLOCKS: it replays a scripted server
 * behaviour synchronously on a virtual clock (Date.now moves to each chunk's time), so
 * a test computes every expected timing. Where the real runtime would hang the VU
 * forever (read error or silence without `client.close()`), the double throws instead,
 * so the test fails.
 */
import type { SseEvent } from 'k6/x/sse';
import { parseGoDuration } from '../../lib/duration.ts';
import { recordSample, runtime } from './runtime.ts';

/** One request as the server would see it (headers with xk6's defaults, canonical names). */
export interface SseRequest {
  readonly url: string;
  readonly method: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  /** The `timeout` param in ms (undefined when none). */
  readonly timeoutMs: number | undefined;
  /** Virtual time the request started. */
  readonly startedAt: number;
  readonly vu: number;
}

/** Raw body text the server writes `at` ms after the request started. */
export interface Chunk {
  readonly at: number;
  readonly text: string;
}

/** How the server (or the network) behaves for one request. */
export type ServerScript =
  | { readonly kind: 'refused'; readonly after?: number; readonly error?: string }
  | {
      readonly kind: 'response';
      /** ms after the request start when the headers arrive (default 0). */
      readonly headersAt?: number;
      readonly status?: number;
      /** Response headers (default `Content-Type: text/event-stream`). */
      readonly headers?: Readonly<Record<string, string>>;
      readonly chunks?: readonly Chunk[];
      /** After the last chunk: the server closes (default), the connection breaks, or nothing more comes. */
      readonly end?: { readonly kind: 'close'; readonly at?: number } | { readonly kind: 'reset'; readonly at: number; readonly error?: string } | { readonly kind: 'silence' };
    };

export type ServerFn = (request: SseRequest) => ServerScript;

type Handler = (arg?: unknown) => void;

const KEY = Symbol.for('sse-bench.k6-doubles.sse-server');
type Holder = { [KEY]?: { server: ServerFn | null; requests: SseRequest[] } };

function serverState(): { server: ServerFn | null; requests: SseRequest[] } {
  const holder = globalThis as Holder;
  return (holder[KEY] ??= { server: null, requests: [] });
}

/** Installs the scripted server for the following `sse.open` calls (and forgets old requests). */
export function setServer(server: ServerFn | null): void {
  const s = serverState();
  s.server = server;
  s.requests = [];
}

/** Requests made so far. */
export function requests(): readonly SseRequest[] {
  return serverState().requests;
}

const BODY_DEADLINE_MESSAGE = 'context deadline exceeded (Client.Timeout or context cancellation while reading body)';

/** Go's http.CanonicalHeaderKey. */
function canonical(name: string): string {
  return name
    .split('-')
    .map((p) => (p === '' ? p : p[0]!.toUpperCase() + p.slice(1).toLowerCase()))
    .join('-');
}

/** Go's url.Error op: `Post`, `Get`. */
function urlOp(method: string): string {
  return method.charAt(0).toUpperCase() + method.slice(1).toLowerCase();
}

/**
 * `charCodeAt` as it was when the double loaded: the double's own string work must not show in
 * a test that counts the script's calls of the (patched) prototype methods.
 */
const charCodeAt = Function.prototype.call.bind(String.prototype.charCodeAt) as (s: string, i: number) => number;

/** xk6-sse's `strings.TrimRightFunc(data, '\r' or '\n')`, without a regex (see charCodeAt above). */
function trimTrailingNewlines(s: string): string {
  let end = s.length;
  while (end > 0) {
    const c = charCodeAt(s, end - 1);
    if (c !== 10 && c !== 13) break;
    end--;
  }
  return s.slice(0, end);
}

class BlockedForever extends Error {
  constructor(why: string) {
    super(`k6/x/sse double: the VU would block forever: ${why}`);
    this.name = 'BlockedForever';
  }
}

class Client {
  readonly handlers = new Map<string, Handler[]>();
  closed = false;

  on(event: string, handler: unknown): void {
    if (typeof handler !== 'function') return; // xk6-sse ignores non-functions
    const list = this.handlers.get(event) ?? [];
    list.push(handler as Handler);
    this.handlers.set(event, list);
  }

  close(): void {
    this.closed = true;
  }

  emit(event: string, arg?: unknown): void {
    for (const h of this.handlers.get(event) ?? []) h(arg);
  }
}

function errorValue(message: string): { error(): string; toString(): string } {
  return { error: () => message, toString: () => message };
}

/** xk6-sse's line reader state (one event being assembled). */
class LineReader {
  private ev: SseEvent = { id: '', name: '', data: '', comment: '' };
  private buf = '';
  private pending = '';

  constructor(private readonly client: Client) {}

  /** Feeds body text; returns when the client was closed by a handler. */
  feed(text: string, onDispatch: () => void): void {
    this.pending += text;
    let nl: number;
    while (!this.client.closed && (nl = this.pending.indexOf('\n')) >= 0) {
      const line = this.pending.slice(0, nl + 1);
      this.pending = this.pending.slice(nl + 1);
      this.line(line, onDispatch);
    }
  }

  private line(line: string, onDispatch: () => void): void {
    const strip = (start: number): string => line.slice(start, line.length - 1); // drops only '\n'
    if (line.startsWith('id: ')) this.ev.id = strip(4);
    else if (line.startsWith('id:')) this.ev.id = strip(3);
    else if (line.startsWith(': ')) this.ev.comment = strip(2);
    else if (line.startsWith(':')) this.ev.comment = strip(1);
    else if (line.startsWith('event: ')) this.ev.name = strip(7);
    else if (line.startsWith('event:')) this.ev.name = strip(6);
    else if (line.startsWith('data: ')) this.buf += line.slice(6);
    else if (line.startsWith('data:')) this.buf += line.slice(5);
    else if (line.startsWith('retry:')) {
      // ignored
    } else if (line === '\n' || line === '\r\n') {
      // the reference: CRLF streams dispatch too; data loses trailing CR/LF, name/id keep '\r'
      const ev = this.ev;
      ev.data = trimTrailingNewlines(this.buf);
      this.buf = '';
      this.ev = { id: '', name: '', data: '', comment: '' };
      onDispatch();
      this.client.emit('event', ev);
    } else {
      this.client.emit('error', errorValue(`unknown event: ${line}`));
    }
  }
}

function open(url: string, paramsOrSetup: unknown, maybeSetup?: unknown): { url: string; status: number; headers: Record<string, string> | null; error: string } {
  const rt = runtime();
  if (rt.phase === 'init') throw new Error('using sse in the init context is not supported');
  const setup = maybeSetup === undefined ? paramsOrSetup : maybeSetup;
  const params = (maybeSetup === undefined ? undefined : paramsOrSetup) as
    | { method?: string; body?: string; headers?: Record<string, string>; tags?: Record<string, string>; timeout?: string }
    | null
    | undefined;
  if (typeof setup !== 'function') throw new Error('last argument to sse.open must be a function');

  let timeoutMs: number | undefined;
  if (params?.timeout !== undefined) {
    timeoutMs = parseGoDuration(String(params.timeout));
    if (timeoutMs === undefined) throw new Error(`invalid timeout: time: invalid duration "${String(params.timeout)}"`);
  }
  const headers: Record<string, string> = { Accept: 'text/event-stream', 'User-Agent': 'k6/1.3.0 (https://k6.io/)' };
  for (const [k, v] of Object.entries(params?.headers ?? {})) headers[canonical(k)] = String(v);
  const method = (params?.method ?? '').trim() || 'GET';
  const start = rt.now();
  const request: SseRequest = {
    url,
    method,
    body: (params?.body ?? '').trim(),
    headers,
    tags: { ...(params?.tags ?? {}) },
    timeoutMs,
    startedAt: start,
    vu: rt.vu,
  };
  const state = serverState();
  state.requests.push(request);
  if (state.server === null) throw new Error('k6/x/sse double: no server installed (setServer)');
  const script = state.server(request);
  const requestTags: Readonly<Record<string, string>> = { ...request.tags, url };
  const at = (ms: number): void => rt.setTime(start + ms);
  const deadline = timeoutMs ?? Number.POSITIVE_INFINITY;
  // The extension's own HTTP samples (xk6-sse's pushSSEMetrics): `http_req_sending` (request
  // start → response headers) when the connection attempt ends, and — deferred, so also when
  // the connection failed — `http_reqs`, `http_req_sending` again and `http_req_duration`
  // (request start → stream end) when `sse.open` returns. `status` is tagged only once a
  // response exists.
  let httpTags = requestTags;
  let connectMs = 0;
  const connected = (): void => {
    connectMs = rt.now() - start;
    recordSample('http_req_sending', 'trend', connectMs, httpTags);
  };
  const finishHttp = (): void => {
    recordSample('http_reqs', 'counter', 1, httpTags);
    recordSample('http_req_sending', 'trend', connectMs, httpTags);
    recordSample('http_req_duration', 'trend', rt.now() - start, httpTags);
  };
  /** No response: status 0 — or, with k6's `throw` option, an exception carrying the message. */
  const noResponse = (error: string): { url: string; status: number; headers: null; error: string } => {
    connected();
    finishHttp();
    if (rt.throwErrors) throw new Error(error);
    return { url: '', status: 0, headers: null, error };
  };

  const headerTimeout = `${urlOp(method)} "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`;
  if (script.kind === 'refused') {
    const after = script.after ?? 0;
    // A connection that would fail only after the deadline: the deadline wins.
    if (after >= deadline) {
      at(deadline);
      return noResponse(headerTimeout);
    }
    at(after);
    const host = url.replace(/^[a-z]+:\/\//, '').split('/')[0] ?? '';
    return noResponse(script.error ?? `${urlOp(method)} "${url}": dial tcp ${host}: connect: connection refused`);
  }
  const headersAt = script.headersAt ?? 0;
  if (headersAt >= deadline) {
    at(deadline);
    return noResponse(headerTimeout);
  }
  at(headersAt);
  const status = script.status ?? 200;
  httpTags = { ...requestTags, status: String(status) };
  connected();
  const responseHeaders: Record<string, string> = {};
  for (const [k, v] of Object.entries(script.headers ?? { 'Content-Type': 'text/event-stream' })) responseHeaders[canonical(k)] = v;
  const response = () => ({ url, status, headers: responseHeaders, error: '' });

  const client = new Client();
  (setup as (c: Client) => void)(client);
  client.emit('open'); // xk6-sse emits 'open' right after setup, whatever setup did
  const reader = new LineReader(client);
  const dispatched = (): void => recordSample('sse_event', 'counter', 1, httpTags); // the request's tags, `status` included

  /** The whole-request deadline passes mid-body: 'error', then the handler must close. */
  const hitDeadline = (): ReturnType<typeof response> => {
    at(deadline);
    client.emit('error', errorValue(BODY_DEADLINE_MESSAGE));
    if (!client.closed) throw new BlockedForever('the body deadline passed and no handler called client.close()');
    finishHttp();
    return response();
  };

  for (const chunk of script.chunks ?? []) {
    if (client.closed) break;
    if (chunk.at >= deadline) return hitDeadline();
    at(Math.max(chunk.at, rt.now() - start));
    reader.feed(chunk.text, dispatched);
  }
  if (client.closed) {
    finishHttp();
    return response();
  }
  const end = script.end ?? { kind: 'close' };
  if (end.kind === 'silence') {
    if (timeoutMs === undefined) throw new BlockedForever('headers then silence and no timeout set');
    return hitDeadline();
  }
  const endAt = end.at ?? rt.now() - start;
  if (endAt >= deadline) return hitDeadline();
  at(Math.max(endAt, rt.now() - start));
  if (end.kind === 'reset') {
    client.emit('error', errorValue(end.error ?? 'unexpected EOF'));
    if (!client.closed) throw new BlockedForever(`read error "${end.error ?? 'unexpected EOF'}" and no handler called client.close()`);
  }
  finishHttp();
  return response();
}

const sse = { open };
export default sse;
