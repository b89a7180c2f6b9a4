/**
 * `npm run setup:dify` against the fake Dify console (test/fake-dify/console.ts), with the
 * workflow runs streamed by the embedded mock server (in-process, random port). Virtual clock:
 * the plugin task's polling sleeps advance it, nothing waits for real time.
 */
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DifyStateFile } from '../../lib/init/dify-state.ts';
import { startMockServer, type MockServer } from '../../mock/server.ts';
import { startFakeDify, type FakeDify, type FakeDifyOptions } from '../../test/fake-dify/console.ts';
import { runSetupDify } from './setup-dify.ts';

const PASSWORD = 'bench-Passw0rd-fixture';
const EMAIL = 'admin@sse-bench.test';
const b64 = (t: string): string => Buffer.from(t, 'utf8').toString('base64');

let mock: MockServer;
const fakes: FakeDify[] = [];
/** Every line any run printed, for the secrets check at the end. */
const allOutput: string[] = [];
const keysSeen = new Set<string>();

beforeAll(async () => {
  mock = await startMockServer({ port: 0, ttfeMs: 0, ttftMs: 0, tokenIntervalMs: 0, tokens: 5, pingIntervalMs: 0, seed: 'setup-dify' });
});
afterAll(async () => {
  await mock.close();
});
afterEach(async () => {
  for (const f of fakes.splice(0)) {
    for (const a of f.db.apps.values()) for (const k of a.keys) keysSeen.add(k.token);
    await f.close();
  }
});

async function fake(options: FakeDifyOptions = {}): Promise<FakeDify> {
  const f = await startFakeDify(options);
  fakes.push(f);
  return f;
}

interface RunResult {
  code: number;
  out: string;
  err: string;
}

function statePathIn(): string {
  return join(mkdtempSync(join(tmpdir(), 'setup-dify-')), '.sse-bench', 'dify.json');
}

