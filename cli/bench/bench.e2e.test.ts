/**
 * End to end with real k6 (each one test/e2e/real-k6.ts finds: K6_BIN's list, else every k6 /
 * k6-* on PATH, with k6/x/sse): `npm run bench` with PROFILE=smoke against the mock server,
 * once per k6 (given to the CLI as K6_BIN). Skipped, visibly, where no usable k6 exists.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startMockServer } from '../../mock/server.ts';
import { realPreflightDeps, runBench } from './bench.ts';
import { describeEachK6, realK6s } from '../../test/e2e/real-k6.ts';

const k6s = await realK6s('bench end-to-end tests');
const hasBuild = existsSync('build/sse.js');
if (k6s.length > 0 && !hasBuild) console.warn('SKIPPED: bench end-to-end tests need build/sse.js (npm run build)');

const root = mkdtempSync(join(tmpdir(), 'bench-e2e-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describeEachK6('npm run bench', hasBuild ? k6s : [], (k6) => {
  const dir = mkdtempSync(join(root, 'k6-')); // each k6's reports apart
  it('PROFILE=smoke against the mock: live lines, final block, four report files, exit 0', { timeout: 120_000 }, async () => {
    const mock = await startMockServer({ port: 0 });
    const out: string[] = [];
    const err: string[] = [];
    try {
      const started = Date.now();
      const code = await runBench(['--interval', '1'], {
        env: { ...process.env, K6_BIN: k6.bin, BASE_URL: mock.url, PROFILE: 'smoke', REPORTS_DIR: dir, API_KEY: '', DIFY_API_KEY: '' },
        io: { out: (l) => out.push(l), err: (l) => err.push(l) },
        isTTY: false,
        preflight: realPreflightDeps,
        now: Date.now,
      });
      expect(code, err.join('\n')).toBe(0);
      expect(Date.now() - started).toBeLessThan(60_000); // "PROFILE=smoke finishes in under a minute"
    } finally {
      await mock.close();
    }
    expect(out.some((l) => l.startsWith('[live '))).toBe(true);
    expect(out.join('\n')).toContain('FINAL BENCHMARK RESULTS');
    const files = readdirSync(dir).filter((f) => f.startsWith('benchmark_'));
    expect(files.map((f) => f.replace(/^benchmark_\d{8}_\d{6}/, '')).sort()).toEqual(['.html', '.json', '.txt', '.xml']);
  });
});
