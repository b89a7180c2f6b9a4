/**
 * The steps of `npm run setup:dify`, in order: setup, login, provider (cli/setup-dify/dify-provider.ts),
 * app, api-key, publish, verify (cli/setup-dify/dify-verify.ts), state. Each step first looks at what
 * Dify already has and changes only what is missing, so a re-run after a failure resumes at
 * the failed step and a re-run after success changes nothing. A step returns one line for
 * the user and records in `ctx.changes` what it changed; a failure is a DifyApiError (Dify's
 * answer) or a StepFailure (our own check), both with a fix (fixFor).
 */
import type { DifyCreated, DifyStateFile } from '../../lib/init/dify-state.ts';
import { type DifyConsole, DifyApiError, type FetchFn, isObj, str } from './dify-console-client.ts';
import { buildDsl, draftMatches } from './dify-dsl.ts';
import type { Io } from '../main-guard.ts';
import type { SetupArgs } from './setup-dify-args.ts';

export type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object | null ? Mutable<T[K]> : T[K] };
export type MutableState = Mutable<DifyStateFile> & { created: Mutable<DifyCreated> };

export interface StepContext {
  readonly args: SetupArgs;
  readonly password: string;
  readonly console: DifyConsole;
  readonly io: Io;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly fetchFn: FetchFn;
  readonly pollIntervalMs: number;
  readonly verifyTimeoutMs: number;
  /** Adds a value that must never be printed (the app key once known). */
  readonly addSecret: (value: string) => void;
  readonly state: MutableState;
  /** What this run changed inside Dify, one phrase each. */
  readonly changes: string[];
  /** Persists `state` now (after a step created something). */
  readonly save: () => void;
  /** True once this run (re)wrote the app's draft: it must be published. */
  imported: boolean;
}

/** A failed check of our own (no HTTP error), with what to do. */
export class StepFailure extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
    this.name = 'StepFailure';
  }
}

export interface Step {
  readonly name: string;
  run(ctx: StepContext): Promise<string>;
}

/** Dify's `{page, data}` lists and `{data}` / `{plugins}` answers as an array of objects. */
export function items(body: unknown, key = 'data'): Record<string, unknown>[] {
  const v = isObj(body) ? body[key] : undefined;
  return Array.isArray(v) ? v.filter(isObj) : [];
}

const PASSWORD_RULE = /^(?=.*[A-Za-z])(?=.*\d).{8,}$/;

export const setupStep: Step = {
  name: 'setup',
  async run(ctx) {
    const { console: dify, args } = ctx;
    const status = await dify.request('GET', '/setup', undefined, { auth: false });
    if (isObj(status.body) && status.body.step === 'finished') {
      const at = str(status.body.setup_at);
      return `Dify is set up${at === '' ? '' : ` (since ${at})`}; no admin created`;
    }
    const init = await dify.request('GET', '/init', undefined, { auth: false });
    if (isObj(init.body) && init.body.status === 'not_started') {
      if (args.initPassword === '') {
        throw new StepFailure('this Dify is not set up and has an INIT_PASSWORD', "pass Dify's INIT_PASSWORD with --init-password or DIFY_INIT_PASSWORD");
      }
      await dify.request('POST', '/init', { password: args.initPassword }, { auth: false });
    }
    if (!PASSWORD_RULE.test(ctx.password)) {
      throw new StepFailure('the admin password breaks Dify’s rule', 'use at least 8 characters with letters and digits (DIFY_ADMIN_PASSWORD)');
    }
    const name = (args.email.split('@')[0] ?? 'admin').slice(0, 30) || 'admin';
    const res = await dify.request('POST', '/setup', { email: args.email, name, password: ctx.password }, { auth: false, accept: [403] });
    if (res.status === 403) return 'Dify was set up meanwhile (already_setup); no admin created';
    ctx.state.created.admin = true;
    ctx.changes.push(`admin ${args.email} created`);
    return `admin account ${args.email} created`;
  },
};

