import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findOnPath, formatK6Problem, hasBuiltInSse, locateK6, parseK6Version } from './k6-locate.ts';

const dir = mkdtempSync(join(tmpdir(), 'k6-locate-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in for the k6 binary's CLI: prints `version`, and answers `inspect` by exit code. */
function fakeK6(name: string, versionText: string, inspectExit = 0, inspectStderr = ''): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    `#!/bin/sh
case "$1" in
  version) printf '%s\\n' "${versionText}" ;;
  inspect) [ "$K6_ENABLE_COMMUNITY_EXTENSIONS" = true ] || { echo 'unknown module: k6/x/sse' >&2; exit 107; }
           [ "$K6_NO_USAGE_REPORT" = true ] || exit 3
           ${inspectStderr === '' ? '' : `echo '${inspectStderr}' >&2;`} exit ${inspectExit} ;;
  *) exit 64 ;;
esac
`,
  );
  chmodSync(path, 0o755);
  return path;
}

describe('parsing', () => {
  it('reads the version line of stock and xk6 builds', () => {
    expect(parseK6Version('k6 v1.3.0 (commit/5870e99ae8, go1.24.6, linux/amd64)')).toMatchObject({ major: 1, minor: 3, patch: 0, text: 'v1.3.0' });
    expect(parseK6Version('k6 v1.2.0-rc1 (go1.24.4, linux/amd64)')?.text).toBe('v1.2.0-rc1');
    expect(parseK6Version('hello')).toBeNull();
  });
  it('sees k6/x/sse in the extension list of an xk6 build', () => {
    expect(hasBuiltInSse('k6 v1.3.0 (go1.24.6, linux/amd64)\nExtensions:\n  github.com/phymbert/xk6-sse v0.1.12, k6/x/sse [js]\n')).toBe(true);
    expect(hasBuiltInSse('k6 v1.3.0 (go1.24.6, linux/amd64)\n')).toBe(false);
  });
  it('finds executables on PATH only', () => {
    fakeK6('k6', 'k6 v1.3.0');
    writeFileSync(join(dir, 'notexec'), '');
    expect(findOnPath('k6', `/nonexistent:${dir}`)).toBe(join(dir, 'k6'));
    expect(findOnPath('notexec', dir)).toBe('');
  });
});

describe('locateK6', () => {
  const env = (bin: string): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, K6_BIN: bin });

  it('explains how to get k6 when there is none', async () => {
    const loc = await locateK6({ PATH: '/nonexistent' });
    expect(loc).toMatchObject({ ok: false, problem: expect.stringContaining('k6 was not found') });
    if (!loc.ok) {
      expect(loc.fix).toContain('K6_ENABLE_COMMUNITY_EXTENSIONS=true');
      expect(loc.fix).toContain('xk6 build --with github.com/phymbert/xk6-sse');
      expect(formatK6Problem(loc)).toMatch(/^k6: k6 was not found.*\n {2}fix: Install k6 v1\.3/);
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

  it('rejects k6 older than 1.2', async () => {
    const loc = await locateK6(env(fakeK6('k6-old', 'k6 v1.1.0 (go1.24.1, linux/amd64)')));
    expect(loc).toMatchObject({ ok: false, problem: 'k6 v1.1.0 is too old: this suite needs k6 >= 1.2 with k6/x/sse.' });
  });

  it('rejects k6 2.x, which cannot load xk6-sse yet', async () => {
    const loc = await locateK6(env(fakeK6('k6-two', 'k6 v2.0.1 (go1.25.0, linux/amd64)')));
    expect(loc).toMatchObject({ ok: false, problem: expect.stringContaining('k6 v2.0.1 cannot load k6/x/sse yet') });
  });

  it('accepts an xk6 build with k6/x/sse built in, without community extensions', async () => {
    const bin = fakeK6('k6-xk6', 'k6 v1.3.0 (go1.24.6, linux/amd64)\nExtensions:\n  github.com/phymbert/xk6-sse v0.1.12, k6/x/sse [js]', 9);
    expect(await locateK6(env(bin))).toEqual({ ok: true, bin, version: 'v1.3.0', env: { K6_NO_USAGE_REPORT: 'true' } });
  });

  it('accepts stock k6 >= 1.2 that resolves k6/x/sse with community extensions, and says which env it needs', async () => {
    const bin = fakeK6('k6-stock', 'k6 v1.2.3 (go1.24.4, linux/amd64)', 0);
    expect(await locateK6(env(bin))).toEqual({
      ok: true,
      bin,
      version: 'v1.2.3',
      env: { K6_NO_USAGE_REPORT: 'true', K6_ENABLE_COMMUNITY_EXTENSIONS: 'true' },
    });
  });

  it('reports stock k6 that cannot resolve the extension, with its error', async () => {
    const bin = fakeK6('k6-offline', 'k6 v1.3.0 (go1.24.6, linux/amd64)', 107, 'failed to fetch extension catalog');
    const loc = await locateK6(env(bin));
    expect(loc.ok).toBe(false);
    if (!loc.ok) {
      expect(loc.problem).toContain('cannot load k6/x/sse, even with K6_ENABLE_COMMUNITY_EXTENSIONS=true: failed to fetch extension catalog');
      expect(loc.fix).toContain('xk6 build --with github.com/phymbert/xk6-sse');
    }
  });
});
