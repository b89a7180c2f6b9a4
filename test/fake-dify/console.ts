/**
 * A fake Dify (console API + the service API's `/v1/workflows/run`) for the tests of
 * `npm run setup:dify`. Written from Dify's source (`api/controllers/console/…`, `libs/token.py`,
 * `libs/encryption.py`, `services/app_dsl_service.py`, `services/dsl_version.py`, `apikey.py`)
 * and ../shared/dify-console-setup.md, it enforces what the real one enforces:
 *  - auth `cookie` (Dify ≥ ~1.9): login sets access/refresh/csrf cookies (`__Host-` prefixed
 *    with `hostPrefix`), every console call needs `X-CSRF-Token` equal to the csrf cookie, GET
 *    included; a bearer token alone fails. Auth `bearer` (older): tokens in the login body.
 *  - password `base64` (Dify ≥ ~1.11): the login password is Base64-decoded as Python's
 *    b64decode does, a failure is 401 `authentication_failed`; `plain` before. 5 wrong
 *    passwords lock the login (429 `email_code_login_limit`).
 *  - setup: 403 `already_setup`; with INIT_PASSWORD, 401 `not_init_validated` until
 *    `POST /init` (its session cookie); console calls before setup: 401 `not_setup`.
 *  - plugins: marketplace install answers `all_installed` with no task id when installed,
 *    else a task that is pending → running → success (or failed) over `pluginTask.polls` polls.
 *  - provider credentials: validated by calling `<openai_api_base>/v1/models` (like Dify's
 *    plugin daemon), names ≤ 30 and unique, a provider only once its plugin is installed.
 *  - imports: statuses by version exactly as check_version_compatibility; pending + confirm;
 *    failed for bad YAML or missing app data; app_id overwrites.
 *  - API keys: at most 10 per app; publish needs a draft; `GET …/publish` answers a workflow
 *    whose fields are null when none is published (flask-restx marshals None so).
 *  - `/v1/workflows/run`: the app key as bearer, a published workflow, an active credential;
 *    the stream is the embedded mock's (at the credential's base URL), with `workflow_finished`
 *    outputs renamed to the End node's variables, as Dify's End node does; `preModelDelayMs`
 *    before the mock is called, `relayDelayMs` added to every relayed event (known delays for
 *    the time breakdown's tests).
 *  - `POST /v1/workflows/tasks/<task_id>/stop` (`{"user"}` required): as Dify's
 *    AppQueueManager.set_stop_flag, a running task of that app key's user stops — the model
 *    call is dropped (the upstream aborted) and the run ends with `workflow_finished` status
 *    `stopped`, error `Stopped by user.` (WorkflowAppGenerateTaskPipeline on QueueStopEvent) —
 *    and the answer is `{"result":"success"}` whatever was found.
 * Every response carries `X-Version`. Tests inject one-shot failures with `failNext`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Agent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'yaml';

export interface FakeDifyOptions {
  readonly auth?: 'cookie' | 'bearer';
  readonly passwordEncoding?: 'base64' | 'plain';
  /** Cookie names with the `__Host-` prefix (Dify served over https). */
  readonly hostPrefix?: boolean;
  /** Dify's INIT_PASSWORD ('' = none). */
  readonly initPassword?: string;
  readonly version?: string;
  /** CURRENT_APP_DSL_VERSION. */
  readonly dslVersion?: string;
  readonly pluginTask?: { readonly polls: number; readonly outcome: 'success' | 'failed'; readonly message?: string };
  /** MARKETPLACE_ENABLED and reachable. */
  readonly marketplace?: boolean;
  /** An admin that already exists (Dify set up). */
  readonly admin?: { readonly email: string; readonly password: string };
  /** The OpenAI plugin installed before setup runs. */
  readonly openaiPreinstalled?: boolean;
  /** `/v1/workflows/run`: time Dify spends before it calls the model (auth, workflow start, nodes before the LLM). */
  readonly preModelDelayMs?: number;
  /** `/v1/workflows/run`: time each relayed event waits before it is written on (Dify's relay per token). */
  readonly relayDelayMs?: number;
}

type Obj = Record<string, unknown>;

interface App {
  id: string;
  name: string;
  mode: string;
  createdAt: number;
  graph: Obj;
  draftVersion: number;
  published: { id: string; draftVersion: number } | null;
  keys: { id: string; token: string; createdAt: number }[];
}

export interface FakeDb {
  admin: { id: string; email: string; password: string } | null;
  readonly apps: Map<string, App>;
  readonly credentials: { id: string; name: string; credentials: Obj }[];
  currentCredentialId: string | null;
  readonly plugins: Map<string, { id: string; identifier: string }>;
  /** Install tasks started (marketplace installs that were not no-ops). */
  installTasks: number;
  publishes: number;
  imports: number;
  keysCreated: number;
  logins: number;
  refreshes: number;
}

