/**
 * End to end with real k6 (each one test/e2e/real-k6.ts finds: K6_BIN's list, else every k6 /
 * k6-* on PATH, with k6/x/sse): `npm run bench` with PROFILE=smoke against the mock server,
 * once per k6 (given to the CLI as K6_BIN). Skipped, visibly, where no usable k6 exists.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startMockServer } from '../../mock/server.ts';
import { benchWith } from '../../test/e2e/run-bench.ts';
import { describeEachK6, realK6s } from '../../test/e2e/real-k6.ts';
import type { LatencyWindows } from '../run/latency-windows.ts';

const k6s = await realK6s('bench end-to-end tests');
const hasBuild = existsSync('build/sse.js');
if (k6s.length > 0 && !hasBuild) console.warn('SKIPPED: bench end-to-end tests need build/sse.js (npm run build)');

const root = mkdtempSync(join(tmpdir(), 'bench-e2e-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describeEachK6('npm run bench', hasBuild ? k6s : [], (k6) => {
  const dir = mkdtempSync(join(root, 'k6-')); // each k6's reports apart
  it('PROFILE=smoke against the mock: live lines, final block, four report files, exit 0', { timeout: 120_000 }, async () => {
    const mock = await startMockServer({ port: 0 });
    let out: readonly string[] = [];
    try {
      const started = Date.now();
      const run = await benchWith(k6, ['--interval', '1'], { BASE_URL: mock.url, PROFILE: 'smoke', REPORTS_DIR: dir });
      expect(run.code, run.err.join('\n')).toBe(0);
      expect(Date.now() - started).toBeLessThan(60_000); // "PROFILE=smoke finishes in under a minute"
      out = run.out;
    } finally {
      await mock.close();
    }
    expect(out.some((l) => l.startsWith('[live '))).toBe(true);
    expect(out.join('\n')).toContain('FINAL BENCHMARK RESULTS');
    const files = readdirSync(dir).filter((f) => f.startsWith('benchmark_'));
    expect(files.map((f) => f.replace(/^benchmark_\d{8}_\d{6}/, '')).sort()).toEqual(['.html', '.json', '.txt', '.xml']);
  });

  it('the HTML report’s per-window TTFE shows a 200 ms step of the mock in the window it happened', { timeout: 120_000 }, async () => {
    const windowsDir = mkdtempSync(join(root, 'windows-'));
    // TTFE 20 ms, 220 ms for requests from 8 s after the mock started; one stream every 100 ms
    const mock = await startMockServer({ port: 0, ttfeMs: 20, ttftMs: 30, tokens: 5, tokenIntervalMs: 10, pingIntervalMs: 0, ttfeStep: { atMs: 8000, addMs: 200 } });
    const mockStart = Date.now();
    let err: readonly string[] = [];
    try {
      const run = await benchWith(k6, ['--interval', '1', '-q', '--window', '2'], { BASE_URL: mock.url, PROFILE: 'open', SCENARIOS: 'stream', RATE: '10', DURATION: '14s', THRESHOLDS: 'none', REPORTS_DIR: windowsDir });
      err = run.err;
      expect(run.code, run.err.join('\n')).toBe(0);
    } finally {
      await mock.close();
    }
    const html = readdirSync(windowsDir).find((f) => f.endsWith('.html')) ?? '';
    const page = readFileSync(join(windowsDir, html), 'utf8');
    const data = JSON.parse(/<script type="application\/json" id="report-data">(.*?)<\/script>/.exec(page)?.[1] ?? 'null') as { windows: LatencyWindows | null };
    const w = data.windows;
    if (w === null) throw new Error(`no windows in the report; ${err.join('\n')}`);
    expect(w.windowSec).toBe(2);
    // a stream's samples are recorded when it ends, ~80 ms after its request: the step lands at
    // 8 s after the mock's start, in run time stepS
    const stepS = (mockStart + 8000 - w.startMs) / 1000;
    const ttfe = w.metrics.ttfe;
    for (let i = 0; i < w.tSec.length; i++) {
      const [start, end] = [w.tSec[i] as number, (w.tSec[i] as number) + w.windowSec];
      const p50 = ttfe.p50[i] ?? null;
      if (p50 === null || ttfe.n[i] === 0) continue;
      if (end <= stepS - 0.1) expect(p50, `window ${start}–${end} s, step at ${stepS} s`).toBeLessThan(60);
      if (start >= stepS + 0.5) expect(p50, `window ${start}–${end} s, step at ${stepS} s`).toBeGreaterThan(210);
    }
    // windows on both sides of the step, each with its streams
    expect(w.tSec.filter((t, i) => t + w.windowSec <= stepS - 0.1 && ttfe.n[i] as number > 5).length).toBeGreaterThanOrEqual(2);
    expect(w.tSec.filter((t, i) => t >= stepS + 0.5 && ttfe.n[i] as number > 5).length).toBeGreaterThanOrEqual(2);
    // the cumulative figure stays in the key figures: between the two levels
    expect(page).toContain('TTFE p95');
  });
});
