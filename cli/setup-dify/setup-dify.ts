/**
 * `npm run setup:dify`: turns a Dify into a benchmark target in one command, or with
 * `--cleanup` removes what it made. Runs the steps of dify-setup-steps.ts in order, each
 * printed as `[n/8] step: what it did`; the first failure stops the run with the step's name,
 * Dify's answer and the fix (exit 1). The state file records progress, so the same command
 * resumes. The password and the app key never reach the output (every line is scrubbed).
 */
import { DIFY_STATE_SCHEMA, type DifyStateFile } from '../../lib/init/dify-state.ts';
import { UsageError } from '../args.ts';
import { CLEANUP_STEPS } from './dify-cleanup.ts';
import { DifyApiError, DifyConsole, type FetchFn } from './dify-console-client.ts';
import { providerStep } from './dify-provider.ts';
import { apiKeyStep, appStep, fixFor, loginStep, type MutableState, publishStep, setupStep, type Step, type StepContext, StepFailure } from './dify-setup-steps.ts';
import { loadStateFile, removeStateFile, saveStateFile } from './dify-state-file.ts';
import { verifyStep } from './dify-verify.ts';
import { consoleIo, type Io, runAsMain } from '../main-guard.ts';
import { promptHidden } from './password-prompt.ts';
import { parseSetupArgs, SETUP_USAGE, type SetupArgs } from './setup-dify-args.ts';

export const SETUP_STEPS: readonly Step[] = [setupStep, loginStep, providerStep, appStep, apiKeyStep, publishStep, verifyStep];
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

export interface SetupDeps {
  readonly env: NodeJS.ProcessEnv;
  readonly io: Io;
  readonly isTTY: boolean;
  readonly prompt: (question: string) => Promise<string>;
  readonly fetchFn: FetchFn;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly pollIntervalMs: number;
  readonly verifyTimeoutMs: number;
}

/** An Io that replaces every secret in every line by `[REDACTED]` (defence in depth). */
export function scrubbingIo(io: Io, secrets: ReadonlySet<string>): Io {
  const scrub = (line: string): string => {
    let out = line;
    for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[REDACTED]');
    return out;
  };
  return { out: (l) => io.out(scrub(l)), err: (l) => io.err(scrub(l)) };
}

function freshState(args: SetupArgs, now: number): MutableState {
  return {
    schema: DIFY_STATE_SCHEMA,
    complete: false,
    stoppedAt: '',
    baseUrl: args.difyUrl,
    email: args.email,
    difyVersion: '',
    auth: { mode: null, passwordEncoding: null },
    llmBaseUrl: args.llmBaseUrl,
    model: args.model,
    appName: args.appName,
    appId: null,
    appMode: null,
    apiKey: null,
    apiKeyId: null,
    created: { admin: false, pluginId: null, credentialId: null, previousCredentialId: null, app: false, apiKey: false },
    verifiedAt: null,
    writtenAt: new Date(now).toISOString(),
  };
}

/** A deep copy the steps may change (the file's objects stay as read). */
const editable = (s: DifyStateFile): MutableState => JSON.parse(JSON.stringify(s)) as MutableState;

function describeFailure(step: string, err: unknown, args: SetupArgs): { problem: string; fix: string } {
  if (err instanceof DifyApiError) return { problem: err.message, fix: fixFor(step, err, args.difyUrl) };
  if (err instanceof StepFailure) return { problem: err.message, fix: err.fix };
  return { problem: err instanceof Error ? err.message : String(err), fix: 'fix the cause and run again: setup resumes at this step' };
}

interface Run {
  readonly args: SetupArgs;
  readonly io: Io;
  readonly ctx: StepContext;
  readonly steps: readonly Step[];
  readonly total: number;
  readonly verb: string;
}

/** Runs the steps in order; on a failure prints it and returns the failed step's name. */
async function runSteps(run: Run, current: { step: string }): Promise<string | null> {
  const { io, ctx, steps, total } = run;
  for (const [i, step] of steps.entries()) {
    current.step = step.name;
    try {
      io.out(`[${i + 1}/${total}] ${step.name}: ${await step.run(ctx)}`);
    } catch (err) {
      const { problem, fix } = describeFailure(step.name, err, run.args);
      io.err(`${run.verb}: step "${step.name}" failed: ${problem}`);
      io.err(`  fix: ${fix}`);
      return step.name;
    }
  }
  return null;
}

function passwordProblem(args: SetupArgs, isTTY: boolean): string {
  return args.password === '' && !isTTY ? 'no password: set DIFY_ADMIN_PASSWORD (or run on a terminal to be asked for it)' : '';
}

