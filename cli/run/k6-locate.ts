/**
 * Finds a k6 that can run build/sse.js: version 1.x (>= 1.2) or 2.x, able to load `k6/x/sse`
 * (built in by xk6, or, on k6 1.x, resolved by stock k6 with community extensions enabled).
 * `locateK6` gives the one k6 of `npm run bench`, `npm run calibrate` and the benchmarks (the
 * first of K6_BIN's list, else `k6` on PATH); `locateAllK6` every k6 the end-to-end tests run
 * against (each of K6_BIN's list, else every `k6` / `k6-*` on PATH that prints a k6 version).
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export type K6Location =
  | {
      ok: true;
      bin: string;
      /** "v1.3.0", as `k6 version` prints it. */
      version: string;
      /** The release line (1 or 2): what differs between them is decided on this. */
      major: number;
      /** Environment this k6 must run with (merged over the caller's). */
      env: Record<string, string>;
    }
  | { ok: false; problem: string; fix: string };

/** The k6 lines this suite runs on: 1.x from 1.2 on, and 2.x. */
export const MIN_K6 = { major: 1, minor: 2 } as const;
export const MAX_K6_MAJOR = 2;

/** Environment every k6 command of the project runs with. */
const K6_BASE_ENV: Readonly<Record<string, string>> = { K6_NO_USAGE_REPORT: 'true' };
/** k6 1.x only (removed in 2.0): lets stock k6 resolve community extensions such as xk6-sse. */
export const COMMUNITY_EXTENSIONS_ENV = 'K6_ENABLE_COMMUNITY_EXTENSIONS';
/**
 * k6 >= 1.4 hands handleSummary() a new data shape when this is true (opt-in, still off by
 * default in 2.2); the suite's reports read the classic one, so it is pinned off.
 */
export const MACHINE_READABLE_SUMMARY_ENV = 'K6_NEW_MACHINE_READABLE_SUMMARY';

const SSE_MODULE = 'github.com/phymbert/xk6-sse';
/** What each line needs, for messages and fixes (the README says the same at more length). */
export const HOW_TO_GET =
  'Use k6 2.x (recommended) built with xk6-sse: `xk6 build v2.2.0 --with ' + SSE_MODULE + '@main` ' +
  "(xk6-sse's v0.1.x releases are built for k6 1.x; its main branch for k6 2.x). " +
  'Or k6 1.x (>= 1.2): stock k6 with ' + COMMUNITY_EXTENSIONS_ENV + '=true (it fetches k6/x/sse itself), ' +
  'or `xk6 build v1.3.0 --with ' + SSE_MODULE + '@v0.1.12`. ' +
  'Install: https://grafana.com/docs/k6/latest/set-up/install-k6/ ; point K6_BIN at the binary or put it on PATH.';

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
  /** "v1.3.0", "v1.2.0-rc1". */
  readonly text: string;
}

/**
 * Parses the first line of `k6 version`: `<the binary's own name> v<semver> (<commit/…>, go<version>, <os/arch>)`,
 * e.g. "k6 v1.3.0 (commit/5870e99ae8, go1.24.6, linux/amd64)" or "k6-sse v2.2.0 (commit/devel, go1.26.11, linux/amd64)".
 * The name is whatever the file is called, so only the shape is checked, not the name.
 */
export function parseK6Version(output: string): K6Version | null {
  const first = output.split('\n').find((l) => l.trim() !== '') ?? '';
  const m = /^\s*\S+ v(\d+)\.(\d+)\.(\d+)([-+][0-9A-Za-z.+-]*)? \(([^()]*)\)\s*$/.exec(first);
  if (!m || !/(^|[\s,])go\d+\.\d+/.test(m[5] ?? '')) return null;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), text: `v${m[1]}.${m[2]}.${m[3]}${m[4] ?? ''}` };
}

/**
 * Whether `k6 version` lists k6/x/sse among its extensions ("Extensions:", then one line each:
 * "  github.com/phymbert/xk6-sse v0.1.12, k6/x/sse [js]" from xk6, or "  go.k6.io/k6/v2/ext/xk6sse , k6/x/sse [js]").
 */
