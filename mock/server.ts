import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerRng } from './answer-seed.ts';
import { difyChat } from './dify-chat.ts';
import { difyWorkflow } from './dify-workflow.ts';
import { pickFault, type FaultName } from './faults.ts';
import { genericOptions, genericScript } from './generic-sse.ts';
import { HttpError, parseJsonObject, readBody, sendError, sendJson, type Dialect } from './http.ts';
import { modelList, openaiChat } from './openai.ts';
import { SlotGate } from './capacity.ts';
import { ConversationStore, type ConversationStats } from './conversations.ts';
import { applyRequestHeaders, defaultOptions, MockOptionError, steppedOptions, type MockOptions } from './options.ts';
import { createRng, hashSeed, type Rng } from './rng.ts';
import { createScheduler, newTask, type Scheduler } from './scheduler.ts';
import type { Endpoint, RequestContext, ScriptContext } from './script.ts';
import { createStats, type MockStats } from './stats.ts';
import { ModelLog, type ModelRecord } from './model-log.ts';
import { jitterMs, SSE_HEADERS, SseStream, type StreamRegistry } from './stream.ts';
import { TOKEN_SETS, pickToken } from './text.ts';

export type { MockStats } from './stats.ts';
export type { MockOptions } from './options.ts';

/** The counters, plus requests waiting for a slot of the capacity model (`--max-concurrency`) and the Dify chat conversations. */
export type ServerStats = MockStats & { waitingForSlot: number; conversations: ConversationStats };

/** A request an API endpoint accepted (parsed and validated), for tests that check what a client sent. */
export interface ObservedRequest {
  readonly path: string;
  readonly body: Record<string, unknown>;
}

/**
 * The options with a request's context applied: TTFT + the prefill cost of its characters, and
 * `max_tokens` as the answer's length. The options themselves when neither applies (no copy).
 */
export function withRequestContext(o: MockOptions, context: RequestContext): MockOptions {
  const prefillMs = o.prefillMsPer1kChars > 0 ? Math.round((o.prefillMsPer1kChars * context.chars) / 1000) : 0;
  if (prefillMs === 0 && context.maxTokens === null) return o;
  return { ...o, ttftMs: Math.max(o.ttfeMs, o.ttftMs) + prefillMs, tokens: context.maxTokens ?? o.tokens };
}

export interface MockServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  stats(): ServerStats;
  /** `--model-log on`: the model requests recorded so far (mock/model-log.ts); empty when off. */
  modelLog(): readonly ModelRecord[];
  /** Stops accepting, ends open streams, resolves once every connection is closed. */
  close(): Promise<void>;
}

/** Something open that shutdown must end. */
interface Open {
  shutdown(): void;
}

type Route =
  | { kind: 'api'; method: 'POST'; endpoint: Endpoint }
  | { kind: 'stop' }
  | { kind: 'get'; dialect: Dialect; auth: boolean; handle: (req: IncomingMessage, res: ServerResponse, query: string) => void | Promise<void> };

const allowed = (r: Route): string => (r.kind === 'api' || r.kind === 'stop' ? 'POST' : 'GET');

/** Dify's two stop endpoints; the task id is the capture. */
const STOP_PATH = /^\/v1\/(?:workflows\/tasks|chat-messages)\/([^/]+)\/stop$/;
const STOP_ROUTE: Route = { kind: 'stop' };