async function run(f: FakeDify, state: string, extra: string[] = [], opts: { env?: NodeJS.ProcessEnv; fetchFn?: typeof fetch } = {}): Promise<RunResult> {
  const out: string[] = [];
  const err: string[] = [];
  let clock = Date.UTC(2026, 10, 30, 12, 0, 0);
  const code = await runSetupDify(['--dify', f.url, '--email', EMAIL, '--llm-base-url', mock.url, '--state', state, ...extra], {
    env: { DIFY_ADMIN_PASSWORD: PASSWORD, ...opts.env },
    io: { out: (l) => out.push(l), err: (l) => err.push(l) },
    isTTY: false,
    prompt: () => Promise.reject(new Error('no prompt in tests')),
    fetchFn: opts.fetchFn ?? fetch,
    now: () => clock,
    sleep: async (ms) => {
      clock += ms;
    },
    pollIntervalMs: 2_000,
    verifyTimeoutMs: 15_000,
  });
  allOutput.push(...out, ...err);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const readState = (path: string): DifyStateFile => JSON.parse(readFileSync(path, 'utf8')) as DifyStateFile;
const onlyApp = (f: FakeDify) => {
  expect(f.db.apps.size).toBe(1);
  return [...f.db.apps.values()][0]!;
};

/** What one complete setup leaves in a fresh fake. */
function expectProvisioned(f: FakeDify): void {
  const app = onlyApp(f);
  expect(app.name).toBe('sse-bench-workflow');
  expect(app.keys).toHaveLength(1);
  expect(app.published).not.toBeNull();
  expect(f.db.credentials).toHaveLength(1);
  expect(f.db.currentCredentialId).toBe(f.db.credentials[0]!.id);
  expect(f.db.credentials[0]!.credentials.openai_api_base).toBe(mock.url);
  expect([...f.db.plugins.keys()]).toEqual(['langgenius/openai']);
}

describe('setup:dify on a fresh current Dify (cookies + CSRF, Base64 password)', () => {
  it('provisions, verifies with one streamed run, writes a 0600 state; a second run changes nothing; --cleanup removes it all', async () => {
    const f = await fake();
    const state = statePathIn();
    const first = await run(f, state);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    const lines = first.out.split('\n');
    expect(lines.filter((l) => /^\[\d\/8\] /.test(l)).map((l) => l.slice(0, l.indexOf(':')))).toEqual([
      '[1/8] setup',
      '[2/8] login',
      '[3/8] provider',
      '[4/8] app',
      '[5/8] api-key',
      '[6/8] publish',
      '[7/8] verify',
      '[8/8] state',
    ]);
    expect(first.out).toContain(`[1/8] setup: admin account ${EMAIL} created`);
    expect(first.out).toContain('(cookie session with CSRF token, Base64 password)');
    expect(first.out).toMatch(/plugin task [0-9a-f-]+: pending \(0\/1 plugins\)\n.*plugin task [0-9a-f-]+: running \(0\/1 plugins\)\n.*plugin task [0-9a-f-]+: success \(1\/1 plugins\)/);
    expect(first.out).toMatch(/\[7\/8\] verify: streamed one run in [\d.]+ s: first event workflow_started, \d+ events, answer "[^"]+"/);
    expect(first.out).toContain('next: npm run bench');
    expectProvisioned(f);
    expect(f.db.publishes).toBe(1);

    expect(statSync(state).mode & 0o777).toBe(0o600);
    expect(statSync(join(state, '..')).mode & 0o777).toBe(0o700);
    const s = readState(state);
    const app = onlyApp(f);
    expect(s).toMatchObject({
      complete: true,
      stoppedAt: '',
      baseUrl: f.url,
      email: EMAIL,
      difyVersion: '1.11.1',
      auth: { mode: 'cookie', passwordEncoding: 'base64' },
      appId: app.id,
      appMode: 'workflow',
      apiKey: app.keys[0]!.token,
      apiKeyId: app.keys[0]!.id,
      created: { admin: true, pluginId: 'langgenius/openai', credentialId: f.db.credentials[0]!.id, previousCredentialId: null, app: true, apiKey: true },
    });
    expect(s.verifiedAt).toBe('2026-11-30T12:00:06.000Z'); // three 2 s polls of the plugin task on the virtual clock

    const counts = { ...f.db, apps: f.db.apps.size, creds: f.db.credentials.length };
    const second = await run(f, state);
    expect(second.code).toBe(0);
    expect(second.out).toContain('setup:dify: nothing changed: this Dify was already set up for sse-bench');
    expect(second.out).toContain('[4/8] app: reusing app "sse-bench-workflow"');
    expect(second.out).toContain('[6/8] publish: the workflow is published already');
    expect(f.db).toMatchObject({ installTasks: counts.installTasks, imports: counts.imports, keysCreated: counts.keysCreated, publishes: counts.publishes });
    expect(f.db.credentials).toHaveLength(counts.creds);
    expect(f.db.apps.size).toBe(counts.apps);
    expect(readState(state).created).toEqual(s.created);

    const clean = await run(f, state, ['--cleanup']);
    expect(clean.err).toBe('');
    expect(clean.code).toBe(0);
    expect(clean.out).toContain('[2/4] app: removed 1 API key(s) and app');
    expect(clean.out).toContain('uninstalled plugin langgenius/openai');
    expect(clean.out).toContain('[4/4] state: removed');
    expect(f.db.apps.size).toBe(0);
    expect(f.db.credentials).toHaveLength(0);
    expect(f.db.plugins.size).toBe(0);
    expect(existsSync(state)).toBe(false);

    const again = await run(f, state, ['--cleanup']);
    expect(again.code).toBe(0);
    expect(again.out).toContain('nothing to clean up: no state file at');
  });

  it('works with __Host- prefixed cookies (a Dify served over https)', async () => {
    const f = await fake({ hostPrefix: true });
    const r = await run(f, statePathIn());
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expectProvisioned(f);
  });

  it('refreshes an expired session once and goes on', async () => {
    const f = await fake();
    let expired = false;
    const fetchFn: typeof fetch = (input, init) => {
      if (!expired && String(input).includes('/console/api/apps?')) {
        expired = true;
        f.expireSessions();
      }
      return fetch(input, init);
    };
    const r = await run(f, statePathIn(), [], { fetchFn });
    expect(r.code).toBe(0);
    expect(f.db.refreshes).toBe(1);
    expectProvisioned(f);
  });
});

describe('setup:dify on an older Dify (bearer tokens in the login body, plain password)', () => {
  it('detects both from the answers, logs in, and tries the plain password first next time', async () => {
    const f = await fake({ auth: 'bearer', passwordEncoding: 'plain', admin: { email: EMAIL, password: PASSWORD }, version: '1.4.0' });
    const state = statePathIn();
    const first = await run(f, state);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toContain('[1/8] setup: Dify is set up (since 2026-01-01T00:00:00.000Z); no admin created');
    expect(first.out).toContain('(bearer token, plain password)');
    expect(f.calls.filter((c) => c === 'POST /console/api/login')).toHaveLength(2); // Base64 refused, then plain
    expect(readState(state)).toMatchObject({ auth: { mode: 'bearer', passwordEncoding: 'plain' }, difyVersion: '1.4.0', created: { admin: false } });
    expectProvisioned(f);

    const before = f.calls.length;
    const second = await run(f, state);
    expect(second.code).toBe(0);
    expect(f.calls.slice(before).filter((c) => c === 'POST /console/api/login')).toHaveLength(1);
  });

  it('a bearer token is refused by the current console (CSRF)', async () => {
    const f = await fake({ admin: { email: EMAIL, password: PASSWORD } });
    const login = await fetch(`${f.url}/console/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: EMAIL, password: b64(PASSWORD) }) });
    const access = /access_token=([^;]+)/.exec(login.headers.getSetCookie().join('\n'))?.[1] ?? '';
    expect(access).not.toBe('');
    const res = await fetch(`${f.url}/console/api/apps`, { headers: { Authorization: `Bearer ${access}` } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ code: 'unauthorized', message: 'CSRF token is missing or invalid.', status: 401 });
  });
});

describe('setup step', () => {
  it('stops with a clear message when Dify has an INIT_PASSWORD and none is given, and passes with it', async () => {
    const f = await fake({ initPassword: 'init-fixture-1' });
    const state = statePathIn();
    const r = await run(f, state);
    expect(r.code).toBe(1);
    expect(r.err).toContain('setup:dify: step "setup" failed: this Dify is not set up and has an INIT_PASSWORD');
    expect(r.err).toContain("fix: pass Dify's INIT_PASSWORD with --init-password or DIFY_INIT_PASSWORD");
    expect(existsSync(state)).toBe(false);

    const wrong = await run(f, state, ['--init-password', 'nope']);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain('POST /init: HTTP 401 init_validate_failed');

    const ok = await run(f, state, [], { env: { DIFY_INIT_PASSWORD: 'init-fixture-1' } });
    expect(ok.code).toBe(0);
    expect(f.db.admin?.email).toBe(EMAIL);
  });

  it('takes already_setup (403) from a Dify set up meanwhile as done', async () => {
    const f = await fake({ admin: { email: EMAIL, password: PASSWORD } });
    f.failNext('GET /console/api/setup', 200, { step: 'not_started' }); // another client finishes setup between the check and the POST
    const r = await run(f, statePathIn());
    expect(r.code).toBe(0);
    expect(r.out).toContain('[1/8] setup: Dify was set up meanwhile (already_setup); no admin created');
    expect(f.calls.filter((c) => c === 'POST /console/api/setup')).toHaveLength(1);
  });

  it('checks the password rule before creating the admin', async () => {
    const f = await fake();
    const r = await run(f, statePathIn(), [], { env: { DIFY_ADMIN_PASSWORD: 'lettersonly' } });
    expect(r.code).toBe(1);
    expect(r.err).toContain('step "setup" failed: the admin password breaks Dify’s rule');
    expect(f.db.admin).toBeNull();
  });
});

describe('login step', () => {
  it('names the step, the status and Dify’s code for a wrong password, and writes no state', async () => {
    const f = await fake({ admin: { email: EMAIL, password: 'another-Passw0rd' } });
    const state = statePathIn();
    const r = await run(f, state);
    expect(r.code).toBe(1);
    expect(r.err).toContain('setup:dify: step "login" failed: POST /login: HTTP 401 authentication_failed — Invalid email or password. (sent the password Base64-encoded and plain)');
    expect(r.err).toContain('fix: check --email and the password');
    expect(existsSync(state)).toBe(false);
  });
});

describe('provider step', () => {
  it('polls the plugin task with a deadline on the virtual clock', async () => {
    const f = await fake({ pluginTask: { polls: 1_000, outcome: 'success' } });
    const r = await run(f, statePathIn(), ['--plugin-timeout', '10']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/step "provider" failed: the plugin install task [0-9a-f-]+ is still running after 10 s/);
    expect(f.calls.filter((c) => c.startsWith('GET /console/api/workspaces/current/plugin/tasks/'))).toHaveLength(6); // t = 0, 2, …, 10 s
  });

  it('fails on a failed task with the plugin’s message, and installs on the next run', async () => {
    const f = await fake({ pluginTask: { polls: 1, outcome: 'failed', message: 'download timeout' } });
    const state = statePathIn();
    const r = await run(f, state);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/step "provider" failed: the plugin install task [0-9a-f-]+ failed: download timeout/);
    f.settings.pluginTask.outcome = 'success';
    const again = await run(f, state);
    expect(again.code).toBe(0);
    expect(f.db.installTasks).toBe(2);
    expect(readState(state).created.pluginId).toBe('langgenius/openai');
  });

  it('takes all_installed with no task id as installed', async () => {
    const f = await fake({ openaiPreinstalled: true });
    f.failNext('POST /console/api/workspaces/current/plugin/list/installations/ids', 200, { plugins: [] });
    const r = await run(f, statePathIn());
    expect(r.code).toBe(0);
    expect(r.out).toContain('plugin langgenius/openai installed already (the marketplace says so)');
    expect(f.db.installTasks).toBe(0);
  });

  it('reports a disabled marketplace with the fix', async () => {
    const f = await fake({ marketplace: false });
    const r = await run(f, statePathIn());
    expect(r.code).toBe(1);
    expect(r.err).toContain('step "provider" failed: POST /workspaces/current/plugin/install/marketplace: HTTP 400 invalid_param — PluginDaemonBadRequestError: marketplace is not enabled');
    expect(r.err).toContain('MARKETPLACE_ENABLED=true');
  });

  it('reports a credential Dify cannot validate (LLM server unreachable)', async () => {
    const f = await fake();
    const r = await run(f, statePathIn(), ['--llm-base-url', 'http://127.0.0.1:1/v1']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/step "provider" failed: POST \/workspaces\/current\/model-providers\/langgenius\/openai\/openai\/credentials: HTTP 400 invalid_param — Credentials validation failed: /);
    expect(r.err).toContain('host.docker.internal');
  });

  it('keeps a workspace’s own credential and plugin: switches to ours, and cleanup switches back', async () => {
    const f = await fake({ openaiPreinstalled: true });
    const theirs = f.addCredential('team key', 'http://127.0.0.1:9/elsewhere');
    const state = statePathIn();
    const r = await run(f, state);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/created credential "sse-bench [0-9a-f]{8}" → http:\/\/127\.0\.0\.1:\d+ \(validated by Dify\); made it the active one/);
    const ours = f.db.credentials.find((c) => c.id !== theirs)!;
    expect(f.db.currentCredentialId).toBe(ours.id);
    expect(readState(state).created).toMatchObject({ pluginId: null, credentialId: ours.id, previousCredentialId: theirs });

    const clean = await run(f, state, ['--cleanup']);
    expect(clean.code).toBe(0);
    expect(clean.out).toContain('switched the provider back to its former credential');
    expect(f.db.credentials.map((c) => c.id)).toEqual([theirs]);
    expect(f.db.currentCredentialId).toBe(theirs);
    expect(f.db.plugins.has('langgenius/openai')).toBe(true);
  });
});

describe('app step: import statuses', () => {
  it('accepts completed-with-warnings and prints why', async () => {
    const f = await fake({ dslVersion: '0.7.0' });
    const r = await run(f, statePathIn());
    expect(r.code).toBe(0);
    expect(r.out).toContain("import completed with warnings: DSL 0.6.0 is older than Dify's 0.7.0");
  });

  it('confirms a pending import (a DSL newer than Dify’s)', async () => {
    const f = await fake({ dslVersion: '0.5.0' });
    const r = await run(f, statePathIn());
    expect(r.code).toBe(0);
    expect(r.out).toContain("import pending: DSL 0.6.0 vs Dify's 0.5.0; confirming");
    expect(f.calls.some((c) => /^POST \/console\/api\/apps\/imports\/[^/]+\/confirm$/.test(c))).toBe(true);
    expectProvisioned(f);
  });

  it('fails on failed with Dify’s message', async () => {
    const f = await fake();
    f.failNext('POST /console/api/apps/imports', 400, { id: 'x', status: 'failed', error: 'Invalid YAML format: mapping values are not allowed here' });
    const r = await run(f, statePathIn());
    expect(r.code).toBe(1);
    expect(r.err).toContain('step "app" failed: POST /apps/imports: HTTP 400 import failed — Invalid YAML format: mapping values are not allowed here');
  });

  it('reuses an app of the same name, and re-imports it (then publishes) when the model changed', async () => {
    const f = await fake();
    const state = statePathIn();
    expect((await run(f, state)).code).toBe(0);
    const id = onlyApp(f).id;
    const r = await run(f, state, ['--model', 'gpt-4o-mini']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`[4/8] app: app "sse-bench-workflow" ${id} updated to the shipped workflow with model gpt-4o-mini`);
    expect(r.out).toContain('[6/8] publish: published the workflow');
    expect(f.db.imports).toBe(2);
    expect(f.db.publishes).toBe(2);
    expect(onlyApp(f).id).toBe(id);
  });
});

describe('api-key step', () => {
  it('the fake caps keys at 10 per app, as Dify does', async () => {
    const f = await fake();
    expect((await run(f, statePathIn())).code).toBe(0);
    const app = onlyApp(f);
    for (let i = app.keys.length; i < 10; i++) app.keys.push({ id: `00000000-0000-4000-8000-00000000000${i}`, token: `app-fake-${i}`, createdAt: 0 });
    const login = await fetch(`${f.url}/console/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: EMAIL, password: b64(PASSWORD) }) });
    const cookies = login.headers.getSetCookie().map((c) => c.split(';')[0]!);
    const csrf = cookies.find((c) => c.startsWith('csrf_token='))!.split('=')[1]!;
    const res = await fetch(`${f.url}/console/api/apps/${app.id}/api-keys`, { method: 'POST', headers: { Cookie: cookies.join('; '), 'X-CSRF-Token': csrf } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ message: 'Cannot create more than 10 API keys for this resource type.' });
  });
});

