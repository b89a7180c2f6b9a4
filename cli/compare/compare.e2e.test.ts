/**
 * End to end with real k6 (each one test/e2e/real-k6.ts finds): `npm run bench -- --repeat 4`
 * against a mock with TTFE 100 ms and against one with 110 ms, then `npm run compare` on the
 * two repeat summaries: the TTFE rows must report the ≈ 10 ms difference with an interval
 * that excludes zero, and the 5 % gate must fail on it. (Two sets of the same configuration
 * are compared on recorded real runs in compare-recorded.test.ts: a live check of "no
 * significant difference" would fail, by design, in 1 − confidence of runs.)
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startMockServer } from '../../mock/server.ts';
import { benchWith } from '../../test/e2e/run-bench.ts';
import { describeEachK6, realK6s } from '../../test/e2e/real-k6.ts';
import { runCompare } from './compare.ts';

const k6s = await realK6s('compare end-to-end tests');
const root = mkdtempSync(join(tmpdir(), 'compare-e2e-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describeEachK6('npm run compare on repeated runs', k6s, (k6) => {
  it('TTFE 10 % higher: the difference with an interval that excludes zero, and the gate fails', { timeout: 180_000 }, async () => {
    const summary = async (name: string, ttfeMs: number): Promise<string> => {
      const dir = join(root, `${k6.version}-${name}`);
      const mock = await startMockServer({ port: 0, ttfeMs, ttftMs: ttfeMs + 10, tokens: 5, tokenIntervalMs: 10, pingIntervalMs: 0, seed: 'compare' });
      try {
        // 10 rounds of 4 streams, over a second: reports are named by the second they are written in
        const run = await benchWith(k6, ['--repeat', '4', '-q', '--window', '0'], { BASE_URL: mock.url, PROFILE: 'light', SCENARIOS: 'stream', VUS: '4', ITERATIONS: '40', THRESHOLDS: 'none', REPORTS_DIR: dir });
        expect(run.code, run.err.join('\n')).toBe(0);
      } finally {
        await mock.close();
      }
      const file = readdirSync(dir).find((f) => f.startsWith('repeat_'));
      return join(dir, file ?? '');
    };
    const a = await summary('ttfe100', 100);
    const b = await summary('ttfe110', 110);
    const out: string[] = [];
    const code = await runCompare(['--max-regression', '5%', a, b], { out: (l) => out.push(l), err: (l) => out.push(l) });
    const lines = out.join('\n').split('\n');
    expect(lines[0]).toBe('Repeated runs: A 4, B 4');
    // the medians (a single slow run on a busy machine can move an average or a p95 of one side)
    for (const label of ['TTFE p50', 'TTFT p50']) {
      const row = lines.find((l) => l.startsWith(`${label} `)) ?? '';
      // Δ (HL) ≈ +10 ms, the interval [+x, +y] above zero at 97.1 %, marked worse
      const m = /\+(\d+\.\d+) ms\s+\+\d+\.\d%\s+\[\+(\d+\.\d+) ms, \+(\d+\.\d+) ms\] 97\.1%\s+✗ worse/.exec(row);
      expect(m, row).not.toBeNull();
      expect(Number(m?.[1])).toBeGreaterThan(7);
      expect(Number(m?.[1])).toBeLessThan(13);
      expect(Number(m?.[2])).toBeGreaterThan(0);
    }
    expect(code).toBe(1);
    expect(lines.at(-1)).toMatch(/^FAIL: \d+ key figure\(s\) significantly regressed by more than 5%: .*TTFE p50/);
  });
});