export async function startMockServer(
  options: Partial<MockOptions> & { host?: string; port?: number; onRequest?: (request: ObservedRequest) => void } = {},
): Promise<MockServer> {
  const { host = '127.0.0.1', port = 5001, onRequest, ...knobs } = options;
  const base: MockOptions = { ...defaultOptions(), ...knobs };
  const serverSeed = base.seed !== '' ? base.seed : randomBytes(8).toString('hex');
  let streamCounter = 0;
  const stats = createStats();
  const scheduler: Scheduler = createScheduler(base.scheduler, base.tickSliceMs);
  const open = new Set<Open>();
  const reg: StreamRegistry = { stats, scheduler, open };
  const gate = new SlotGate();
  const conversations = new ConversationStore();
  const modelLog = base.modelLog === 'on' ? new ModelLog() : null;
  /** Open Dify streams by task id, for their stop requests; each with the `user` that started it. */
  const tasks = new Map<string, { stream: SseStream; user: unknown }>();
  let closing = false;
  /** --ttfe-step counts from here. */
  const startedAt = performance.now();

  /** Ids and the fault draw: one sequence per stream (by start order), or X-Mock-Seed's. */
  const rngFor = (req: IncomingMessage, o: MockOptions): Rng =>
    createRng(req.headers['x-mock-seed'] !== undefined ? hashSeed(o.seed) : hashSeed(`${serverSeed}#${streamCounter++}`));
  /** Token text and jitter: a function of the seed and the request's prompt (answer-seed.ts). */
  const answerRngFor = (req: IncomingMessage, o: MockOptions, prompt: string): Rng =>
    answerRng(req.headers['x-mock-seed'] !== undefined ? o.seed : serverSeed, prompt);

  const statsJson = (): string => {
    const m = process.memoryUsage();
    return JSON.stringify({ ...stats, waitingForSlot: gate.waiting, conversations: conversations.stats(), memory: { rssBytes: m.rss, heapUsedBytes: m.heapUsed } });
  };

  /**
   * The capacity model: waits for a slot under `limit` (0 = none) before anything is sent,
   * and holds it until the response closes. Resolves false when the client left (or the
   * server shut down) while the request waited: it held nothing, so it frees nothing.
   */
  const admit = (res: ServerResponse, limit: number): Promise<boolean> =>
    new Promise((resolve) => {
      if (res.closed) {
        resolve(false);
        return;
      }
      const waiting: Open = { shutdown: () => res.destroy() };
      const admission = gate.acquire(limit, (slot) => {
        open.delete(waiting);
        if (res.closed || res.destroyed) {
          slot.release();
          resolve(false);
          return;
        }
        res.once('close', () => slot.release());
        resolve(true);
      });
      if (admission.granted) return;
      open.add(waiting);
      res.once('close', () => {
        open.delete(waiting);
        if (admission.cancel()) resolve(false);
      });
    });

  const routes = new Map<string, Route>([
    ['/v1/workflows/run', { kind: 'api', method: 'POST', endpoint: difyWorkflow }],
    ['/v1/chat-messages', { kind: 'api', method: 'POST', endpoint: difyChat }],
    ['/v1/chat/completions', { kind: 'api', method: 'POST', endpoint: openaiChat }],
    ['/v1/models', { kind: 'get', dialect: 'openai', auth: true, handle: (_q, res) => sendJson(res, 200, modelList(base.model)) }],
    ['/health', { kind: 'get', dialect: 'dify', auth: false, handle: (_q, res) => sendJson(res, 200, '{"status":"ok"}') }],
    ['/stats', { kind: 'get', dialect: 'dify', auth: false, handle: (_q, res) => sendJson(res, 200, statsJson()) }],
    ['/model-log', { kind: 'get', dialect: 'dify', auth: false, handle: (_q, res) => sendJson(res, 200, modelLog === null ? '{"records":[],"dropped":0,"off":true}' : modelLog.json()) }],
    ['/sse', { kind: 'get', dialect: 'dify', auth: false, handle: (req, res, query) => generic(req, res, query) }],
  ]);

  /** Faults answered before any stream: true when the response is already handled. */
  const preStreamFault = (res: ServerResponse, dialect: Dialect, fault: FaultName | null, o: MockOptions): boolean => {
    const tag = { 'X-Mock-Injected-Fault': fault ?? '' };
    const message = `Mock fault: ${fault}`;
    switch (fault) {
      case 'http_500':
        sendError(res, dialect, new HttpError(500, 'internal_server_error', message, tag));
        return true;
      case 'http_429':
        sendError(res, dialect, new HttpError(429, 'too_many_requests', message, { ...tag, 'Retry-After': String(o.retryAfterS) }));
        return true;
      case 'http_401':
        sendError(res, dialect, new HttpError(401, 'unauthorized', message, tag));
        return true;
      case 'non_sse': {
        const body = `<html><body>${message}</body></html>\n`;
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(body), ...tag });
        res.end(body);
        return true;
      }
      default:
        return false;
    }
  };

  const startStream = (res: ServerResponse, ctx: ScriptContext, o: MockOptions, fault: FaultName | null, script: Endpoint['script'] | typeof genericScript, log: ModelRecord | null = null): void => {
    const headers: Record<string, string> = { ...SSE_HEADERS };
    if (fault) headers['X-Mock-Injected-Fault'] = fault;
    const events = script(ctx);
    const stream = new SseStream(res, events, o, ctx.answerRng, fault, reg, performance.now(), log);
    const taskId = events.taskId;
    if (taskId !== undefined) {
      tasks.set(taskId, { stream, user: ctx.body.user });
      res.once('close', () => tasks.delete(taskId));
    }
    stream.begin(headers);
  };

  /**
   * Dify's stop request (`POST /v1/workflows/tasks/<task_id>/stop`, `POST /v1/chat-messages/<task_id>/stop`):
   * `user` is required; like Dify (AppQueueManager.set_stop_flag) it stops only a running task of
   * that user and answers `{"result":"success"}` whatever it found.
   */
  async function stopTask(req: IncomingMessage, res: ServerResponse, taskId: string): Promise<void> {
    const body = parseJsonObject(await readBody(req));
    if (typeof body.user !== 'string' || body.user === '') throw new HttpError(400, 'invalid_param', 'user is required');
    const task = tasks.get(taskId);
    if (task !== undefined && task.user === body.user) task.stream.stop();
    sendJson(res, 200, '{"result":"success"}');
  }

  async function generic(req: IncomingMessage, res: ServerResponse, query: string): Promise<void> {
    const o = steppedOptions(genericOptions(applyRequestHeaders(base, req.headers), query), performance.now() - startedAt);
    if (!(await admit(res, o.maxConcurrency))) return;
    const rng = rngFor(req, o);
    const fault = pickFault(o.fault, o.faultRates, rng);
    if (preStreamFault(res, 'dify', fault, o)) return;
    const ctx: ScriptContext = { rng, answerRng: answerRngFor(req, o, `/sse?${query}`), body: {}, createdAtS: Math.floor(Date.now() / 1000), model: o.model };
    startStream(res, ctx, o, fault, genericScript);
  }

  /** Non-streaming answer after the time the stream would have taken. */
  const blocking = (res: ServerResponse, endpoint: Endpoint, ctx: ScriptContext, o: MockOptions, fault: FaultName | null, t0: number): void => {
    if (fault === 'reset') {
      res.socket?.destroy();
      return;
    }
    let answer = '';
    let delay = Math.max(o.ttfeMs, o.ttftMs);
    const words = TOKEN_SETS[o.text];
    for (let i = 0; i < o.tokens; i++) {
      answer += words.tokens[pickToken(ctx.answerRng, words)];
      if (i > 0) delay += o.tokenIntervalMs + jitterMs(o, ctx.answerRng);
    }
    const pending: Open = { shutdown: () => res.destroy() };
    open.add(pending);
    const task = newTask(() => {
      open.delete(pending);
      const end = { answer, tokens: o.tokens, elapsedS: delay / 1000, nowS: Math.floor(Date.now() / 1000) };
      sendJson(res, 200, JSON.stringify(endpoint.blocking(ctx, end)));
      return -1;
    });
    res.on('close', () => {
      open.delete(pending);
      scheduler.cancel(task);
    });
    if (fault !== 'stall') scheduler.schedule(task, t0 + delay);
  };

  async function api(req: IncomingMessage, res: ServerResponse, endpoint: Endpoint, path: string, requestOptions: MockOptions, t0: number): Promise<void> {
    const body = parseJsonObject(await readBody(req));
    const streaming = endpoint.validate(body);
    onRequest?.({ path, body });
    // Prefill cost and max_tokens; a Dify chat message naming an unknown conversation is a 404 here.
    const o = withRequestContext(requestOptions, endpoint.context(body, conversations));
    if (closing) throw new HttpError(503, 'service_unavailable', 'The mock server is shutting down.');
    if (!(await admit(res, o.maxConcurrency))) return;
    const rng = rngFor(req, o);
    const fault = pickFault(o.fault, o.faultRates, rng);
    if (preStreamFault(res, endpoint.dialect, fault, o)) return;
    const prompt = endpoint.prompt(body);
    const ctx: ScriptContext = { rng, answerRng: answerRngFor(req, o, prompt), body, createdAtS: Math.floor(Date.now() / 1000), model: o.model, conversations };
    if (streaming) startStream(res, ctx, o, fault, endpoint.script, modelLog === null ? null : modelLog.start(prompt, t0));
    else blocking(res, endpoint, ctx, o, fault, o.maxConcurrency > 0 ? performance.now() : t0); // served from its admission
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const t0 = performance.now();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = q < 0 ? '' : url.slice(q + 1);
    const stop = STOP_PATH.exec(path);
    const route = stop !== null ? STOP_ROUTE : routes.get(path);
    let dialect: Dialect = path.startsWith('/v1/chat/completions') || path.startsWith('/v1/models') ? 'openai' : 'dify';
    try {
      if (!route) throw new HttpError(404, 'not_found', `The requested URL ${JSON.stringify(path)} was not found on the server.`);
      dialect = route.kind === 'api' ? route.endpoint.dialect : route.kind === 'stop' ? 'dify' : route.dialect;
      if (req.method !== allowed(route)) {
        throw new HttpError(405, 'method_not_allowed', `The method ${req.method} is not allowed for ${path}; use ${allowed(route)}.`, { Allow: allowed(route) });
      }
      if ((route.kind !== 'get' || route.auth) && base.apiKey !== '' && req.headers.authorization !== `Bearer ${base.apiKey}`) {
        throw new HttpError(401, 'unauthorized', 'Access token is invalid: send Authorization: Bearer <api key>.');
      }
      if (route.kind === 'stop') {
        await stopTask(req, res, decodeURIComponent(stop?.[1] ?? ''));
      } else if (route.kind === 'api') {
        await api(req, res, route.endpoint, path, steppedOptions(applyRequestHeaders(base, req.headers), t0 - startedAt), t0);
      } else {
        req.resume();
        await route.handle(req, res, query);
      }
    } catch (err) {
      if (res.headersSent || res.destroyed) return;
      const e =
        err instanceof HttpError
          ? err
          : err instanceof MockOptionError
            ? new HttpError(400, 'invalid_param', err.message)
            : new HttpError(500, 'internal_server_error', 'The mock server failed on this request.');
      if (!(err instanceof HttpError) && !(err instanceof MockOptionError)) console.error('mock server: request failed:', err);
      if (e.status === 413) e.headers.Connection = 'close';
      sendError(res, dialect, e);
    }
  }

  const serverOptions = { noDelay: true, keepAliveTimeout: 5_000 };
  const handler = (req: IncomingMessage, res: ServerResponse): void => void handle(req, res);
  const server = createServer(serverOptions, handler);
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // A deep accept queue: a load test opens connections in bursts (the kernel caps it at net.core.somaxconn).
    server.listen({ port, host, backlog: 4096 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port; // a TCP listener's address is always an AddressInfo
  const hostPart = host.includes(':') ? `[${host}]` : host;

  let closed: Promise<void> | null = null;
  return {
    url: `http://${hostPart}:${bound}`,
    port: bound,
    stats: () => ({ ...stats, waitingForSlot: gate.waiting, conversations: conversations.stats() }),
    modelLog: () => modelLog?.records() ?? [],
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing = true;
        server.close(() => resolve());
        for (const o of [...open]) o.shutdown();
        // Ended streams leave idle keep-alive connections: close them once the ends are flushed.
        setImmediate(() => server.closeIdleConnections());
        setTimeout(() => server.closeAllConnections(), 1_000).unref();
      });
      return closed;
    },
  };
}
