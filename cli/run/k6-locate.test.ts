import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  COMMUNITY_EXTENSIONS_ENV,
  findOnPath,
  formatK6Problem,
  hasBuiltInSse,
  k6BinList,
  k6CandidatesOnPath,
  locateAllK6,
  locateK6,
  MACHINE_READABLE_SUMMARY_ENV,
  parseK6Version,
  versionProblem,
} from './k6-locate.ts';

const dir = mkdtempSync(join(tmpdir(), 'k6-locate-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** k6 1.x resolves k6/x/sse only with community extensions on; k6 2.x has no such switch. */
const INSPECT_1X = `[ "$${COMMUNITY_EXTENSIONS_ENV}" = true ] || { echo 'unknown module: k6/x/sse' >&2; exit 107; }`;

/**
 * A stand-in for the k6 binary's CLI: prints `version`, and answers `inspect` with `inspect`
 * (shell), after checking that the usage report is off.
 */
function fakeK6(name: string, versionText: string, inspect = `${INSPECT_1X}; exit 0`, inDir = dir): string {
  const path = join(inDir, name);
  writeFileSync(
    path,
    `#!/bin/sh
case "$1" in
  version) printf '%s\\n' "${versionText}" ;;
  inspect) [ "$K6_NO_USAGE_REPORT" = true ] || exit 3
           ${inspect} ;;
  *) exit 64 ;;
esac
`,
  );
  chmodSync(path, 0o755);
  return path;
}

const V13 = 'k6-sse v1.3.0 (commit/devel, go1.26.11, linux/amd64)';
const V22 = 'k6-sse v2.2.0 (commit/devel, go1.26.11, linux/amd64)';
/** `k6 version` of an xk6 build, and of a build with the extension in k6's own tree (both lines). */
const XK6_EXT = 'Extensions:\n  github.com/phymbert/xk6-sse v0.1.12, k6/x/sse [js]';
const IN_TREE_1 = 'Extensions:\n  go.k6.io/k6/ext/xk6sse , k6/x/sse [js]';
const IN_TREE_2 = 'Extensions:\n  go.k6.io/k6/v2/ext/xk6sse , k6/x/sse [js]';

describe('parsing', () => {
  it('reads the version line whatever the binary is called', () => {
    expect(parseK6Version('k6 v1.3.0 (commit/5870e99ae8, go1.24.6, linux/amd64)')).toMatchObject({ major: 1, minor: 3, patch: 0, text: 'v1.3.0' });
    expect(parseK6Version(`${V13}\n${IN_TREE_1}\n`)).toEqual({ major: 1, minor: 3, patch: 0, text: 'v1.3.0' });
    expect(parseK6Version(`${V22}\n${IN_TREE_2}\n`)).toEqual({ major: 2, minor: 2, patch: 0, text: 'v2.2.0' });
    expect(parseK6Version('k6-v2.2.0 v2.2.0 (commit/devel, go1.26.11, linux/amd64)')?.text).toBe('v2.2.0');
    expect(parseK6Version('k6 v1.2.0-rc1 (go1.24.4, linux/amd64)')?.text).toBe('v1.2.0-rc1');
  });
  it('rejects what does not have the shape of a k6 version line', () => {
    expect(parseK6Version('hello')).toBeNull();
    expect(parseK6Version('something else 1.0')).toBeNull();
    expect(parseK6Version('k6 v1.3.0')).toBeNull(); // no build details
    expect(parseK6Version('k6-operator v0.0.22 (linux/amd64)')).toBeNull(); // no Go version: not k6
    expect(parseK6Version(`${IN_TREE_1}\n${V13}`)).toBeNull(); // the version line comes first
  });
  it('sees k6/x/sse in the extension list of an xk6 build and of an in-tree build, on both lines', () => {
    expect(hasBuiltInSse(`${V13}\n${XK6_EXT}\n`)).toBe(true);
    expect(hasBuiltInSse(`${V13}\n${IN_TREE_1}\n`)).toBe(true);
    expect(hasBuiltInSse(`${V22}\n${IN_TREE_2}\n`)).toBe(true);
    expect(hasBuiltInSse(`${V22}\nExtensions:\n  github.com/grafana/xk6-faker v0.5.0, k6/x/faker [js]\n`)).toBe(false);
    expect(hasBuiltInSse('k6 v1.3.0 (go1.24.6, linux/amd64)\n')).toBe(false);
    expect(hasBuiltInSse('k6/x/sse v1.3.0 (go1.24.6, linux/amd64)\n')).toBe(false); // not in an extension list
  });
  it('accepts k6 1.x from 1.2 and 2.x, and says why not otherwise', () => {
    const v = (text: string) => parseK6Version(`k6 ${text} (go1.25.0, linux/amd64)`)!;
    expect(versionProblem(v('v1.2.0'))).toBe('');
    expect(versionProblem(v('v1.7.1'))).toBe('');
    expect(versionProblem(v('v2.0.0'))).toBe('');
    expect(versionProblem(v('v2.2.0'))).toBe('');
    expect(versionProblem(v('v1.1.0'))).toBe('k6 v1.1.0 is too old: this suite needs k6 >= 1.2 with k6/x/sse.');
    expect(versionProblem(v('v0.57.0'))).toContain('too old');
    expect(versionProblem(v('v3.0.0'))).toMatch(/^k6 v3\.0\.0 is newer than this suite knows: it runs on k6 1\.x \(>= 1\.2\) and 2\.x/);
  });
  it('finds executables on PATH only', () => {
    fakeK6('k6', 'k6 v1.3.0');
    writeFileSync(join(dir, 'notexec'), '');
    expect(findOnPath('k6', `/nonexistent:${dir}`)).toBe(join(dir, 'k6'));
    expect(findOnPath('notexec', dir)).toBe('');
  });
  it('splits K6_BIN on the path delimiter', () => {
    expect(k6BinList({ K6_BIN: '/a/k6:/b/k6-sse:' })).toEqual(['/a/k6', '/b/k6-sse']);
    expect(k6BinList({})).toEqual([]);
  });
});

describe('locateK6', () => {
  const env = (bin: string): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, K6_BIN: bin });

  it('explains how to get k6 when there is none, for both lines', async () => {
    const loc = await locateK6({ PATH: '/nonexistent' });
    expect(loc).toMatchObject({ ok: false, problem: expect.stringContaining('k6 was not found') });
    if (!loc.ok) {
      expect(loc.fix).toMatch(/^Use k6 2\.x \(recommended\) built with xk6-sse: `xk6 build v2\.2\.0 --with github\.com\/phymbert\/xk6-sse@main`/);
      expect(loc.fix).toContain('K6_ENABLE_COMMUNITY_EXTENSIONS=true');
      expect(loc.fix).toContain('`xk6 build v1.3.0 --with github.com/phymbert/xk6-sse@v0.1.12`');
      expect(formatK6Problem(loc)).toMatch(/^k6: k6 was not found.*\n {2}fix: Use k6 2\.x/);
    }
  });

  it('rejects a K6_BIN that does not run', async () => {
    const loc = await locateK6(env(join(dir, 'missing-k6')));
    expect(loc.ok).toBe(false);
    if (!loc.ok) expect(loc.problem).toContain(`K6_BIN=${join(dir, 'missing-k6')} could not run "k6 version"`);
  });

  it('rejects a binary that is not k6', async () => {
    const loc = await locateK6(env(fakeK6('not-k6', 'something else 1.0')));
    expect(loc.ok).toBe(false);
    if (!loc.ok) expect(loc.problem).toContain('is not k6');
  });

  it('rejects k6 older than 1.2 and newer than 2.x', async () => {
    expect(await locateK6(env(fakeK6('k6-old', 'k6 v1.1.0 (go1.24.1, linux/amd64)')))).toMatchObject({
      ok: false,
      problem: 'k6 v1.1.0 is too old: this suite needs k6 >= 1.2 with k6/x/sse.',
    });
    expect(await locateK6(env(fakeK6('k6-three', `k6 v3.0.0 (go1.27.0, linux/amd64)\n${IN_TREE_2}`)))).toMatchObject({
      ok: false,
      problem: expect.stringContaining('k6 v3.0.0 is newer than this suite knows'),
    });
  });

  it.each([
    ['xk6 build, k6 1.3', `${V13}\n${XK6_EXT}`, 'v1.3.0', 1, {}],
    ['in-tree build, k6 1.3', `${V13}\n${IN_TREE_1}`, 'v1.3.0', 1, {}],
    ['xk6 build, k6 1.5', `k6-sse v1.5.0 (commit/devel, go1.25.1, linux/amd64)\n${XK6_EXT}`, 'v1.5.0', 1, { [MACHINE_READABLE_SUMMARY_ENV]: 'false' }],
    ['in-tree build, k6 2.2', `${V22}\n${IN_TREE_2}`, 'v2.2.0', 2, { [MACHINE_READABLE_SUMMARY_ENV]: 'false' }],
  ])('accepts a k6-sse binary with k6/x/sse built in (%s), without asking k6 to resolve it', async (_, text, version, major, extra) => {
    const bin = fakeK6('k6-sse', text, 'exit 9');
    expect(await locateK6(env(bin))).toEqual({ ok: true, bin, version, major, env: { K6_NO_USAGE_REPORT: 'true', ...extra } });
  });

  it('uses the first entry of a K6_BIN list', async () => {
    const first = fakeK6('k6-first', `${V22}\n${IN_TREE_2}`);
    const second = fakeK6('k6-second', `${V13}\n${IN_TREE_1}`);
    expect(await locateK6(env(`${first}:${second}`))).toMatchObject({ ok: true, bin: first, version: 'v2.2.0' });
  });

  it('accepts stock k6 1.x that resolves k6/x/sse with community extensions, and says which env it needs', async () => {
    const bin = fakeK6('k6-stock', 'k6 v1.2.3 (go1.24.4, linux/amd64)');
    expect(await locateK6(env(bin))).toEqual({
      ok: true,
      bin,
      version: 'v1.2.3',
      major: 1,
      env: { K6_NO_USAGE_REPORT: 'true', K6_ENABLE_COMMUNITY_EXTENSIONS: 'true' },
    });
  });

  it('reports stock k6 1.x that cannot resolve the extension, with its error', async () => {
    const bin = fakeK6('k6-offline', 'k6 v1.3.0 (go1.24.6, linux/amd64)', `${INSPECT_1X}; echo 'failed to fetch extension catalog' >&2; exit 107`);
    const loc = await locateK6(env(bin));
    expect(loc.ok).toBe(false);
    if (!loc.ok) {
      expect(loc.problem).toContain('cannot load k6/x/sse, even with K6_ENABLE_COMMUNITY_EXTENSIONS=true: failed to fetch extension catalog');
      expect(loc.fix).toContain('xk6 build v1.3.0 --with github.com/phymbert/xk6-sse@v0.1.12');
    }
  });

  it('probes stock k6 2.x without the 1.x-only community switch, and says to build it with xk6-sse main', async () => {
    // answers like k6 2.x: the switch is gone, the v2 catalog has no xk6-sse
    const inspect = `[ -z "$${COMMUNITY_EXTENSIONS_ENV}" ] || exit 5; echo 'extension k6/x/sse not found in catalog' >&2; exit 107`;
    const loc = await locateK6(env(fakeK6('k6-stock2', 'k6 v2.2.0 (commit/abc, go1.25.12, linux/amd64)', inspect)));
    expect(loc).toMatchObject({
      ok: false,
      problem: expect.stringContaining("cannot resolve it (xk6-sse is not in k6 v2's extension catalog): extension k6/x/sse not found in catalog"),
      fix: expect.stringContaining('`xk6 build v2.2.0 --with github.com/phymbert/xk6-sse@main`'),
    });
    // a k6 2.x whose catalog does resolve it is used as it is, with no community switch
    const resolving = fakeK6('k6-stock2-ok', 'k6 v2.2.0 (commit/abc, go1.25.12, linux/amd64)', `[ -z "$${COMMUNITY_EXTENSIONS_ENV}" ] || exit 5; exit 0`);
    expect(await locateK6(env(resolving))).toMatchObject({ ok: true, major: 2, env: { K6_NO_USAGE_REPORT: 'true', [MACHINE_READABLE_SUMMARY_ENV]: 'false' } });
  });
});

