/**
 * `npm run bench` preflight: everything that must hold before k6 starts, each failure one
 * PreflightError (problem + fix, exit code 2) with no load sent.
 *
 * 1. settings parse (lib/init/config.ts `loadConfig`, the same loader build/sse.js runs), and the
 *    questions load (QUESTIONS_FILE);
 * 2. k6 >= 1.2 that loads k6/x/sse (k6-locate.ts);
 * 3. the k6 script exists (npm run build);
 * 4. ONE probe request to the target, sent exactly as the run's first request (lib/vu/targets.ts
 *    builds it: method, URL, headers — the API key when set —, body), read until its first
 *    event that is not a keep-alive or 10 s, then closed (target-probe.ts). What it saw decides
 *    (probe-verdict.ts): a key the server wants (401/403), a wrong URL (404), no event stream, an
 *    event of another TARGET, a server error event, a refused connection or a TLS failure stop
 *    the run with the fix. A missing API key is an error only when the server says so.
 *    With BASE_URL unset (or the default) and nothing listening there, the embedded mock server
 *    is started instead (nothing was sent).
 */
import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig, type Config } from '../../lib/init/config.ts';
import { envVarDef } from '../../lib/env-vars.ts';
import { pickQuestion, userId } from '../../lib/vu/question-pick.ts';
import { loadQuestions } from '../../lib/init/questions.ts';
import { loadDataset } from '../../lib/init/dataset.ts';
import { redactUrl } from '../../lib/report/redact.ts';
import { createTarget } from '../../lib/vu/targets.ts';
import type { K6Location } from '../run/k6-locate.ts';
import { isTlsFailure, MOCK_HINT, probeVerdict } from './probe-verdict.ts';
import { PROBE_TIMEOUT_MS, probeTarget, type ProbeObservation, type ProbeRequest } from './target-probe.ts';

/** Exit code of a failed preflight or a bad flag: nothing was run or sent. */
export const EXIT_PREFLIGHT = 2;

export class PreflightError extends Error {
  constructor(
    readonly problem: string,
    readonly fix: string,
    /** Whether the probe request had been sent to the target when the preflight stopped. */
    readonly probeSent = false,
  ) {
    super(problem);
    this.name = 'PreflightError';
  }
}

/** The message printed for a failed preflight. */
export function formatPreflightError(e: PreflightError): string {
  const sent = e.probeSent ? '(one probe request was sent to the target; no load was run)' : '(nothing was sent to the target)';
  return `preflight failed: ${e.problem}\n  fix: ${e.fix}\n${sent}`;
}

export interface StartedMock {
  readonly url: string;
  close(): Promise<void>;
}

export interface PreflightDeps {
  locateK6(env: NodeJS.ProcessEnv): Promise<K6Location>;
  fileExists(path: string): boolean;
  /** Starts the embedded mock; `modelLog`: BREAKDOWN=true, so it records the model log the time breakdown joins. */
  startMock(host: string, port: number, options: { readonly modelLog: boolean }): Promise<StartedMock>;
  /** Sends the one probe request (default: target-probe.ts `probeTarget`, real network). */
  sendProbe?(request: ProbeRequest): Promise<ProbeObservation>;
  /** Reads QUESTIONS_FILE, DATASET and SSL_CERT_FILE (default: fs.readFileSync as UTF-8). */
  readFile?(path: string): string;
}

/** How the run will connect, beyond the environment: from the k6 flags. */
export interface PreflightOptions {
  /** k6 runs with --insecure-skip-tls-verify: the probe does not verify the certificate either. */
  readonly insecureSkipTlsVerify?: boolean;
}

export interface PreflightResult {
  readonly config: Config;
  readonly k6: { readonly bin: string; readonly version: string };
  /** Extra environment for k6: what k6 itself needs, and BASE_URL of a started mock. */
  readonly env: Record<string, string>;
  /** The embedded mock, when this run started it: stop it after the run. */
  readonly mock: StartedMock | null;
  /** One-line notes for the user (what was started, what the probe request saw). */
  readonly notes: readonly string[];
}

