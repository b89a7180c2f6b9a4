/**
 * esbuild-lazy.mjs: a `?lazy` import is evaluated only when its loader is called, afresh on each
 * call, and may not reach k6 modules; build/sse.js keeps its init-only and report code behind it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { lazyModules } from '../esbuild-lazy.mjs';
import { ensureBuilt } from './k6-harness.ts';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lazy-modules-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function bundle(files: Record<string, string>): Promise<string> {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const out = join(dir, 'out.mjs');
  await esbuild.build({ entryPoints: [join(dir, 'entry.ts')], bundle: true, format: 'esm', platform: 'neutral', outfile: out, plugins: [lazyModules()], logLevel: 'silent', external: ['k6', 'k6/*'] });
  return out;
}

describe('?lazy imports', () => {
  test('evaluated on each call of the loader, not before', async () => {
    const out = await bundle({
      'counter.ts': 'globalThis.__evaluations = (globalThis.__evaluations ?? 0) + 1;\nexport const table = [1, 2, 3];\nexport function sum() { return table.reduce((a, b) => a + b, 0); }\n',
      'entry.ts': "import load from './counter.ts?lazy';\nexport const before = (globalThis as any).__evaluations ?? 0;\nexport { load };\n",
    });
    const m = (await import(pathToFileURL(out).href)) as { before: number; load: () => { sum(): number; table: number[] } };
    expect(m.before).toBe(0);
    const a = m.load();
    expect(a.sum()).toBe(6);
    const b = m.load();
    expect((globalThis as { __evaluations?: number }).__evaluations).toBe(2);
    expect(a.table).not.toBe(b.table); // a fresh evaluation: nothing cached, nothing kept
  });

  test('a lazy module that reaches a k6 module is a build error naming it', async () => {
    await expect(
      bundle({
        'uses-k6.ts': "import { Trend } from 'k6/metrics';\nexport const t = () => new Trend('x');\n",
        'entry.ts': "import load from './uses-k6.ts?lazy';\nexport { load };\n",
      }),
    ).rejects.toThrow(/may not import anything outside the bundle.*k6\/metrics/s);
  });
});

describe('build/sse.js', () => {
  test('every VU evaluates only the per-stream code: configuration, thresholds, profiles, metric definitions and reports sit behind ?lazy', () => {
    const text = readFileSync(ensureBuilt(), 'utf8');
    // esbuild marks each bundled file with `// <path>`; the lazy modules' own files carry an
    // indentation inside their loader function, the script's top-level files do not.
    const topLevel = [...text.matchAll(/^\/\/ (\S+)$/gm)].map((m) => m[1]);
    expect(topLevel).toContain('lazy:lib/init/suite-init.ts');
    expect(topLevel).toContain('lazy:lib/report/handle-summary.ts');
    const eager = topLevel.filter((f) => f !== undefined && !f.startsWith('lazy:'));
    // What a VU may evaluate: lib/vu/ (per VU, per event), the entry, and the few plain-data definitions it reads.
    const SHARED = ['lib/requests-per-iteration.ts', 'lib/secrets.ts', 'lib/vu-plan.ts', 'lib/error-types.ts'];
    const outside = eager.filter((f) => f !== undefined && !f.startsWith('lib/vu/') && f !== 'scenarios/sse.ts' && !SHARED.includes(f));
    expect(outside).toEqual([]);
    expect(eager).toContain('lib/vu/stream-tracker.ts');
  });

  test('the per-VU part defines no ordinary function: each costs a VU 2.6x an arrow function (it gets a prototype object)', () => {
    // Measured on k6 v2.2.0, 500 VUs: 200 top-level `function` declarations +76 MB, 200 arrow functions +29 MB.
    const text = readFileSync(ensureBuilt(), 'utf8');
    const perVu = text.slice(0, text.indexOf('\n// lazy:'));
    expect(perVu.length).toBeGreaterThan(1000);
    const ordinary = perVu.split('\n').filter((line) => /\bfunction\b/.test(line) && !/^\s*(\/\/|\*|\/\*)/.test(line));
    expect(ordinary).toEqual([]);
  });

  test('the per-VU part builds no Set or Map and iterates no array with for…of: Sobek builds their prototypes in every VU that does', () => {
    const text = readFileSync(ensureBuilt(), 'utf8');
    const perVu = text.slice(0, text.indexOf('\n// lazy:'));
    expect(perVu).not.toMatch(/new (Set|Map)\b/);
    expect(perVu).not.toMatch(/for \((const|let|var) [^;]* of /);
    expect(perVu).not.toMatch(/\.(map|flatMap|forEach|filter)\(/);
  });
});