export interface FakeDify {
  readonly url: string;
  /** The fake's settings; tests may change them between runs (e.g. the plugin task's outcome). */
  readonly settings: Required<Omit<FakeDifyOptions, 'admin' | 'openaiPreinstalled' | 'preModelDelayMs' | 'relayDelayMs'>> & { pluginTask: { polls: number; outcome: 'success' | 'failed'; message?: string } };
  readonly db: FakeDb;
  /** `METHOD /path` of every request, in order. */
  readonly calls: string[];
  /** The next request matching `METHOD /path` (exact, or a RegExp) gets this answer instead. */
  failNext(match: string | RegExp, status: number, body: Obj): void;
  /** Expires every access and CSRF token (refresh tokens stay valid). */
  expireSessions(): void;
  /** Pre-creates a credential (a workspace that had one before setup). */
  addCredential(name: string, openaiApiBase: string): string;
  /** Each `/v1/workflows/run` that called the model: when it arrived and when the model was called (epoch ms). */
  readonly runs: readonly { readonly question: string; readonly arrivedAt: number; readonly modelCalledAt: number }[];
  /** With `relayDelayMs`: how long each relayed block actually waited (ms; timers fire late under load). */
  readonly relayLags: readonly number[];
  /** Pre-creates a published workflow app (Start → LLM → End `answer`) with this API key: a Dify ready for `/v1/workflows/run`. */
  addPublishedWorkflow(apiKey: string): void;
  close(): Promise<void>;
}

class HttpErr extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body?: Obj,
  ) {
    super(message);
  }
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const s = (v: unknown): string => (typeof v === 'string' ? v : '');
const OPENAI_PLUGIN = 'langgenius/openai';
const OPENAI_PROVIDER = 'langgenius/openai/openai';
const PLUGIN_ID = /^([\w.-]+\/[\w.-]+):([^\s@]+)@[0-9a-f]+$/;

/** Python's base64.b64decode (validate=False) + UTF-8 decode; null where Dify's decrypt_field gives None. */
export function pyB64decode(text: string): string | null {
  const cleaned = text.replace(/[^A-Za-z0-9+/=]/g, '');
  if (cleaned.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(cleaned)) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(cleaned, 'base64'));
  } catch {
    return null;
  }
}

/** services/dsl_version.py check_version_compatibility. */
export function importStatus(imported: string, current: string): 'completed' | 'completed-with-warnings' | 'pending' | 'failed' {
  const parse3 = (v: string): number[] | null => (/^\d+(\.\d+){0,2}$/.test(v) ? [...v.split('.').map(Number), 0, 0].slice(0, 3) : null);
  const a = parse3(imported);
  const b = parse3(current);
  if (a === null || b === null) return 'failed';
  const cmp = (a[0]! - b[0]!) || (a[1]! - b[1]!) || (a[2]! - b[2]!);
  if (cmp > 0) return 'pending';
  if (a[0]! < b[0]!) return 'pending';
  if (a[1]! < b[1]!) return 'completed-with-warnings';
  return 'completed';
}

function cookiesOf(req: IncomingMessage): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

function bearerOf(req: IncomingMessage): string {
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  return m?.[1] ?? '';
}

async function readJson(req: IncomingMessage): Promise<Obj> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return {};
  try {
    const v: unknown = JSON.parse(text);
    if (isObj(v)) return v;
  } catch {
    // fall through
  }
  throw new HttpErr(400, 'invalid_param', 'The browser (or proxy) sent a request that this server could not understand.');
}