/** True when BASE_URL is unset, blank or the default (which is where the embedded mock listens). */
export function isDefaultBaseUrl(env: NodeJS.ProcessEnv): boolean {
  const norm = (u: string): string => u.trim().replace(/\/+$/, '');
  const value = norm(env.BASE_URL ?? '');
  return value === '' || value === norm(envVarDef('BASE_URL').default);
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

/** k6 reads K6_INSECURE_SKIP_TLS_VERIFY as its --insecure-skip-tls-verify. */
function skipsTlsVerify(env: NodeJS.ProcessEnv, options: PreflightOptions): boolean {
  return options.insecureSkipTlsVerify === true || /^(true|1)$/i.test(env.K6_INSECURE_SKIP_TLS_VERIFY ?? '');
}

/** The run's first request (iteration 0 of VU "0"), as lib/vu/targets.ts builds it for k6/x/sse. */
export function probeRequest(config: Config, env: NodeJS.ProcessEnv, options: PreflightOptions, readFile: (path: string) => string): ProbeRequest {
  let questions: string[];
  try {
    // DATASET is validated here too (a bad line stops the CLI before k6 starts); the probe asks its first prompt.
    const dataset = loadDataset(config.workload, readFile);
    questions = dataset === null ? loadQuestions(config, readFile) : [(JSON.parse(dataset.elements[0] ?? '[0,""]') as string[])[1] ?? ''];
  } catch (err) {
    if (err instanceof ConfigError) throw new PreflightError(`setting ${err.message}`, `fix ${err.variable}`);
    throw err;
  }
  const { url, params } = createTarget(config).request(pickQuestion(questions, 0), userId(config.userPrefix, 0, 0));
  const certFile = env.SSL_CERT_FILE ?? '';
  let ca: string | undefined;
  if (certFile !== '' && url.startsWith('https:')) {
    try {
      ca = readFile(certFile);
    } catch (err) {
      throw new PreflightError(`SSL_CERT_FILE=${certFile} cannot be read (${(err as Error).message})`, 'point SSL_CERT_FILE at a PEM file of CA certificates, or unset it');
    }
  }
  return {
    method: params.method ?? 'GET',
    url,
    headers: params.headers ?? {},
    // k6/x/sse trims the body (types/k6-x-sse); so does the probe.
    ...(params.body !== undefined ? { body: params.body.trim() } : {}),
    insecureSkipTlsVerify: skipsTlsVerify(env, options),
    ...(ca !== undefined ? { ca } : {}),
    timeoutMs: PROBE_TIMEOUT_MS,
  };
}

export async function preflight(env: NodeJS.ProcessEnv, script: string, deps: PreflightDeps, options: PreflightOptions = {}): Promise<PreflightResult> {
  const config = configOrThrow(env);
  const readFile = deps.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const request = probeRequest(config, env, options, readFile);
  const notes: string[] = [];

  const k6 = await deps.locateK6(env);
  if (!k6.ok) throw new PreflightError(k6.problem, k6.fix);

  if (!deps.fileExists(script)) {
    throw new PreflightError(`the k6 script ${script} does not exist`, 'run `npm run build` (npm install runs it too), or pass --script <path>');
  }

  const seen = await (deps.sendProbe ?? probeTarget)(request);
  if (seen.kind === 'network' && seen.code === 'ECONNREFUSED' && isDefaultBaseUrl(env)) {
    const mock = await startEmbeddedMock(config, deps);
    notes.push(`nothing listened on ${originOf(config.baseUrl)}: started the embedded mock server at ${mock.url} for this run`);
    return { config, k6: { bin: k6.bin, version: k6.version }, env: { ...k6.env, BASE_URL: mock.url }, mock, notes };
  }
  const verdict = probeVerdict(seen, {
    target: config.target,
    method: request.method,
    shownUrl: redactUrl(request.url),
    shownBaseUrl: redactUrl(config.baseUrl),
    endpoint: config.endpoint,
    endpointSet: (env.ENDPOINT ?? '').trim() !== '',
    apiKey: config.apiKey,
    timeoutMs: request.timeoutMs ?? PROBE_TIMEOUT_MS,
  });
  if (!verdict.ok) throw new PreflightError(verdict.problem, verdict.fix, probeReachedTarget(seen));
  notes.push(`target: ${config.target} at ${redactUrl(config.baseUrl)}`, verdict.note);
  return { config, k6: { bin: k6.bin, version: k6.version }, env: { ...k6.env }, mock: null, notes };
}

/** Whether the request got out: not when the connection was refused, the host unknown or TLS failed (before any byte of it). */
function probeReachedTarget(seen: ProbeObservation): boolean {
  if (seen.kind !== 'network') return true;
  return !['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN'].includes(seen.code) && !isTlsFailure(seen.code, seen.message);
}

async function startEmbeddedMock(config: Config, deps: PreflightDeps): Promise<StartedMock> {
  const u = new URL(originOf(config.baseUrl));
  const host = u.hostname === 'localhost' ? '127.0.0.1' : u.hostname.replace(/^\[|\]$/g, '');
  const port = Number(u.port || 80);
  try {
    return await deps.startMock(host, port, { modelLog: config.breakdown === true });
  } catch (err) {
    throw new PreflightError(`could not start the embedded mock server on ${host}:${port} (${(err as Error).message})`, `free port ${port}, or set BASE_URL to a running server`);
  }
}

