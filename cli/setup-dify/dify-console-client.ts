/**
 * A client of Dify's console API (`<dify>/console/api/…`) for `npm run setup:dify`, with
 * both auth generations:
 *  - current (cookie): login answers `{"result":"success"}` and sets `access_token`,
 *    `refresh_token` and `csrf_token` cookies (`__Host-` prefixed over https); every call
 *    sends the cookies and `X-CSRF-Token` equal to the `csrf_token` cookie, GET included;
 *  - older (bearer): login answers the tokens in `data`; calls send `Authorization: Bearer`.
 * The generation and the password encoding (Base64 in newer builds, plain before) are taken
 * from the server's answers, never guessed from a version string. An expired session
 * (401 `unauthorized`) is refreshed once through `/refresh-token` and the call repeated.
 * Node's fetch; the cookie jar is tough-cookie (RFC 6265: expiry, Secure, `__Host-`).
 */
import { CookieJar } from 'tough-cookie';

/** A console call that failed: the HTTP status (0 = no answer) and Dify's `code` / `message`. */
export class DifyApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly code: string,
    readonly difyMessage: string,
  ) {
    super(`${method} ${path}: ${status === 0 ? 'no answer' : `HTTP ${status}`}${code === '' ? '' : ` ${code}`}${difyMessage === '' ? '' : ` — ${difyMessage}`}`);
    this.name = 'DifyApiError';
  }
}

/** A request that got no HTTP answer (refused, DNS, timeout): status 0 with fetch's cause. */
export function noAnswer(method: string, path: string, err: unknown): DifyApiError {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return new DifyApiError(method, path, 0, cause?.code ?? (err as Error).name, cause?.message ?? (err as Error).message);
}

export type AuthMode = 'cookie' | 'bearer';
export type PasswordEncoding = 'base64' | 'plain';

export interface ConsoleResponse {
  readonly status: number;
  readonly body: unknown;
}

export interface RequestOptions {
  /** Send the session (cookies + CSRF, or bearer) and refresh it once on 401 (default true). */
  readonly auth?: boolean;
  /** Non-2xx statuses returned instead of thrown. */
  readonly accept?: readonly number[];
}

export type FetchFn = (url: string, init: RequestInit) => Promise<Response>;

type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');

const CSRF_COOKIES = ['csrf_token', '__Host-csrf_token'];

/** Dify's error body: `{code, message, status}`, flask-restx's `{message}`, or refresh's `{result:"fail", message}`. */
function errorParts(body: unknown): { code: string; message: string } {
  if (!isObj(body)) return { code: '', message: typeof body === 'string' ? body.slice(0, 300) : '' };
  return { code: str(body.code), message: str(body.message) || str(body.error) || (typeof body.data === 'string' ? body.data : '') };
}

export class DifyConsole {
  private readonly jar = new CookieJar();
  private bearer: { access: string; refresh: string } | null = null;
  authMode: AuthMode | null = null;
  passwordEncoding: PasswordEncoding | null = null;
  /** Dify's version from its `X-Version` header ('' until one was seen). */
  version = '';
  /** Refreshes done (each after a 401 `unauthorized`). */
  refreshes = 0;

  constructor(
    readonly origin: string,
    private readonly fetchFn: FetchFn = fetch,
    private readonly timeoutMs = 30_000,
  ) {}

  private async csrfToken(url: string): Promise<string> {
    const cookies = await this.jar.getCookies(url);
    return cookies.find((c) => CSRF_COOKIES.includes(c.key))?.value ?? '';
  }