export const loginStep: Step = {
  name: 'login',
  async run(ctx) {
    const { console: dify } = ctx;
    await dify.login(ctx.args.email, ctx.password, ctx.state.auth.passwordEncoding);
    ctx.state.auth = { mode: dify.authMode, passwordEncoding: dify.passwordEncoding };
    const how = dify.authMode === 'cookie' ? 'cookie session with CSRF token' : 'bearer token';
    return `logged in as ${ctx.args.email} (${how}, ${dify.passwordEncoding === 'base64' ? 'Base64' : 'plain'} password)`;
  },
};

interface FoundApp {
  readonly id: string;
  readonly note: string;
}

async function findApp(ctx: StepContext): Promise<FoundApp | null> {
  const name = ctx.args.appName;
  const res = await ctx.console.request('GET', `/apps?page=1&limit=100&mode=workflow&name=${encodeURIComponent(name)}`);
  const same = items(res.body).filter((a) => a.name === name && a.mode === 'workflow');
  const mine = same.find((a) => a.id === ctx.state.appId);
  if (mine !== undefined) return { id: str(mine.id), note: '' };
  if (same.length === 0) return null;
  const newest = [...same].sort((a, b) => Number(b.created_at ?? 0) - Number(a.created_at ?? 0))[0] ?? {};
  return { id: str(newest.id), note: same.length > 1 ? ` (the newest of ${same.length} apps of that name)` : '' };
}

/** Dify's import answer → the app id; prints warnings, confirms a pending import, fails on failed. */
async function importDsl(ctx: StepContext, appId: string | null): Promise<{ id: string; mode: string }> {
  const dsl = buildDsl({ appName: ctx.args.appName, model: ctx.args.model, plugin: ctx.args.plugin });
  const body = { mode: 'yaml-content', yaml_content: dsl, name: ctx.args.appName, ...(appId === null ? {} : { app_id: appId }) };
  let res = await ctx.console.request('POST', '/apps/imports', body, { accept: [202, 400] });
  let answer = isObj(res.body) ? res.body : {};
  if (answer.status === 'pending') {
    ctx.io.out(`  import pending: DSL ${str(answer.imported_dsl_version)} vs Dify's ${str(answer.current_dsl_version)}; confirming`);
    res = await ctx.console.request('POST', `/apps/imports/${encodeURIComponent(str(answer.id))}/confirm`, undefined, { accept: [400] });
    answer = isObj(res.body) ? res.body : {};
  }
  if (answer.status === 'completed-with-warnings') {
    const why = str(answer.error);
    ctx.io.out(`  import completed with warnings: DSL ${str(answer.imported_dsl_version)} is older than Dify's ${str(answer.current_dsl_version)}${why === '' ? '' : `; ${why}`}`);
  } else if (answer.status !== 'completed') {
    throw new DifyApiError('POST', '/apps/imports', res.status, `import ${str(answer.status) || 'failed'}`, str(answer.error) || 'Dify did not import the DSL');
  }
  const id = str(answer.app_id);
  if (id === '') throw new StepFailure('the import answered no app_id', 'report your Dify version and its answer (see the README, "Benchmark your own Dify")');
  return { id, mode: str(answer.app_mode) || 'workflow' };
}

export const appStep: Step = {
  name: 'app',
  async run(ctx) {
    const { state, args } = ctx;
    const found = await findApp(ctx);
    if (found !== null) {
      if (found.id !== state.appId) forgetApp(state);
      state.appId = found.id;
      state.appMode = 'workflow';
      const draft = await ctx.console.request('GET', `/apps/${found.id}/workflows/draft`, undefined, { accept: [404] });
      if (draft.status !== 404 && draftMatches(draft.body, args.model)) return `reusing app "${args.appName}" ${found.id}${found.note}`;
      await importDsl(ctx, found.id);
      ctx.imported = true;
      ctx.changes.push(`app ${found.id} updated`);
      return `app "${args.appName}" ${found.id}${found.note} updated to the shipped workflow with model ${args.model}`;
    }
    forgetApp(state);
    const made = await importDsl(ctx, null);
    state.appId = made.id;
    state.appMode = made.mode;
    state.created.app = true;
    ctx.imported = true;
    ctx.changes.push(`app ${made.id} imported`);
    ctx.save();
    return `imported app "${args.appName}" ${made.id} (${made.mode}, model ${args.model})`;
  },
};