describe('resume after a failure in each step', () => {
  const cases: [string, string | RegExp, number, Record<string, unknown>][] = [
    ['setup', 'POST /console/api/setup', 500, { code: 'internal_server_error', message: 'database is locked', status: 500 }],
    ['login', 'POST /console/api/login', 503, { code: 'service_unavailable', message: 'Redis is down', status: 503 }],
    ['provider', /^POST \/console\/api\/workspaces\/current\/model-providers\/.+\/credentials$/, 400, { code: 'invalid_param', message: 'Credentials validation failed: Connection refused', status: 400 }],
    ['app', 'POST /console/api/apps/imports', 400, { id: 'i', status: 'failed', error: 'Missing app data in YAML content' }],
    ['api-key', /^POST \/console\/api\/apps\/[0-9a-f-]+\/api-keys$/, 400, { code: 'max_keys_exceeded', message: 'Cannot create more than 10 API keys for this resource type.', status: 400 }],
    ['publish', /^POST \/console\/api\/apps\/[0-9a-f-]+\/workflows\/publish$/, 400, { code: 'invalid_param', message: 'No valid workflow found.', status: 400 }],
    ['verify', 'POST /v1/workflows/run', 500, { code: 'internal_server_error', message: 'The worker is down.', status: 500 }],
  ];
  for (const [step, match, status, body] of cases) {
    it(`stops at "${step}" with HTTP ${status}, and the next run finishes without duplicates`, async () => {
      const f = await fake();
      const state = statePathIn();
      f.failNext(match, status, body);
      const failed = await run(f, state);
      expect(failed.code).toBe(1);
      expect(failed.err).toContain(`setup:dify: step "${step}" failed: `);
      expect(failed.err).toContain(`HTTP ${status}`);
      expect(failed.err).toMatch(/\n {2}fix: \S/);
      if (existsSync(state)) {
        expect(readState(state)).toMatchObject({ complete: false, stoppedAt: step });
        expect(statSync(state).mode & 0o777).toBe(0o600);
      }
      const again = await run(f, state);
      expect(again.err).toBe('');
      expect(again.code).toBe(0);
      expectProvisioned(f);
      expect(f.db.installTasks).toBe(1);
      expect(f.db.keysCreated).toBe(1);
      expect(f.db.publishes).toBe(1);
      expect(readState(state)).toMatchObject({ complete: true, created: { app: true, apiKey: true, pluginId: 'langgenius/openai', admin: true } });
    });
  }

  it('resumes a cleanup that failed half-way', async () => {
    const f = await fake();
    const state = statePathIn();
    expect((await run(f, state)).code).toBe(0);
    f.failNext(/^DELETE \/console\/api\/workspaces\/current\/model-providers\/.+\/credentials$/, 500, { code: 'internal_server_error', message: 'boom', status: 500 });
    const failed = await run(f, state, ['--cleanup']);
    expect(failed.code).toBe(1);
    expect(failed.err).toContain('setup:dify --cleanup: step "provider" failed: DELETE /workspaces/current/model-providers/langgenius/openai/openai/credentials: HTTP 500');
    expect(f.db.apps.size).toBe(0);
    expect(readState(state)).toMatchObject({ complete: false, appId: null, apiKey: null, created: { app: false, apiKey: false } });
    const again = await run(f, state, ['--cleanup']);
    expect(again.code).toBe(0);
    expect(again.out).toContain('[2/4] app: no app or key of ours to remove');
    expect(f.db.credentials).toHaveLength(0);
    expect(f.db.plugins.size).toBe(0);
    expect(existsSync(state)).toBe(false);
  });
});