  private async send(method: string, path: string, body: unknown, auth: boolean): Promise<ConsoleResponse> {
    const url = `${this.origin}/console/api${path}`;
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const cookie = await this.jar.getCookieString(url);
    if (cookie !== '') headers.Cookie = cookie;
    if (auth && this.authMode === 'bearer' && this.bearer) headers.Authorization = `Bearer ${this.bearer.access}`;
    if (auth && this.authMode === 'cookie') headers['X-CSRF-Token'] = await this.csrfToken(url);
    let res: Response;
    try {
      res = await this.fetchFn(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw noAnswer(method, path, err);
    }
    for (const c of res.headers.getSetCookie()) await this.jar.setCookie(c, url, { ignoreError: true });
    this.version = res.headers.get('x-version') ?? this.version;
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return { status: res.status, body: parsed };
  }

  /** One console call; non-2xx statuses not in `accept` throw DifyApiError. */
  async request(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<ConsoleResponse> {
    const auth = options.auth ?? true;
    let res = await this.send(method, path, body, auth);
    if (res.status === 401 && auth && this.authMode !== null && errorParts(res.body).code === 'unauthorized') {
      await this.refresh();
      res = await this.send(method, path, body, auth);
    }
    if ((res.status < 200 || res.status > 299) && !(options.accept ?? []).includes(res.status)) {
      const { code, message } = errorParts(res.body);
      throw new DifyApiError(method, path, res.status, code, message);
    }
    return res;
  }

  /**
   * Logs in, trying the Base64 password first (newer builds decode it and answer 401
   * `authentication_failed` to anything else), then the plain one (older builds), unless an
   * earlier run already found which one this server takes.
   */
  async login(email: string, password: string, preferred: PasswordEncoding | null = null): Promise<void> {
    const order: PasswordEncoding[] = preferred === 'plain' ? ['plain', 'base64'] : ['base64', 'plain'];
    let first: DifyApiError | null = null;
    for (const encoding of order) {
      const sent = encoding === 'base64' ? Buffer.from(password, 'utf8').toString('base64') : password;
      const res = await this.request('POST', '/login', { email, password: sent, remember_me: true }, { auth: false, accept: [401] });
      if (res.status === 401) {
        const { code, message } = errorParts(res.body);
        const err = new DifyApiError('POST', '/login', 401, code, message);
        if (code !== 'authentication_failed') throw err;
        first ??= err;
        continue;
      }
      const body = isObj(res.body) ? res.body : {};
      if (body.result !== 'success') {
        throw new DifyApiError('POST', '/login', res.status, 'login_failed', str(body.data) || 'login did not succeed');
      }
      const data = isObj(body.data) ? body.data : null;
      if (data !== null && str(data.access_token) !== '') {
        this.authMode = 'bearer';
        this.bearer = { access: str(data.access_token), refresh: str(data.refresh_token) };
      } else if ((await this.csrfToken(`${this.origin}/console/api/login`)) !== '') {
        this.authMode = 'cookie';
      } else {
        throw new DifyApiError('POST', '/login', res.status, 'no_token', 'login succeeded but sent neither tokens in its body nor a csrf_token cookie');
      }
      this.passwordEncoding = encoding;
      return;
    }
    throw new DifyApiError('POST', '/login', 401, 'authentication_failed', `${first?.difyMessage || 'Invalid email or password.'} (sent the password Base64-encoded and plain)`);
  }

  /** Renews an expired session: the refresh cookie (current) or the refresh token in the body (older). */
  async refresh(): Promise<void> {
    this.refreshes++;
    const body = this.authMode === 'bearer' && this.bearer ? { refresh_token: this.bearer.refresh } : undefined;
    const res = await this.send('POST', '/refresh-token', body, false);
    const parsed = isObj(res.body) ? res.body : {};
    if (res.status !== 200 || parsed.result !== 'success') {
      throw new DifyApiError('POST', '/refresh-token', res.status, 'unauthorized', str(parsed.message) || 'the session expired and could not be refreshed');
    }
    const data = isObj(parsed.data) ? parsed.data : null;
    if (this.authMode === 'bearer' && data !== null) {
      this.bearer = { access: str(data.access_token), refresh: str(data.refresh_token) };
    }
  }
}