export async function runSetupDify(argv: readonly string[], deps: SetupDeps): Promise<number> {
  let args: SetupArgs;
  try {
    args = parseSetupArgs(argv, deps.env);
    if (args.help) {
      deps.io.out(SETUP_USAGE);
      return 0;
    }
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    deps.io.err(`setup:dify: ${err.message}\n(npm run setup:dify -- --help for usage)`);
    return EXIT_USAGE;
  }
  const verb = args.cleanup ? 'setup:dify --cleanup' : 'setup:dify';
  let prev: DifyStateFile | null;
  try {
    prev = loadStateFile(args.statePath);
  } catch (err) {
    deps.io.err(`${verb}: step "state" failed: ${(err as Error).message}`);
    return EXIT_FAILED;
  }
  if (args.cleanup && prev === null) {
    deps.io.out(`${verb}: nothing to clean up: no state file at ${args.statePath}`);
    return 0;
  }
  if (!args.cleanup && prev !== null && prev.baseUrl !== args.difyUrl) {
    deps.io.err(`${verb}: step "state" failed: ${args.statePath} belongs to the Dify at ${prev.baseUrl}, not ${args.difyUrl}`);
    deps.io.err(`  fix: run --cleanup for that Dify first, or pass --state another/path.json`);
    return EXIT_FAILED;
  }

  const problem = passwordProblem(args, deps.isTTY);
  if (problem !== '') {
    deps.io.err(`setup:dify: ${problem}\n(npm run setup:dify -- --help for usage)`);
    return EXIT_USAGE;
  }
  const email = args.email !== '' ? args.email : (prev?.email ?? '');
  const password = args.password !== '' ? args.password : await deps.prompt(`Dify admin password for ${email}: `);
  const secrets = new Set<string>([password, Buffer.from(password, 'utf8').toString('base64')]);
  if (prev?.apiKey) secrets.add(prev.apiKey);
  const io = scrubbingIo(deps.io, secrets);
  if (args.passwordFromFlag) io.err(`${verb}: note: --password shows in ps and the shell history; prefer DIFY_ADMIN_PASSWORD or the prompt`);

  const baseUrl = args.cleanup && prev !== null ? prev.baseUrl : args.difyUrl;
  const state: MutableState = prev !== null ? editable(prev) : freshState(args, deps.now());
  if (!args.cleanup) Object.assign(state, { email, llmBaseUrl: args.llmBaseUrl, model: args.model, appName: args.appName });
  const current = { step: '' };
  const changes: string[] = [];
  const save = (complete: boolean): void =>
    saveStateFile(args.statePath, { ...state, complete, stoppedAt: complete ? '' : current.step, writtenAt: new Date(deps.now()).toISOString() });
  const ctx: StepContext = {
    args: { ...args, email, difyUrl: baseUrl },
    password,
    console: new DifyConsole(baseUrl, deps.fetchFn),
    io,
    now: deps.now,
    sleep: deps.sleep,
    fetchFn: deps.fetchFn,
    pollIntervalMs: deps.pollIntervalMs,
    verifyTimeoutMs: deps.verifyTimeoutMs,
    addSecret: (v) => secrets.add(v),
    state,
    changes,
    save: () => save(false),
    imported: false,
  };
  const steps = args.cleanup ? CLEANUP_STEPS : SETUP_STEPS;
  const total = steps.length + 1;
  io.out(`${verb}: ${args.cleanup ? 'removing what setup created in' : 'setting up'} the Dify at ${baseUrl} (state: ${args.statePath})`);
  const failed = await runSteps({ args: ctx.args, io, ctx, steps, total, verb }, current);
  state.difyVersion = ctx.console.version || state.difyVersion;

  if (failed !== null) {
    // Keep a finished state untouched when this run changed nothing (e.g. a mistyped password).
    const touched = changes.length > 0 || prev === null || !prev.complete || args.cleanup;
    const recorded = prev !== null || state.appId !== null || Object.values(state.created).some((v) => v !== false && v !== null);
    if (touched && recorded) {
      current.step = failed;
      try {
        save(false);
        io.err(`  progress is in ${args.statePath}: run the same command again to resume at "${failed}"`);
      } catch (err) {
        io.err(`  ${(err as Error).message}`);
      }
    }
    return EXIT_FAILED;
  }

  current.step = 'state';
  try {
    if (args.cleanup) {
      removeStateFile(args.statePath);
      io.out(`[${total}/${total}] state: removed ${args.statePath}`);
    } else {
      save(true);
      io.out(`[${total}/${total}] state: wrote ${args.statePath} (mode 0600: base URL, app ${state.appId}, its API key, Dify ${state.difyVersion || 'version unknown'})`);
    }
  } catch (err) {
    io.err(`${verb}: step "state" failed: ${(err as Error).message}`);
    io.err('  fix: make the directory writable, or pass --state another/path.json, and run again');
    return EXIT_FAILED;
  }
  io.out(changes.length === 0 ? `${verb}: nothing changed: ${args.cleanup ? 'nothing of ours was left in Dify' : 'this Dify was already set up for sse-bench'}` : `${verb}: changed: ${changes.join('; ')}`);
  if (!args.cleanup) io.out(`next: npm run bench   (API key and BASE_URL ${baseUrl} come from ${args.statePath} while API_KEY and BASE_URL are unset)`);
  return 0;
}

runAsMain(import.meta.url, () =>
  runSetupDify(process.argv.slice(2), {
    env: process.env,
    io: consoleIo,
    isTTY: process.stdin.isTTY === true,
    prompt: (q) => promptHidden(q),
    fetchFn: fetch,
    now: Date.now,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    pollIntervalMs: 2_000,
    verifyTimeoutMs: 120_000,
  }),
);