describe('locateAllK6', () => {
  it('checks every entry of a K6_BIN list, once per real file', async () => {
    const a = fakeK6('k6-list-a', `${V13}\n${IN_TREE_1}`);
    const b = fakeK6('k6-list-b', `${V22}\n${IN_TREE_2}`);
    const alias = join(dir, 'k6-list-alias');
    symlinkSync(b, alias);
    const all = await locateAllK6({ PATH: '/nonexistent', K6_BIN: [a, b, alias, join(dir, 'k6-list-missing')].join(':') });
    expect(all.map((l) => (l.ok ? `${l.bin} ${l.version}` : l.problem))).toEqual([
      `${a} v1.3.0`,
      `${b} v2.2.0`,
      expect.stringContaining(`K6_BIN entry ${join(dir, 'k6-list-missing')} could not run "k6 version"`),
    ]);
  });

  it('without K6_BIN, uses every k6 and k6-* on PATH that prints a k6 version', async () => {
    const bin1 = mkdtempSync(join(dir, 'path1-'));
    const bin2 = mkdtempSync(join(dir, 'path2-'));
    const v2 = fakeK6('k6', `${V22}\n${IN_TREE_2}`, 'exit 9', bin1);
    symlinkSync(v2, join(bin1, 'k6-v2.2.0')); // the same file under another name
    symlinkSync(v2, join(bin2, 'k6')); // and on another PATH entry
    const v1 = fakeK6('k6-v1.3.0', `${V13}\n${IN_TREE_1}`, 'exit 9', bin2);
    fakeK6('k6-operator', 'k6-operator 0.0.22', 'exit 9', bin2); // a k6 tool, not k6
    fakeK6('k6-ancient', 'k6 v0.57.0 (go1.24.1, linux/amd64)', 'exit 9', bin2);
    writeFileSync(join(bin2, 'k6-notes'), 'not executable');
    mkdirSync(join(bin2, 'k6-dir'));
    const pathVar = [bin1, '/nonexistent', bin2].join(':');
    expect(k6CandidatesOnPath(pathVar)).toEqual([v2, join(bin2, 'k6-ancient'), join(bin2, 'k6-operator'), v1]);
    const all = await locateAllK6({ PATH: pathVar });
    expect(all.map((l) => (l.ok ? `${l.bin} ${l.version}` : l.problem))).toEqual([
      `${v2} v2.2.0`,
      'k6 v0.57.0 is too old: this suite needs k6 >= 1.2 with k6/x/sse.',
      `${v1} v1.3.0`,
    ]);
  });

  it('finds nothing when there is no k6', async () => {
    expect(await locateAllK6({ PATH: '/nonexistent' })).toEqual([]);
  });
});