describe('state file and flags', () => {
  it('refuses a state file of another Dify', async () => {
    const f = await fake();
    const state = statePathIn();
    expect((await run(f, state)).code).toBe(0);
    const other = await fake();
    const r = await run(other, state);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`step "state" failed: ${state} belongs to the Dify at ${f.url}, not ${other.url}`);
  });

  it('names the state step when the state file cannot be used, before touching Dify', async () => {
    const f = await fake();
    const dir = mkdtempSync(join(tmpdir(), 'setup-dify-'));
    writeFileSync(join(dir, 'file'), 'a file, not a directory');
    const r = await run(f, join(dir, 'file', 'dify.json'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^setup:dify: step "state" failed: cannot read the state file .*ENOTDIR/);
    expect(f.calls).toEqual([]);
  });

  it('asks for no password without a terminal: exit 2 with the variable to set', async () => {
    const f = await fake();
    const r = await run(f, statePathIn(), [], { env: { DIFY_ADMIN_PASSWORD: '' } });
    expect(r.code).toBe(2);
    expect(r.err).toContain('no password: set DIFY_ADMIN_PASSWORD');
  });

  it('warns that --password is visible to other users', async () => {
    const f = await fake();
    const r = await run(f, statePathIn(), ['--password', PASSWORD], { env: { DIFY_ADMIN_PASSWORD: '' } });
    expect(r.code).toBe(0);
    expect(r.err).toContain('note: --password shows in ps and the shell history');
  });
});

describe('secrets', () => {
  it('no output of any run above contains the password or an API key', () => {
    expect(allOutput.length).toBeGreaterThan(100);
    expect(keysSeen.size).toBeGreaterThan(5);
    const text = allOutput.join('\n');
    for (const secret of [PASSWORD, b64(PASSWORD), ...keysSeen]) expect(text.includes(secret), 'a secret was printed').toBe(false);
  });
});