export function hasBuiltInSse(versionOutput: string): boolean {
  const lines = versionOutput.split('\n');
  const from = lines.findIndex((l) => l.trim() === 'Extensions:');
  return from >= 0 && lines.slice(from + 1).some((l) => /^\s+\S.*,\s*k6\/x\/sse \[js\]/.test(l));
}

/** Whether this k6 line is one the suite runs on (1.x from 1.2, 2.x), and if not why. */
export function versionProblem(v: K6Version): string {
  if (v.major < MIN_K6.major || (v.major === MIN_K6.major && v.minor < MIN_K6.minor)) {
    return `k6 ${v.text} is too old: this suite needs k6 >= ${MIN_K6.major}.${MIN_K6.minor} with k6/x/sse.`;
  }
  if (v.major > MAX_K6_MAJOR) {
    return `k6 ${v.text} is newer than this suite knows: it runs on k6 1.x (>= ${MIN_K6.major}.${MIN_K6.minor}) and 2.x, and k6/x/sse must be built for the same major version.`;
  }
  return '';
}

/** Environment a k6 of this version runs with when k6/x/sse is built in. */
function baseEnv(v: K6Version): Record<string, string> {
  return { ...K6_BASE_ENV, ...(v.major > 1 || v.minor >= 4 ? { [MACHINE_READABLE_SUMMARY_ENV]: 'false' } : {}) };
}

const PROBE_SCRIPT = "import sse from 'k6/x/sse';\nexport default function () { void sse; }\n";

/** Tail of a command's output for an error message: last lines, trimmed. */
function tail(text: string, lines = 3): string {
  return text.trim().split('\n').slice(-lines).join(' | ');
}

interface VersionRun {
  readonly run: CommandResult;
  /** null when it did not run, or ran but is not k6. */
  readonly version: K6Version | null;
}

/** `k6 version` of `bin`, parsed. */
async function versionOf(bin: string, env: NodeJS.ProcessEnv): Promise<VersionRun> {
  const run = await runCommand(bin, ['version'], { ...env, ...K6_BASE_ENV }, 15_000);
  return { run, version: run.code === 0 ? parseK6Version(run.stdout) : null };
}

