/**
 * Finds a k6 that can run build/sse.js: K6_BIN or `k6` on PATH, version >= 1.2 and < 2,
 * and able to load `k6/x/sse` (built in by xk6, or resolved by stock k6 with community
 * extensions enabled). Used by `npm run bench`, `npm run calibrate`, e2e tests and benchmarks.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export type K6Location =
  | { ok: true; bin: string; version: string; env: Record<string, string> }
  | { ok: false; problem: string; fix: string };

const MIN_K6 = { major: 1, minor: 2 } as const;

/** Environment every k6 command of the project runs with. */
const K6_BASE_ENV: Readonly<Record<string, string>> = { K6_NO_USAGE_REPORT: 'true' };
const COMMUNITY_EXTENSIONS_ENV = 'K6_ENABLE_COMMUNITY_EXTENSIONS';

const HOW_TO_GET =
  'Install k6 v1.3 (https://grafana.com/docs/k6/latest/set-up/install-k6/) and either run it with ' +
  `${COMMUNITY_EXTENSIONS_ENV}=true (stock k6 >= 1.2 fetches k6/x/sse itself) or build one with ` +
  '`xk6 build --with github.com/phymbert/xk6-sse`; point K6_BIN at the binary or put it on PATH.';

export interface CommandResult {
  /** Exit code; null when the process could not start or was killed. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Spawn failure or timeout message. */
  readonly error: string;
}

/** Runs a command to completion with a deadline; never throws. */
export function runCommand(
  bin: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(bin, [...args], { env, timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) {
        resolve({ code: 0, stdout, stderr, error: '' });
        return;
      }
      const e = err as NodeJS.ErrnoException & { code?: number | string; killed?: boolean };
      const code = typeof e.code === 'number' ? e.code : null;
      const error = e.killed ? `timed out after ${timeoutMs} ms` : code === null ? e.message : '';
      resolve({ code, stdout, stderr, error });
    });
  });
}

/** First executable `name` on PATH, or ''. */
export function findOnPath(name: string, pathVar: string | undefined): string {
  for (const dir of (pathVar ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return '';
}

export interface K6Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly text: string;
}

/** Parses `k6 version` output ("k6 v1.3.0 (commit/…, go1.24.6, linux/amd64)"). */
export function parseK6Version(output: string): K6Version | null {
  const m = /\bk6 v(\d+)\.(\d+)\.(\d+)([-+][\w.+-]*)?/.exec(output);
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), text: m[0].slice(3) };
}

/** xk6 builds list their extensions in `k6 version`: "github.com/phymbert/xk6-sse v0.1.x, k6/x/sse [js]". */
export function hasBuiltInSse(versionOutput: string): boolean {
  return /(^|[\s,])k6\/x\/sse\b/m.test(versionOutput);
}

const PROBE_SCRIPT = "import sse from 'k6/x/sse';\nexport default function () { void sse; }\n";

/** Tail of a command's output for an error message: last lines, trimmed. */
function tail(text: string, lines = 3): string {
  return text.trim().split('\n').slice(-lines).join(' | ');
}

export async function locateK6(env: NodeJS.ProcessEnv = process.env): Promise<K6Location> {
  const fromEnv = env.K6_BIN ?? '';
  const bin = fromEnv !== '' ? fromEnv : findOnPath('k6', env.PATH);
  if (bin === '') {
    return { ok: false, problem: 'k6 was not found (K6_BIN is unset and there is no k6 on PATH).', fix: HOW_TO_GET };
  }
  const baseEnv = { ...env, ...K6_BASE_ENV };
  const ver = await runCommand(bin, ['version'], baseEnv, 15_000);
  if (ver.code !== 0) {
    const why = ver.error !== '' ? ver.error : `exit code ${ver.code}: ${tail(ver.stderr + ver.stdout)}`;
    return {
      ok: false,
      problem: `${fromEnv !== '' ? `K6_BIN=${bin}` : bin} could not run "k6 version" (${why}).`,
      fix: HOW_TO_GET,
    };
  }
  const version = parseK6Version(ver.stdout + ver.stderr);
  if (!version) {
    return { ok: false, problem: `${bin} is not k6: "k6 version" printed "${tail(ver.stdout, 1)}".`, fix: HOW_TO_GET };
  }
  if (version.major >= 2) {
    return {
      ok: false,
      problem: `k6 ${version.text} cannot load k6/x/sse yet (xk6-sse supports k6 v1.x).`,
      fix: `Use k6 v1.3. ${HOW_TO_GET}`,
    };
  }
  if (version.major < MIN_K6.major || (version.major === MIN_K6.major && version.minor < MIN_K6.minor)) {
    return {
      ok: false,
      problem: `k6 ${version.text} is too old: this suite needs k6 >= ${MIN_K6.major}.${MIN_K6.minor} with k6/x/sse.`,
      fix: HOW_TO_GET,
    };
  }
  if (hasBuiltInSse(ver.stdout)) {
    return { ok: true, bin, version: version.text, env: { ...K6_BASE_ENV } };
  }
  // Stock k6: can it resolve k6/x/sse as a community extension? `k6 inspect` loads the module graph only.
  const extEnv = { ...K6_BASE_ENV, [COMMUNITY_EXTENSIONS_ENV]: 'true' };
  const dir = mkdtempSync(join(tmpdir(), 'sse-bench-probe-'));
  try {
    const probe = join(dir, 'probe.js');
    writeFileSync(probe, PROBE_SCRIPT);
    const res = await runCommand(bin, ['inspect', probe], { ...env, ...extEnv }, 180_000);
    if (res.code === 0) return { ok: true, bin, version: version.text, env: extEnv };
    const why = res.error !== '' ? res.error : tail(res.stderr + res.stdout);
    return {
      ok: false,
      problem: `k6 ${version.text} (${bin}) cannot load k6/x/sse, even with ${COMMUNITY_EXTENSIONS_ENV}=true: ${why}`,
      fix:
        'Check network access to the k6 extension build service, or build a k6 with the extension: ' +
        '`xk6 build --with github.com/phymbert/xk6-sse` and set K6_BIN to it.',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The message printed when k6 is unusable: problem, then the fix. */
export function formatK6Problem(loc: { problem: string; fix: string }): string {
  return `k6: ${loc.problem}\n  fix: ${loc.fix}`;
}
