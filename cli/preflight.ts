/**
 * `npm run bench` preflight: everything that must hold before k6 starts, each failure one
 * PreflightError (problem + fix, exit code 2) with no load sent.
 *
 * 1. settings parse (lib/config.ts `loadConfig`, the same loader build/sse.js runs);
 * 2. k6 >= 1.2 that loads k6/x/sse (k6-locate.ts);
 * 3. the k6 script exists (npm run build);
 * 4. an API key for any target but the mock (checked before anything is sent to a real target);
 * 5. the target answers: any HTTP response counts as reachable; Dify targets also get their
 *    `/health` checked (a 5xx fails, a 404 — not routed — is ignored). With BASE_URL unset
 *    (or the default) and nothing listening there, the embedded mock server is started.
 */
import { ConfigError, loadConfig, type Config } from '../lib/config.ts';
import { envVarDef } from '../lib/env-vars.ts';
import { redactUrl } from '../lib/redact.ts';
import type { K6Location } from './k6-locate.ts';

/** Exit code of a failed preflight or a bad flag: nothing was run or sent. */
export const EXIT_PREFLIGHT = 2;

export class PreflightError extends Error {
  constructor(
    readonly problem: string,
    readonly fix: string,
  ) {
    super(problem);
    this.name = 'PreflightError';
  }
}

/** The message printed for a failed preflight. */
export function formatPreflightError(e: PreflightError): string {
  return `preflight failed: ${e.problem}\n  fix: ${e.fix}\n(nothing was sent to the target)`;
}

/** Result of one GET: the status, or the network error code/message. */
export type ProbeResult = { status: number; body: string } | { error: string; code: string };

export interface StartedMock {
  readonly url: string;
  close(): Promise<void>;
}

export interface PreflightDeps {
  locateK6(env: NodeJS.ProcessEnv): Promise<K6Location>;
  fileExists(path: string): boolean;
  probe(url: string): Promise<ProbeResult>;
  startMock(host: string, port: number): Promise<StartedMock>;
}

export interface PreflightResult {
  readonly config: Config;
  readonly k6: { readonly bin: string; readonly version: string };
  /** Extra environment for k6: what k6 itself needs, and BASE_URL of a started mock. */
  readonly env: Record<string, string>;
  /** The embedded mock, when this run started it: stop it after the run. */
  readonly mock: StartedMock | null;
  /** One-line notes for the user (what was started, what is being targeted). */
  readonly notes: readonly string[];
}

const MOCK_HINT = 'leave BASE_URL unset to run against the embedded mock server';

/** True when BASE_URL is unset, blank or the default (which is where the embedded mock listens). */
export function isDefaultBaseUrl(env: NodeJS.ProcessEnv): boolean {
  const norm = (u: string): string => u.trim().replace(/\/+$/, '');
  const value = norm(env.BASE_URL ?? '');
  return value === '' || value === norm(envVarDef('BASE_URL').default);
}

/** Our mock's `GET /stats` answer: tells the embedded mock (no API key needed) from a real server. */
export function looksLikeMockStats(body: string): boolean {
  try {
    const v = JSON.parse(body) as Record<string, unknown>;
    return ['activeStreams', 'streamsStarted', 'streamsFinished', 'eventsSent'].every((k) => typeof v[k] === 'number');
  } catch {
    return false;
  }
}

function originOf(url: string): string {
  return new URL(url).origin;
}

function configOrThrow(env: NodeJS.ProcessEnv): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      throw new PreflightError(`setting ${err.message}`, `fix ${err.variable} (every variable: npm run bench -- --help and the README's configuration table)`);
    }
    throw err;
  }
}

export async function preflight(env: NodeJS.ProcessEnv, script: string, deps: PreflightDeps): Promise<PreflightResult> {
  const config = configOrThrow(env);
  const notes: string[] = [];

  const k6 = await deps.locateK6(env);
  if (!k6.ok) throw new PreflightError(k6.problem, k6.fix);

  if (!deps.fileExists(script)) {
    throw new PreflightError(`the k6 script ${script} does not exist`, 'run `npm run build` (npm install runs it too), or pass --script <path>');
  }

  const shownUrl = redactUrl(config.baseUrl);
  const defaultUrl = isDefaultBaseUrl(env);
  if (!defaultUrl && config.apiKey === '') {
    throw new PreflightError(
      `no API key for ${config.target} at ${shownUrl}: API_KEY (or DIFY_API_KEY) is not set`,
      `export API_KEY=<the app's API key> (Dify: the app's "API Access" key; OpenAI-compatible: the bearer token), or ${MOCK_HINT}`,
    );
  }

  const origin = originOf(config.baseUrl);
  const reach = await deps.probe(config.baseUrl);
  if ('error' in reach) {
    if (defaultUrl && reach.code === 'ECONNREFUSED') {
      const u = new URL(origin);
      const host = u.hostname === 'localhost' ? '127.0.0.1' : u.hostname.replace(/^\[|\]$/g, '');
      const port = Number(u.port || 80);
      let mock: StartedMock;
      try {
        mock = await deps.startMock(host, port);
      } catch (err) {
        throw new PreflightError(`could not start the embedded mock server on ${host}:${port} (${(err as Error).message})`, `free port ${port}, or set BASE_URL to a running server`);
      }
      notes.push(`nothing listened on ${origin}: started the embedded mock server at ${mock.url} for this run`);
      return { config, k6: { bin: k6.bin, version: k6.version }, env: { ...k6.env, BASE_URL: mock.url }, mock, notes };
    }
    throw new PreflightError(
      `the target ${shownUrl} is unreachable (${reach.error})`,
      defaultUrl ? `stop whatever holds ${origin} or start the server there` : `start the server or fix BASE_URL, or ${MOCK_HINT}`,
    );
  }

  const stats = await deps.probe(`${origin}/stats`);
  const isMock = 'status' in stats && stats.status === 200 && looksLikeMockStats(stats.body);
  if (!isMock && config.apiKey === '') {
    throw new PreflightError(
      `no API key for ${config.target} at ${shownUrl}: API_KEY (or DIFY_API_KEY) is not set, and the server there is not the sse-bench mock`,
      `export API_KEY=<the app's API key>, or stop the server on ${origin} so the embedded mock can start`,
    );
  }
  if (config.target.startsWith('dify-') && !isMock) {
    const health = await deps.probe(`${origin}/health`);
    if ('status' in health && health.status >= 500) {
      throw new PreflightError(`the target's health check ${origin}/health answered HTTP ${health.status}`, 'check the Dify API server (its logs, its database and Redis) and run again');
    }
  }
  notes.push(isMock ? `target: the sse-bench mock already running at ${origin}` : `target: ${config.target} at ${shownUrl}`);
  return { config, k6: { bin: k6.bin, version: k6.version }, env: { ...k6.env }, mock: null, notes };
}

/** GET with a 5 s deadline; the body is read only when it is JSON (never a stream); never throws. */
export async function httpProbe(url: string): Promise<ProbeResult> {
  try {
    const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(5_000) });
    if (!(res.headers.get('content-type') ?? '').includes('json')) {
      await res.body?.cancel();
      return { status: res.status, body: '' };
    }
    return { status: res.status, body: (await res.text()).slice(0, 65_536) };
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const code = cause?.code ?? (err as Error).name;
    return { error: cause?.message ?? (err as Error).message, code };
  }
}