/** Checks one binary: it runs, is k6 of a supported line, and loads k6/x/sse. `label` names it in messages. */
async function checkK6(bin: string, label: string, env: NodeJS.ProcessEnv, known?: VersionRun): Promise<K6Location> {
  const { run: ver, version } = known ?? (await versionOf(bin, env));
  if (ver.code !== 0) {
    const why = ver.error !== '' ? ver.error : `exit code ${ver.code}: ${tail(ver.stderr + ver.stdout)}`;
    return { ok: false, problem: `${label} could not run "k6 version" (${why}).`, fix: HOW_TO_GET };
  }
  if (!version) {
    return { ok: false, problem: `${bin} is not k6: "k6 version" printed "${tail(ver.stdout, 1)}".`, fix: HOW_TO_GET };
  }
  const tooOldOrNew = versionProblem(version);
  if (tooOldOrNew !== '') return { ok: false, problem: tooOldOrNew, fix: HOW_TO_GET };
  const found = { ok: true, bin, version: version.text, major: version.major } as const;
  if (hasBuiltInSse(ver.stdout)) return { ...found, env: baseEnv(version) };
  // Stock k6: can it resolve k6/x/sse itself? `k6 inspect` loads the module graph only. k6 1.x
  // needs community extensions enabled; k6 2.x resolves from its one (v2) catalog by default.
  const runEnv = version.major === 1 ? { ...baseEnv(version), [COMMUNITY_EXTENSIONS_ENV]: 'true' } : baseEnv(version);
  const dir = mkdtempSync(join(tmpdir(), 'sse-bench-probe-'));
  try {
    const probe = join(dir, 'probe.js');
    writeFileSync(probe, PROBE_SCRIPT);
    const res = await runCommand(bin, ['inspect', probe], { ...env, ...runEnv }, 180_000);
    if (res.code === 0) return { ...found, env: runEnv };
    const why = res.error !== '' ? res.error : tail(res.stderr + res.stdout);
    if (version.major === 1) {
      return {
        ok: false,
        problem: `k6 ${version.text} (${bin}) cannot load k6/x/sse, even with ${COMMUNITY_EXTENSIONS_ENV}=true: ${why}`,
        fix: `Check network access to the k6 extension build service, or build a k6 with the extension: \`xk6 build ${version.text} --with ${SSE_MODULE}@v0.1.12\` and set K6_BIN to it.`,
      };
    }
    return {
      ok: false,
      problem: `k6 ${version.text} (${bin}) has no k6/x/sse built in and cannot resolve it (xk6-sse is not in k6 v2's extension catalog): ${why}`,
      fix: `Build a k6 2.x with the extension: \`xk6 build ${version.text} --with ${SSE_MODULE}@main\` (xk6-sse's v0.1.x releases are for k6 1.x only) and set K6_BIN to it.`,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** K6_BIN's entries: one path, or several separated by the OS path delimiter (":"). */
export function k6BinList(env: NodeJS.ProcessEnv): string[] {
  return (env.K6_BIN ?? '').split(delimiter).filter((p) => p !== '');
}

/** The k6 of `npm run bench`, `calibrate` and the benchmarks: the first of K6_BIN's list, else `k6` on PATH. */
export async function locateK6(env: NodeJS.ProcessEnv = process.env): Promise<K6Location> {
  const fromEnv = k6BinList(env)[0] ?? '';
  const bin = fromEnv !== '' ? fromEnv : findOnPath('k6', env.PATH);
  if (bin === '') {
    return { ok: false, problem: 'k6 was not found (K6_BIN is unset and there is no k6 on PATH).', fix: HOW_TO_GET };
  }
  return checkK6(bin, fromEnv !== '' ? `K6_BIN=${bin}` : bin, env);
}

/** Executables on PATH named `k6` or `k6-*`, in PATH order, one per real file. */
export function k6CandidatesOnPath(pathVar: string | undefined): string[] {
  const seen = new Set<string>();
  const found: string[] = [];
  for (const dir of (pathVar ?? '').split(delimiter)) {
    if (dir === '') continue;
    let names: string[];
    try {
      names = readdirSync(dir).filter((n) => n === 'k6' || n.startsWith('k6-')).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      const path = join(dir, name);
      try {
        accessSync(path, constants.X_OK);
        if (!statSync(path).isFile()) continue;
        const real = realpathSync(path);
        if (seen.has(real)) continue;
        seen.add(real);
        found.push(path);
      } catch {
        // not executable, or a dangling link
      }
    }
  }
  return found;
}

/**
 * Every k6 the end-to-end tests run against: each entry of K6_BIN (a `:`-separated list), or,
 * with K6_BIN unset, every `k6` / `k6-*` on PATH that prints a k6 version (other `k6-*` tools
 * are left out silently). One result per real file; unusable ones say why. Empty: none at all.
 */
export async function locateAllK6(env: NodeJS.ProcessEnv = process.env): Promise<K6Location[]> {
  const listed = k6BinList(env);
  const seen = new Set<string>();
  const results: K6Location[] = [];
  const candidates = listed.length > 0 ? listed : k6CandidatesOnPath(env.PATH);
  for (const bin of candidates) {
    let real = bin;
    try {
      real = realpathSync(bin);
    } catch {
      // checkK6 says why it does not run
    }
    if (seen.has(real)) continue;
    seen.add(real);
    if (listed.length > 0) {
      results.push(await checkK6(bin, `K6_BIN entry ${bin}`, env));
      continue;
    }
    const known = await versionOf(bin, env);
    if (known.version) results.push(await checkK6(bin, bin, env, known));
  }
  return results;
}

/** The message printed when k6 is unusable: problem, then the fix. */
export function formatK6Problem(loc: { problem: string; fix: string }): string {
  return `k6: ${loc.problem}\n  fix: ${loc.fix}`;
}