/** The state's app, its key and their "created" marks no longer apply (another app is used). */
function forgetApp(state: MutableState): void {
  state.appId = null;
  state.appMode = null;
  state.apiKey = null;
  state.apiKeyId = null;
  state.created.app = false;
  state.created.apiKey = false;
}

export const apiKeyStep: Step = {
  name: 'api-key',
  async run(ctx) {
    const { state } = ctx;
    const appId = state.appId ?? '';
    const keys = items((await ctx.console.request('GET', `/apps/${appId}/api-keys`)).body).filter((k) => str(k.token) !== '');
    const reuse = keys.find((k) => k.id === state.apiKeyId) ?? keys[0];
    if (reuse !== undefined) {
      if (reuse.id !== state.apiKeyId) state.created.apiKey = false;
      state.apiKeyId = str(reuse.id);
      state.apiKey = str(reuse.token);
      ctx.addSecret(state.apiKey);
      return `reusing the app's API key ${state.apiKeyId} (${keys.length} key(s) on the app)`;
    }
    const made = await ctx.console.request('POST', `/apps/${appId}/api-keys`);
    const key = isObj(made.body) ? made.body : {};
    if (str(key.token) === '') throw new StepFailure('Dify created an API key but did not return it', 'report your Dify version (see the README)');
    ctx.addSecret(str(key.token));
    state.apiKeyId = str(key.id);
    state.apiKey = str(key.token);
    state.created.apiKey = true;
    ctx.changes.push('API key created');
    ctx.save();
    return `created API key ${state.apiKeyId} (stored only in ${ctx.args.statePath}, mode 0600)`;
  },
};

export const publishStep: Step = {
  name: 'publish',
  async run(ctx) {
    const appId = ctx.state.appId ?? '';
    if (!ctx.imported) {
      const published = await ctx.console.request('GET', `/apps/${appId}/workflows/publish`, undefined, { accept: [404] });
      if (isObj(published.body) && str(published.body.id) !== '') return 'the workflow is published already';
    }
    await ctx.console.request('POST', `/apps/${appId}/workflows/publish`, { marked_name: 'sse-bench', marked_comment: 'published by npm run setup:dify' });
    ctx.changes.push('workflow published');
    return 'published the workflow';
  },
};

/** What to do about a failed step: by Dify's code first, then by step. */
export function fixFor(step: string, err: DifyApiError, difyUrl: string): string {
  if (err.status === 0) return `is Dify running at ${difyUrl}? (docker compose ps; curl ${difyUrl}/health)`;
  switch (err.code) {
    case 'authentication_failed':
      return 'check --email and the password (DIFY_ADMIN_PASSWORD); after 5 wrong passwords Dify refuses logins for a while';
    case 'email_code_login_limit':
      return 'too many wrong passwords: wait until Dify lifts its login limit, then run again with the right password';
    case 'not_init_validated':
    case 'init_validate_failed':
      return "pass Dify's INIT_PASSWORD with --init-password or DIFY_INIT_PASSWORD";
    case 'not_setup':
      return 'Dify is not set up: run setup:dify without --cleanup first';
    case 'unauthorized':
      return "the console refused the session even after a refresh: check Dify's COOKIE_DOMAIN / CONSOLE_API_URL settings and run again";
    case 'forbidden':
      return 'this account lacks the permission: use the workspace owner or an admin';
    default:
      break;
  }
  switch (step) {
    case 'provider':
      return "Dify installs the plugin through its plugin daemon from the marketplace (MARKETPLACE_ENABLED=true, network access), and validates the credential by calling --llm-base-url from the daemon's container: start `npm run mock -- --host 0.0.0.0 --port 5004` and use a host name the container resolves (host.docker.internal; on Linux add `extra_hosts: [\"host.docker.internal:host-gateway\"]`)";
    case 'app':
      return "Dify refused the shipped DSL: report Dify's message and version (README, \"Benchmark your own Dify\")";
    case 'api-key':
      return 'the app cannot get an API key (Dify allows 10 per app): delete one in the console (the app → API Access) and run again';
    case 'publish':
      return "open the app in Dify's studio, check the workflow, and run again";
    default:
      return 'fix the cause and run again: setup resumes at this step';
  }
}
