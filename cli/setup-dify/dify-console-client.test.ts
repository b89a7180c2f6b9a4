/** The console client's protocol handling with a scripted fetch (no network); the full flows run against the fake console in setup-dify.test.ts. */
import { describe, expect, it } from 'vitest';
import { DifyApiError, DifyConsole, type FetchFn } from './dify-console-client.ts';

interface Seen {
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

/** A fetch answering from a list, recording each request. */
function scripted(answers: (Response | Error)[]): { fetchFn: FetchFn; seen: Seen[] } {
  const seen: Seen[] = [];
  const fetchFn: FetchFn = async (url, init) => {
    seen.push({ url, headers: { ...(init.headers as Record<string, string>) }, body: init.body === undefined ? undefined : JSON.parse(String(init.body)) });
    const next = answers.shift();
    if (next === undefined) throw new Error('no scripted answer left');
    if (next instanceof Error) throw next;
    return next;
  };
  return { fetchFn, seen };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

async function errorOf(p: Promise<unknown>): Promise<DifyApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DifyApiError) return e;
    throw e;
  }
  throw new Error('no DifyApiError');
}

describe('DifyConsole', () => {
  it('turns a refused connection into status 0 with the network code', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1' } });
    const c = new DifyConsole('http://127.0.0.1:1', scripted([refused]).fetchFn);
    const e = await errorOf(c.request('GET', '/setup', undefined, { auth: false }));
    expect([e.status, e.code, e.message]).toEqual([0, 'ECONNREFUSED', 'GET /setup: no answer ECONNREFUSED — connect ECONNREFUSED 127.0.0.1:1']);
  });

  it('reads Dify’s {code, message}, flask-restx’s {message} and a non-JSON body', async () => {
    const { fetchFn } = scripted([
      json(404, { code: 'app_not_found', message: 'App not found.', status: 404 }),
      json(400, { message: 'Cannot create more than 10 API keys for this resource type.' }),
      new Response('<html>Bad Gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } }),
    ]);
    const c = new DifyConsole('http://d', fetchFn);
    expect((await errorOf(c.request('GET', '/apps/x', undefined, { auth: false }))).message).toBe('GET /apps/x: HTTP 404 app_not_found — App not found.');
    expect((await errorOf(c.request('POST', '/k', undefined, { auth: false }))).message).toBe('POST /k: HTTP 400 — Cannot create more than 10 API keys for this resource type.');
    expect((await errorOf(c.request('GET', '/h', undefined, { auth: false }))).message).toBe('GET /h: HTTP 502 — <html>Bad Gateway</html>');
  });

  it('bearer generation: sends the token, refreshes it once on 401 unauthorized and repeats the call', async () => {
    const { fetchFn, seen } = scripted([
      json(401, { code: 'authentication_failed', message: 'Invalid email or password.', status: 401 }),
      json(200, { result: 'success', data: { access_token: 'a1', refresh_token: 'r1' } }, { 'x-version': '1.3.1' }),
      json(401, { code: 'unauthorized', message: 'Token expired.', status: 401 }),
      json(200, { result: 'success', data: { access_token: 'a2', refresh_token: 'r2' } }),
      json(200, { data: [] }),
    ]);
    const c = new DifyConsole('http://d', fetchFn);
    await c.login('a@b.test', 'pw-1');
    expect([c.authMode, c.passwordEncoding, c.version]).toEqual(['bearer', 'plain', '1.3.1']);
    expect(seen.map((s) => (s.body as { password: string }).password)).toEqual([Buffer.from('pw-1').toString('base64'), 'pw-1']);
    await c.request('GET', '/apps');
    expect(seen[2]!.headers.Authorization).toBe('Bearer a1');
    expect(seen[3]!.url).toBe('http://d/console/api/refresh-token');
    expect(seen[3]!.body).toEqual({ refresh_token: 'r1' });
    expect(seen[4]!.headers.Authorization).toBe('Bearer a2');
    expect(c.refreshes).toBe(1);
  });

  it('cookie generation: copies the csrf_token cookie into X-CSRF-Token on every call, GET included', async () => {
    const cookies = ['access_token=A; Path=/; HttpOnly', 'refresh_token=R; Path=/; HttpOnly', 'csrf_token=C; Path=/'];
    const login = new Response('{"result":"success"}', { status: 200, headers: [['content-type', 'application/json'], ...cookies.map((c): [string, string] => ['set-cookie', c])] });
    const { fetchFn, seen } = scripted([login, json(200, { data: [] })]);
    const c = new DifyConsole('http://d', fetchFn);
    await c.login('a@b.test', 'pw-1');
    expect([c.authMode, c.passwordEncoding]).toEqual(['cookie', 'base64']);
    await c.request('GET', '/apps');
    expect(seen[1]!.headers).toMatchObject({ Cookie: 'access_token=A; refresh_token=R; csrf_token=C', 'X-CSRF-Token': 'C' });
    expect(seen[1]!.headers.Authorization).toBeUndefined();
  });

  it('reports a login without workspace, and one that gives no token at all', async () => {
    const c1 = new DifyConsole('http://d', scripted([json(200, { result: 'fail', data: 'workspace not found, please contact system admin to invite you to join in a workspace' })]).fetchFn);
    expect((await errorOf(c1.login('a@b.test', 'pw'))).message).toBe('POST /login: HTTP 200 login_failed — workspace not found, please contact system admin to invite you to join in a workspace');
    const c2 = new DifyConsole('http://d', scripted([json(200, { result: 'success' })]).fetchFn);
    expect((await errorOf(c2.login('a@b.test', 'pw'))).code).toBe('no_token');
  });

  it('stops at a login error other than a wrong password (e.g. the lock) without retrying', async () => {
    const { fetchFn, seen } = scripted([json(429, { code: 'email_code_login_limit', message: 'Too many incorrect password attempts. Please try again later.', status: 429 })]);
    const e = await errorOf(new DifyConsole('http://d', fetchFn).login('a@b.test', 'pw'));
    expect([e.status, e.code]).toEqual([429, 'email_code_login_limit']);
    expect(seen).toHaveLength(1);
  });
});