export async function startFakeDify(options: FakeDifyOptions = {}): Promise<FakeDify> {
  const o: FakeDify['settings'] = {
    auth: options.auth ?? 'cookie',
    passwordEncoding: options.passwordEncoding ?? 'base64',
    hostPrefix: options.hostPrefix ?? false,
    initPassword: options.initPassword ?? '',
    version: options.version ?? '1.11.1',
    dslVersion: options.dslVersion ?? '0.6.0',
    pluginTask: { ...(options.pluginTask ?? { polls: 3, outcome: 'success' }) },
    marketplace: options.marketplace ?? true,
  };
  const db: FakeDb = {
    admin: options.admin ? { id: randomUUID(), ...options.admin } : null,
    apps: new Map(),
    credentials: [],
    currentCredentialId: null,
    plugins: new Map(),
    installTasks: 0,
    publishes: 0,
    imports: 0,
    keysCreated: 0,
    logins: 0,
    refreshes: 0,
  };
  if (options.openaiPreinstalled) db.plugins.set(OPENAI_PLUGIN, { id: randomUUID(), identifier: 'langgenius/openai:0.2.7@00aa11bb22cc33dd44ee55ff66778899' });
  const setupAt = new Date(Date.UTC(2026, 0, 1)).toISOString();
  const calls: string[] = [];
  const injected: { match: string | RegExp; status: number; body: Obj }[] = [];
  const access = new Map<string, string>(); // token → user id
  const refresh = new Map<string, string>();
  const csrf = new Map<string, string>();
  const initSessions = new Set<string>();
  const tasks = new Map<string, { identifier: string; polls: number }>();
  const pending = new Map<string, { yaml: string; name: string; appId: string }>();
  let loginFailures = 0;
  const preModelDelay = options.preModelDelayMs ?? 0;
  const upstreamAgent = new Agent({ keepAlive: true });
  const runs: { question: string; arrivedAt: number; modelCalledAt: number }[] = [];
  const relayLags: number[] = [];
  const relayDelay = options.relayDelayMs ?? 0;
  /** Relayed workflow runs by task id, for their stop requests. */
  const runningTasks = new Map<string, { user: string; token: string; stop: () => void }>();
  let appCounter = 0;

  const cookieName = (n: string): string => (o.hostPrefix ? `__Host-${n}` : n);
  const setCookie = (n: string, v: string, httpOnly: boolean): string =>
    `${cookieName(n)}=${v}; Path=/; SameSite=Lax; Max-Age=3600${httpOnly ? '; HttpOnly' : ''}${o.hostPrefix ? '; Secure' : ''}`;

  function issue(userId: string): { access: string; refresh: string; csrf: string } {
    const t = { access: randomUUID(), refresh: randomUUID(), csrf: randomUUID() };
    access.set(t.access, userId);
    refresh.set(t.refresh, userId);
    csrf.set(t.csrf, userId);
    return t;
  }

  function tokenCookies(t: { access: string; refresh: string; csrf: string }): string[] {
    return [setCookie('access_token', t.access, true), setCookie('refresh_token', t.refresh, true), setCookie('csrf_token', t.csrf, false)];
  }

  /** setup_required + login_required (+ check_csrf_token in cookie mode). */
  function requireUser(req: IncomingMessage): string {
    if (db.admin === null) throw new HttpErr(401, 'not_setup', 'Dify has not been set up yet. Please set up first.');
    const cookies = cookiesOf(req);
    const token = o.auth === 'cookie' ? (cookies.get(cookieName('access_token')) ?? bearerOf(req)) : bearerOf(req);
    const user = access.get(token);
    if (token === '' || user === undefined) throw new HttpErr(401, 'unauthorized', 'Invalid Authorization token.');
    if (o.auth === 'cookie') {
      const header = s(req.headers['x-csrf-token']);
      if (header === '' || header !== cookies.get(cookieName('csrf_token')) || csrf.get(header) !== user) {
        throw new HttpErr(401, 'unauthorized', 'CSRF token is missing or invalid.');
      }
    }
    return user;
  }

  function app(id: string): App {
    const a = db.apps.get(id);
    if (a === undefined) throw new HttpErr(404, 'app_not_found', 'App not found');
    return a;
  }

  function openaiInstalled(): boolean {
    return db.plugins.has(OPENAI_PLUGIN);
  }

  function providerOr400(provider: string): void {
    if (provider !== OPENAI_PROVIDER || !openaiInstalled()) throw new HttpErr(400, 'invalid_param', `Provider ${provider} does not exist.`);
  }

  async function validateCredential(credentials: Obj): Promise<void> {
    const base = s(credentials.openai_api_base).replace(/\/+$/, '');
    try {
      const res = await fetch(`${base}/v1/models`, { headers: { Authorization: `Bearer ${s(credentials.openai_api_key)}` }, signal: AbortSignal.timeout(3_000) });
      await res.body?.cancel();
      if (!res.ok) throw new Error(`Error code: ${res.status}`);
    } catch (err) {
      const cause = (err as { cause?: { message?: string } }).cause;
      throw new HttpErr(400, 'invalid_param', `Credentials validation failed: ${cause?.message ?? (err as Error).message}`);
    }
  }

  /** app_dsl_service.import_app / confirm_import. */
  function importApp(yaml: string, name: string, appId: string, confirming: boolean): { status: number; body: Obj } {
    const id = randomUUID();
    const failed = (error: string): { status: number; body: Obj } => ({
      status: 400,
      body: { id, status: 'failed', app_id: null, app_mode: null, current_dsl_version: o.dslVersion, imported_dsl_version: '', error },
    });
    let doc: unknown;
    try {
      doc = parse(yaml);
    } catch (err) {
      return failed(`Invalid YAML format: ${(err as Error).message}`);
    }
    if (!isObj(doc)) return failed('Invalid YAML format: content must be a mapping');
    const version = s(doc.version) || '0.1.0';
    const status = confirming ? 'completed' : importStatus(version, o.dslVersion);
    if (status === 'failed') return failed(`Invalid version: ${version}`);
    const appData = doc.app;
    if (!isObj(appData)) return failed('Missing app data in YAML content');
    let target: App | undefined;
    if (appId !== '') {
      target = db.apps.get(appId);
      if (target === undefined) return failed('App not found');
      if (target.mode !== 'workflow' && target.mode !== 'advanced-chat') return failed('Only workflow or advanced chat apps can be overwritten');
    }
    if (status === 'pending') {
      pending.set(id, { yaml, name, appId });
      return { status: 202, body: { id, status, app_id: appId || null, app_mode: null, current_dsl_version: o.dslVersion, imported_dsl_version: version, error: '' } };
    }
    const mode = s(appData.mode);
    const workflow = doc.workflow;
    if (mode !== 'workflow' && mode !== 'advanced-chat') return failed(`loss app mode or unsupported mode ${mode}`);
    if (!isObj(workflow) || !isObj(workflow.graph)) return failed('Missing workflow data for workflow/advanced chat app');
    db.imports++;
    if (target === undefined) {
      target = { id: randomUUID(), name: name || s(appData.name), mode, createdAt: 1_767_225_600 + appCounter++, graph: {}, draftVersion: 0, published: null, keys: [] };
      db.apps.set(target.id, target);
    }
    target.graph = workflow.graph;
    target.draftVersion++;
    return { status: 200, body: { id, status, app_id: target.id, app_mode: target.mode, current_dsl_version: o.dslVersion, imported_dsl_version: version, error: '' } };
  }

  /** The End node's output variables that take the LLM's text. */
  function endVariables(a: App): string[] {
    const nodes = Array.isArray(a.graph.nodes) ? a.graph.nodes : [];
    const end = nodes.map((n) => (isObj(n) && isObj(n.data) ? n.data : {})).find((d) => d.type === 'end');
    const outputs = end !== undefined && Array.isArray(end.outputs) ? end.outputs : [];
    return outputs.filter(isObj).map((x) => s(x.variable));
  }

  async function runWorkflow(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrived = performance.now(); // preModelDelayMs counts from here: the fake's own work is part of it
    const token = bearerOf(req);
    const a = [...db.apps.values()].find((x) => x.keys.some((k) => k.token === token));
    if (token === '' || a === undefined) throw new HttpErr(401, 'unauthorized', 'Access token is invalid');
    const body = await readJson(req);
    if (a.published === null) throw new HttpErr(400, 'invalid_param', 'Workflow not published');
    const inputs = isObj(body.inputs) ? body.inputs : null;
    if (inputs === null || s(inputs.question) === '') throw new HttpErr(400, 'invalid_param', 'question is required in input form');
    const cred = db.credentials.find((c) => c.id === db.currentCredentialId);
    if (cred === undefined) throw new HttpErr(400, 'provider_not_initialize', 'Provider Token not initialized, please go to settings -> model provider.');
    const vars = endVariables(a);
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const user = s(body.user) || 'fake';
    const payload = JSON.stringify({ inputs, response_mode: 'streaming', user });
    // node:http with a keep-alive agent, not fetch: undici's fetch adds milliseconds of its own before
    // the request leaves, which would blur the known pre-model delay.
    // To the sub-millisecond: a timer to just before the due time (Node's fire up to 1 ms late), then the event loop's turns.
    const due = arrived + preModelDelay;
    if (preModelDelay > 0 && due - performance.now() > 2) await new Promise((r) => setTimeout(r, due - performance.now() - 2));
    while (preModelDelay > 0 && performance.now() < due) await new Promise((r) => setImmediate(r));
    if (res.destroyed) return;
    runs.push({ question: s(inputs.question), arrivedAt: performance.timeOrigin + arrived, modelCalledAt: performance.timeOrigin + performance.now() });
    let upstream: IncomingMessage;
    try {
      upstream = await new Promise<IncomingMessage>((resolve, reject) => {
        const up = httpRequest(
          `${s(cred.credentials.openai_api_base).replace(/\/+$/, '')}/v1/workflows/run`,
          { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) }, agent: upstreamAgent, signal: abort.signal },
          resolve,
        );
        up.on('error', reject);
        up.end(payload);
      });
    } catch {
      res.destroy();
      return;
    }
    res.writeHead(upstream.statusCode ?? 502, { 'Content-Type': upstream.headers['content-type'] ?? 'text/event-stream', 'X-Version': o.version });
    const rewrite = (block: string): string => {
      if (!block.startsWith('data: ') || !block.includes('"workflow_finished"')) return block;
      const event = JSON.parse(block.slice(6).trim()) as Obj;
      const data = isObj(event.data) ? event.data : {};
      const outputs = isObj(data.outputs) ? data.outputs : {};
      data.outputs = Object.fromEntries(vars.map((v) => [v, outputs.text]));
      return `data: ${JSON.stringify(event)}\n\n`;
    };
    // Relayed blocks, each written relayDelayMs after it arrived (a fixed delay keeps their order).
    const pendingWrites = new Set<ReturnType<typeof setTimeout>>();
    let stopped = false;
    const relay = (block: string, last: boolean): void => {
      if (relayDelay === 0) {
        if (last) res.end(block);
        else res.write(block);
        return;
      }
      const received = performance.now();
      const t = setTimeout(() => {
        pendingWrites.delete(t);
        if (stopped || res.destroyed) return;
        relayLags.push(performance.now() - received);
        if (last) res.end(block);
        else res.write(block);
      }, relayDelay);
      pendingWrites.add(t);
    };
    let taskId = '';
    let runId = '';
    const stop = (): void => {
      stopped = true;
      for (const t of pendingWrites) clearTimeout(t);
      pendingWrites.clear();
      abort.abort(); // Dify drops the model call
      const finished = { id: runId, workflow_id: a.id, status: 'stopped', outputs: {}, error: 'Stopped by user.', elapsed_time: 0, total_tokens: 0, total_steps: 2, created_at: 0, finished_at: 0 };
      res.end(`data: ${JSON.stringify({ event: 'workflow_finished', task_id: taskId, workflow_run_id: runId, data: finished })}\n\n`);
    };
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of upstream) {
        buf += decoder.decode(chunk as Uint8Array, { stream: true });
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          const block = buf.slice(0, i + 2);
          buf = buf.slice(i + 2);
          if (taskId === '' && block.startsWith('data: ')) {
            const first = JSON.parse(block.slice(6).trim()) as Obj;
            taskId = s(first.task_id);
            runId = s(first.workflow_run_id);
            if (taskId !== '') {
              runningTasks.set(taskId, { user, token, stop });
              res.once('close', () => runningTasks.delete(taskId));
            }
          }
          relay(rewrite(block), false);
        }
      }
      relay(buf, true);
    } catch {
      if (!stopped) res.destroy(); // the client went away (its abort) or the mock broke the stream
    }
  }

  /** Dify's stop: `{"user"}` required; stops the task only when it runs for that user of that app; always success. */
  async function stopWorkflow(req: IncomingMessage, taskId: string): Promise<{ status: number; body: unknown }> {
    const token = bearerOf(req);
    if (token === '' || ![...db.apps.values()].some((x) => x.keys.some((k) => k.token === token))) throw new HttpErr(401, 'unauthorized', 'Access token is invalid');
    const body = await readJson(req);
    if (s(body.user) === '') throw new HttpErr(400, 'invalid_param', 'user is required');
    const task = runningTasks.get(taskId);
    if (task !== undefined && task.user === s(body.user) && task.token === token) task.stop();
    return { status: 200, body: { result: 'success' } };
  }

  type Handler = (req: IncomingMessage, res: ServerResponse, m: RegExpExecArray, url: URL) => Promise<{ status: number; body: unknown; cookies?: string[] } | void>;
  const routes: [string, RegExp, Handler][] = [
    ['GET', /^\/health$/, async () => ({ status: 200, body: { pid: process.pid, status: 'ok', version: o.version } })],
    ['POST', /^\/v1\/workflows\/run$/, async (req, res) => runWorkflow(req, res)],
    ['POST', /^\/v1\/workflows\/tasks\/([^/]+)\/stop$/, async (req, _res, m) => stopWorkflow(req, decodeURIComponent(m[1] ?? ''))],
    ['GET', /^\/console\/api\/setup$/, async () => ({ status: 200, body: db.admin ? { step: 'finished', setup_at: setupAt } : { step: 'not_started' } })],
    [
      'GET',
      /^\/console\/api\/init$/,
      async (req) => ({ status: 200, body: { status: o.initPassword === '' || db.admin !== null || initSessions.has(cookiesOf(req).get('session') ?? '') ? 'finished' : 'not_started' } }),
    ],
    [
      'POST',
      /^\/console\/api\/init$/,
      async (req) => {
        const body = await readJson(req);
        if (db.admin !== null) throw new HttpErr(403, 'already_setup', 'Dify has been successfully installed. Please refresh the page or return to the dashboard homepage.');
        if (s(body.password) !== o.initPassword) throw new HttpErr(401, 'init_validate_failed', 'Init validation failed. Please check the password and try again.');
        const sid = randomUUID();
        initSessions.add(sid);
        return { status: 201, body: { result: 'success' }, cookies: [`session=${sid}; Path=/; HttpOnly`] };
      },
    ],
    [
      'POST',
      /^\/console\/api\/setup$/,
      async (req) => {
        const body = await readJson(req);
        if (db.admin !== null) throw new HttpErr(403, 'already_setup', 'Dify has been successfully installed. Please refresh the page or return to the dashboard homepage.');
        if (o.initPassword !== '' && !initSessions.has(cookiesOf(req).get('session') ?? '')) throw new HttpErr(401, 'not_init_validated', 'Init validation has not been completed yet. Please proceed with the init validation process first.');
        if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s(body.email))) throw new HttpErr(400, 'invalid_param', `${s(body.email)} is not a valid email.`);
        if (s(body.name) === '' || s(body.name).length > 30) throw new HttpErr(400, 'invalid_param', 'name: Invalid name. Name must be between 1 and 30 characters.');
        if (!/^(?=.*[a-zA-Z])(?=.*\d).{8,}$/.test(s(body.password))) throw new HttpErr(400, 'invalid_param', 'password: Password must contain letters and numbers, and the length must be greater than 8.');
        db.admin = { id: randomUUID(), email: s(body.email), password: s(body.password) };
        return { status: 201, body: { result: 'success' } };
      },
    ],
    [
      'POST',
      /^\/console\/api\/login$/,
      async (req) => {
        const body = await readJson(req);
        if (db.admin === null) throw new HttpErr(401, 'not_setup', 'Dify has not been set up yet. Please set up first.');
        const password = o.passwordEncoding === 'base64' ? pyB64decode(s(body.password)) : s(body.password);
        if (password === null) throw new HttpErr(401, 'authentication_failed', 'Invalid encrypted data');
        if (loginFailures >= 5) throw new HttpErr(429, 'email_code_login_limit', 'Too many incorrect password attempts. Please try again later.');
        if (s(body.email) !== db.admin.email || password !== db.admin.password) {
          loginFailures++;
          throw new HttpErr(401, 'authentication_failed', 'Invalid email or password.');
        }
        loginFailures = 0;
        db.logins++;
        const t = issue(db.admin.id);
        if (o.auth === 'bearer') return { status: 200, body: { result: 'success', data: { access_token: t.access, refresh_token: t.refresh } } };
        return { status: 200, body: { result: 'success' }, cookies: tokenCookies(t) };
      },
    ],
    [
      'POST',
      /^\/console\/api\/refresh-token$/,
      async (req) => {
        const body = await readJson(req);
        const token = o.auth === 'cookie' ? (cookiesOf(req).get(cookieName('refresh_token')) ?? '') : s(body.refresh_token);
        const user = refresh.get(token);
        if (user === undefined) return { status: 401, body: { result: 'fail', message: 'Invalid refresh token' } };
        refresh.delete(token);
        db.refreshes++;
        const t = issue(user);
        if (o.auth === 'bearer') return { status: 200, body: { result: 'success', data: { access_token: t.access, refresh_token: t.refresh } } };
        return { status: 200, body: { result: 'success' }, cookies: tokenCookies(t) };
      },
    ],
    [
      'POST',
      /^\/console\/api\/workspaces\/current\/plugin\/list\/installations\/ids$/,
      async (req) => {
        requireUser(req);
        const ids = (await readJson(req)).plugin_ids;
        if (!Array.isArray(ids)) throw new HttpErr(400, 'invalid_param', 'plugin_ids: Missing required parameter in the JSON body');
        const plugins = ids.flatMap((id) => {
          const p = db.plugins.get(s(id));
          return p === undefined ? [] : [{ id: p.id, plugin_id: s(id), plugin_unique_identifier: p.identifier, version: PLUGIN_ID.exec(p.identifier)?.[2] ?? '' }];
        });
        return { status: 200, body: { plugins } };
      },
    ],
    [
      'POST',
      /^\/console\/api\/workspaces\/current\/plugin\/install\/marketplace$/,
      async (req) => {
        requireUser(req);
        const ids = (await readJson(req)).plugin_unique_identifiers;
        if (!Array.isArray(ids) || ids.some((i) => typeof i !== 'string' || !PLUGIN_ID.test(i))) throw new HttpErr(400, 'invalid_param', 'Invalid plugin unique identifier');
        if (!o.marketplace) throw new HttpErr(400, 'invalid_param', 'PluginDaemonBadRequestError: marketplace is not enabled');
        const missing = ids.map(String).filter((i) => !db.plugins.has(PLUGIN_ID.exec(i)?.[1] ?? ''));
        if (missing.length === 0) return { status: 200, body: { all_installed: true, task_id: '' } };
        const taskId = randomUUID();
        tasks.set(taskId, { identifier: missing[0] ?? '', polls: 0 });
        db.installTasks++;
        return { status: 200, body: { all_installed: false, task_id: taskId } };
      },
    ],
    [
      'GET',
      /^\/console\/api\/workspaces\/current\/plugin\/tasks\/([^/]+)$/,
      async (req, _res, m) => {
        requireUser(req);
        const task = tasks.get(m[1] ?? '');
        if (task === undefined) throw new HttpErr(400, 'invalid_param', 'PluginDaemonNotFoundError: task not found');
        task.polls++;
        const done = task.polls > o.pluginTask.polls;
        const status = !done ? (task.polls === 1 ? 'pending' : 'running') : o.pluginTask.outcome;
        const pluginId = PLUGIN_ID.exec(task.identifier)?.[1] ?? '';
        if (done && status === 'success' && !db.plugins.has(pluginId)) db.plugins.set(pluginId, { id: randomUUID(), identifier: task.identifier });
        const message = status === 'failed' ? (o.pluginTask.message ?? 'failed to download the package') : '';
        return {
          status: 200,
          body: {
            task: {
              id: m[1],
              status,
              total_plugins: 1,
              completed_plugins: done ? 1 : 0,
              plugins: [{ plugin_unique_identifier: task.identifier, plugin_id: pluginId, status: done ? status : 'running', message }],
            },
          },
        };
      },
    ],
    [
      'POST',
      /^\/console\/api\/workspaces\/current\/plugin\/uninstall$/,
      async (req) => {
        requireUser(req);
        const id = s((await readJson(req)).plugin_installation_id);
        const entry = [...db.plugins.entries()].find(([, p]) => p.id === id);
        if (entry === undefined) throw new HttpErr(400, 'invalid_param', 'PluginDaemonNotFoundError: plugin installation not found');
        db.plugins.delete(entry[0]);
        if (entry[0] === OPENAI_PLUGIN) {
          db.credentials.length = 0;
          db.currentCredentialId = null;
        }
        return { status: 200, body: { success: true } };
      },
    ],
    [
      'GET',
      /^\/console\/api\/workspaces\/current\/model-providers$/,
      async (req) => {
        requireUser(req);
        if (!openaiInstalled()) return { status: 200, body: { data: [] } };
        const current = db.credentials.find((c) => c.id === db.currentCredentialId);
        const custom = {
          status: current ? 'active' : 'no-configure',
          current_credential_id: current?.id ?? null,
          current_credential_name: current?.name ?? null,
          available_credentials: db.credentials.map((c) => ({ credential_id: c.id, credential_name: c.name })),
        };
        return { status: 200, body: { data: [{ tenant_id: 't', provider: OPENAI_PROVIDER, label: { en_US: 'OpenAI' }, custom_configuration: custom }] } };
      },
    ],
    [
      'GET',
      /^\/console\/api\/workspaces\/current\/model-providers\/(.+)\/credentials$/,
      async (req, _res, m, url) => {
        requireUser(req);
        providerOr400(m[1] ?? '');
        const id = url.searchParams.get('credential_id') ?? db.currentCredentialId;
        const c = db.credentials.find((x) => x.id === id);
        if (c === undefined) return { status: 200, body: { credentials: null } };
        return { status: 200, body: { credentials: { ...c.credentials, openai_api_key: `${s(c.credentials.openai_api_key).slice(0, 2)}******` } } };
      },
    ],
    [
      'POST',
      /^\/console\/api\/workspaces\/current\/model-providers\/(.+)\/credentials$/,
      async (req, _res, m) => {
        requireUser(req);
        const body = await readJson(req);
        providerOr400(m[1] ?? '');
        const name = s(body.name) || `API KEY ${db.credentials.length + 1}`;
        if (name.length > 30) throw new HttpErr(400, 'invalid_param', 'name: String should have at most 30 characters');
        if (db.credentials.some((c) => c.name === name)) throw new HttpErr(400, 'invalid_param', `Credential with name '${name}' already exists.`);
        const credentials = isObj(body.credentials) ? body.credentials : {};
        await validateCredential(credentials);
        const id = randomUUID();
        db.credentials.push({ id, name, credentials });
        db.currentCredentialId ??= id;
        return { status: 201, body: { result: 'success' } };
      },
    ],
    [
      'DELETE',
      /^\/console\/api\/workspaces\/current\/model-providers\/(.+)\/credentials$/,
      async (req, _res, m) => {
        requireUser(req);
        const id = s((await readJson(req)).credential_id);
        providerOr400(m[1] ?? '');
        const i = db.credentials.findIndex((c) => c.id === id);
        if (i < 0) throw new HttpErr(400, 'invalid_param', 'Credential record not found.');
        db.credentials.splice(i, 1);
        if (db.currentCredentialId === id) db.currentCredentialId = db.credentials[0]?.id ?? null;
        return { status: 204, body: { result: 'success' } };
      },
    ],
    [
      'POST',
      /^\/console\/api\/workspaces\/current\/model-providers\/(.+)\/credentials\/switch$/,
      async (req, _res, m) => {
        requireUser(req);
        const id = s((await readJson(req)).credential_id);
        providerOr400(m[1] ?? '');
        if (!db.credentials.some((c) => c.id === id)) throw new HttpErr(400, 'invalid_param', 'Credential record not found.');
        db.currentCredentialId = id;
        return { status: 200, body: { result: 'success' } };
      },
    ],
    [
      'GET',
      /^\/console\/api\/apps$/,
      async (req, _res, _m, url) => {
        requireUser(req);
        const name = (url.searchParams.get('name') ?? '').toLowerCase();
        const mode = url.searchParams.get('mode') ?? 'all';
        const data = [...db.apps.values()]
          .filter((a) => a.name.toLowerCase().includes(name) && (mode === 'all' || a.mode === mode))
          .sort((a, b) => b.createdAt - a.createdAt)
          .map((a) => ({ id: a.id, name: a.name, mode: a.mode, created_at: a.createdAt }));
        return { status: 200, body: { page: 1, limit: Number(url.searchParams.get('limit') ?? 20), total: data.length, has_more: false, data } };
      },
    ],
    [
      'DELETE',
      /^\/console\/api\/apps\/([0-9a-f-]{36})$/,
      async (req, _res, m) => {
        requireUser(req);
        app(m[1] ?? '');
        db.apps.delete(m[1] ?? '');
        return { status: 204, body: { result: 'success' } };
      },
    ],
    [
      'POST',
      /^\/console\/api\/apps\/imports$/,
      async (req) => {
        requireUser(req);
        const body = await readJson(req);
        if (body.mode !== 'yaml-content' && body.mode !== 'yaml-url') throw new HttpErr(400, 'invalid_param', `Invalid import_mode: ${s(body.mode)}`);
        if (s(body.yaml_content) === '') return { status: 400, body: { id: randomUUID(), status: 'failed', error: 'yaml_content is required when import_mode is yaml-content' } };
        return importApp(s(body.yaml_content), s(body.name), s(body.app_id), false);
      },
    ],
    [
      'POST',
      /^\/console\/api\/apps\/imports\/([^/]+)\/confirm$/,
      async (req, _res, m) => {
        requireUser(req);
        const p = pending.get(m[1] ?? '');
        if (p === undefined) return { status: 400, body: { id: m[1], status: 'failed', error: 'Import information expired or does not exist' } };
        pending.delete(m[1] ?? '');
        return importApp(p.yaml, p.name, p.appId, true);
      },
    ],
    [
      'GET',
      /^\/console\/api\/apps\/([0-9a-f-]{36})\/workflows\/draft$/,
      async (req, _res, m) => {
        requireUser(req);
        const a = app(m[1] ?? '');
        if (a.draftVersion === 0) throw new HttpErr(404, 'draft_workflow_not_exist', 'Draft workflow need to be initialized.');
        return { status: 200, body: { id: `${a.id}-draft`, graph: a.graph, features: {}, hash: String(a.draftVersion) } };
      },
    ],
    [
      'GET',
      /^\/console\/api\/apps\/([0-9a-f-]{36})\/workflows\/publish$/,
      async (req, _res, m) => {
        requireUser(req);
        const a = app(m[1] ?? '');
        return { status: 200, body: a.published ? { id: a.published.id, graph: a.graph, version: String(a.published.draftVersion) } : { id: null, graph: null, version: null } };
      },
    ],
    [
      'POST',
      /^\/console\/api\/apps\/([0-9a-f-]{36})\/workflows\/publish$/,
      async (req, _res, m) => {
        requireUser(req);
        const body = await readJson(req);
        const a = app(m[1] ?? '');
        if (s(body.marked_name).length > 20 || s(body.marked_comment).length > 100) throw new HttpErr(400, 'invalid_param', 'Marked name cannot exceed 20 characters');
        if (a.draftVersion === 0) throw new HttpErr(400, 'invalid_param', 'No valid workflow found.');
        a.published = { id: randomUUID(), draftVersion: a.draftVersion };
        db.publishes++;
        return { status: 200, body: { result: 'success', created_at: 1_767_225_600 } };
      },
    ],
    [
      'GET',
      /^\/console\/api\/apps\/([0-9a-f-]{36})\/api-keys$/,
      async (req, _res, m) => {
        requireUser(req);
        const a = app(m[1] ?? '');
        return { status: 200, body: { data: a.keys.map((k) => ({ id: k.id, type: 'app', token: k.token, last_used_at: null, created_at: k.createdAt })) } };
      },
    ],
    [
      'POST',
      /^\/console\/api\/apps\/([0-9a-f-]{36})\/api-keys$/,
      async (req, _res, m) => {
        requireUser(req);
        const a = app(m[1] ?? '');
        if (a.keys.length >= 10) throw new HttpErr(400, 'max_keys_exceeded', 'Cannot create more than 10 API keys for this resource type.');
        // Real keys are `app-` + 24 alphanumerics; a fake one must not look like one.
        const k = { id: randomUUID(), token: `app-fake-${randomBytes(8).toString('hex')}`, createdAt: 1_767_225_600 };
        a.keys.push(k);
        db.keysCreated++;
        return { status: 201, body: { id: k.id, type: 'app', token: k.token, last_used_at: null, created_at: k.createdAt } };
      },
    ],
    [
      'DELETE',
      /^\/console\/api\/apps\/([0-9a-f-]{36})\/api-keys\/([0-9a-f-]{36})$/,
      async (req, _res, m) => {
        requireUser(req);
        const a = app(m[1] ?? '');
        const i = a.keys.findIndex((k) => k.id === m[2]);
        if (i < 0) throw new HttpErr(404, 'not_found', 'API key not found');
        a.keys.splice(i, 1);
        return { status: 204, body: { result: 'success' } };
      },
    ],
  ];

  const send = (res: ServerResponse, status: number, body: unknown, cookies: string[] = []): void => {
    const text = status === 204 ? '' : JSON.stringify(body);
    const headers: Record<string, string | string[]> = { 'Content-Type': 'application/json', 'X-Version': o.version };
    if (cookies.length > 0) headers['Set-Cookie'] = cookies;
    res.writeHead(status, headers).end(text);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const key = `${req.method ?? 'GET'} ${url.pathname}`;
    calls.push(key);
    try {
      const i = injected.findIndex((f) => (typeof f.match === 'string' ? f.match === key : f.match.test(key)));
      if (i >= 0) {
        const [f] = injected.splice(i, 1);
        req.resume();
        send(res, f!.status, f!.body);
        return;
      }
      for (const [method, re, handler] of routes) {
        const m = re.exec(url.pathname);
        if (m === null || method !== req.method) continue;
        const out = await handler(req, res, m, url);
        if (out !== undefined) send(res, out.status, out.body, out.cookies);
        return;
      }
      throw new HttpErr(404, 'not_found', 'The requested URL was not found on the server.');
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const e = err instanceof HttpErr ? err : new HttpErr(500, 'internal_server_error', (err as Error).message);
      send(res, e.status, e.body ?? { code: e.code, message: e.message, status: e.status });
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port; // a TCP listener's address is an AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    settings: o,
    db,
    calls,
    failNext: (match, status, body) => void injected.push({ match, status, body }),
    expireSessions: () => {
      access.clear();
      csrf.clear();
    },
    addCredential: (name, base) => {
      const id = randomUUID();
      db.credentials.push({ id, name, credentials: { openai_api_key: 'theirs', openai_api_base: base } });
      db.currentCredentialId ??= id;
      return id;
    },
    runs,
    relayLags,
    addPublishedWorkflow: (apiKey) => {
      const id = randomUUID();
      const graph = { nodes: [{ id: 'end', data: { type: 'end', outputs: [{ variable: 'answer', value_selector: ['llm', 'text'] }] } }] };
      db.apps.set(id, { id, name: 'sse-bench', mode: 'workflow', createdAt: 1_767_225_600, graph, draftVersion: 1, published: { id: randomUUID(), draftVersion: 1 }, keys: [{ id: randomUUID(), token: apiKey, createdAt: 1_767_225_600 }] });
    },
    close: () =>
      new Promise<void>((r) => {
        upstreamAgent.destroy();
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
