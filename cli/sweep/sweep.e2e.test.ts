/**
 * End to end with real k6 (each one test/e2e/real-k6.ts finds, given to the CLI as K6_BIN): `npm run sweep` against the
 * mock with a capacity of 40 streams. A stream holds its slot ~2 s (TTFE 50 ms, 40 tokens
 * 50 ms apart); past 40 VUs the requests that find no slot wait about a whole stream, so
 * TTFE p95 jumps from ~50 ms to ~2 s between 42 and 45 VUs and a closed sweep with
 * `sse_ttfe:p(95)<200` must answer 36–44 VUs. Skipped, visibly, where no usable k6 exists.
 * Timing-sensitive (one k6 at a time): the file name puts it in the sequential e2e group.
 * Bounded: at most 8 steps of 8 s (20, 40, 80, 60, 50, 45, 42, and 43 or 41), each with its
 * own time bound.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startMockServer } from '../../mock/server.ts';
import { realPreflightDeps } from '../bench/bench.ts';
import { loadChartJs } from '../run/html-report.ts';
import { parseSweepJson } from './sweep-report.ts';
import { runStep } from './sweep-step.ts';
import { runSweep } from './sweep.ts';
import { describeEachK6, realK6s } from '../../test/e2e/real-k6.ts';

const k6s = await realK6s('sweep end-to-end test');
const hasBuild = existsSync('build/sse.js');
if (k6s.length > 0 && !hasBuild) console.warn('SKIPPED: sweep end-to-end test needs build/sse.js (npm run build)');

const root = mkdtempSync(join(tmpdir(), 'sweep-e2e-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describeEachK6('npm run sweep', hasBuild ? k6s : [], (k6) => {
  const dir = mkdtempSync(join(root, 'k6-')); // each k6's reports apart
  it('finds 36–44 VUs against the mock with --max-concurrency 40 and writes the JSON and HTML', { timeout: 600_000 }, async () => {
    const mock = await startMockServer({ port: 0, maxConcurrency: 40, ttfeMs: 50, ttftMs: 50, tokens: 40, tokenIntervalMs: 50, jitter: 'none', pingIntervalMs: 0 });
    const out: string[] = [];
    const err: string[] = [];
    let code: number;
    try {
      code = await runSweep(['--slo', 'sse_ttfe:p(95)<200', '--start', '20', '--max', '80', '--step-duration', '8s'], {
        // The mock needs no key; a non-default BASE_URL makes the preflight ask for one.
        env: {
          ...process.env,
          K6_BIN: k6.bin,
          BASE_URL: mock.url,
          API_KEY: 'e2e-mock-key',
          ...Object.fromEntries(['DIFY_API_KEY', 'TARGET', 'ENDPOINT', 'SCENARIOS', 'THRESHOLDS', 'PROFILE', 'VUS', 'ITERATIONS', 'DURATION', 'RATE'].map((n) => [n, ''])),
          REPORTS_DIR: dir,
        },
        io: { out: (l) => out.push(l), err: (l) => err.push(l) },
        preflight: realPreflightDeps,
        now: Date.now,
        runStep,
        chartJs: loadChartJs,
      });
    } finally {
      await mock.close();
    }
    const log = [...out, '--- stderr ---', ...err].join('\n');
    if (process.env.SHOW_SWEEP_OUTPUT) console.log(log);
    expect(code, log).toBe(0);
    const files = readdirSync(dir);
    const json = files.find((f) => /^sweep_\d{8}_\d{6}\.json$/.test(f));
    expect(json, log).toBeDefined();
    expect(files).toContain(json?.replace(/\.json$/, '.html'));
    const report = parseSweepJson(readFileSync(join(dir, json ?? ''), 'utf8'), json ?? '');
    expect(report.maxSustainable.limitedBy, log).toBe('slo');
    const vus = 'vus' in report.maxSustainable ? report.maxSustainable.vus : null;
    expect(vus, log).toBeGreaterThanOrEqual(36);
    expect(vus, log).toBeLessThanOrEqual(44);
    expect(report.steps.length).toBeLessThanOrEqual(8);
    expect(report.steps.some((s) => s.generatorSaturated), log).toBe(false);
    for (const s of report.steps) expect(existsSync(join(dir, s.reports[0] ?? 'missing')), `${s.load} VUs report`).toBe(true);
    expect(out.join('\n')).toContain(`max sustainable: ${vus} VUs (`);
  });
});
