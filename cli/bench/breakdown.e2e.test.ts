/**
 * End to end with real k6 (each one found): BREAKDOWN=true through the fake Dify relaying the
 * embedded mock, the fake injecting a known pre-model delay (60 ms) and a known delay per relayed
 * event (15 ms), the mock as the model (TTFT 100 ms).
 * - k6 alone (its log joined with the mock's model log, as the bench CLI does): each part's p50 is
 *   within 2 ms of the delay as the fake realised it (its timers fire late on a loaded machine);
 *   before the model also holds k6's own request setup and the way to the fake, measured per
 *   stream from the fake's arrival times.
 * - `npm run bench`: the breakdown in the final block, the JSON, text and HTML reports.
 * Skipped, visibly, where no usable k6 exists.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startMockServer, type MockServer } from '../../mock/server.ts';
import { startFakeDify, type FakeDify } from '../../test/fake-dify/console.ts';
import { parseReportJson } from '../../lib/report/report-json.ts';
import { joinBreakdown, type ClientStream } from '../../lib/report/breakdown.ts';
import { benchWith } from '../../test/e2e/run-bench.ts';
import { BreakdownCollector } from './breakdown-collector.ts';
import { describeEachK6, realK6s } from '../../test/e2e/real-k6.ts';
import { runK6 } from '../../test/e2e/run-k6.ts';

const k6s = await realK6s('BREAKDOWN end-to-end tests');
const hasBuild = existsSync('build/sse.js');
const root = mkdtempSync(join(tmpdir(), 'breakdown-e2e-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const PRE_MODEL_MS = 60;
const RELAY_MS = 15;
const MODEL_TTFT_MS = 100;
const KEY = 'app-breakdown-e2e';
const VARS = { BREAKDOWN: 'true', PROFILE: 'smoke', SCENARIOS: 'stream', VUS: '2', ITERATIONS: '10', THRESHOLDS: 'none', DIFY_STATE: 'none', API_KEY: KEY };

const median = (values: readonly number[]): number => {
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? (v[mid] as number) : ((v[mid - 1] as number) + (v[mid] as number)) / 2;
};

async function withTarget<T>(fn: (mock: MockServer, dify: FakeDify) => Promise<T>): Promise<T> {
  const mock = await startMockServer({ port: 0, modelLog: 'on', ttfeMs: 5, ttftMs: MODEL_TTFT_MS, tokens: 12, tokenIntervalMs: 20, pingIntervalMs: 0, seed: 'breakdown' });
  const dify = await startFakeDify({ preModelDelayMs: PRE_MODEL_MS, relayDelayMs: RELAY_MS });
  dify.addCredential('mock', mock.url);
  dify.addPublishedWorkflow(KEY);
  try {
    return await fn(mock, dify);
  } finally {
    await dify.close();
    await mock.close();
  }
}

describeEachK6('BREAKDOWN=true through the fake Dify', hasBuild ? k6s : [], (k6) => {
  // retry: two cores shared with other work can stall a run's event loops for tens of ms.
  it('recovers the injected pre-model and relay delays and the model TTFT within 2 ms (p50)', { timeout: 120_000, retry: 2 }, async () => {
    await withTarget(async (mock, dify) => {
      const r = await runK6(k6, 'build/sse.js', { ...VARS, BASE_URL: `${dify.url}/v1` }, 60_000);
      expect(r.code, r.stderr).toBe(0);
      const lines = new BreakdownCollector();
      for (const l of r.stderr.split('\n')) lines.line(l);
      const b = joinBreakdown(lines.streams, mock.modelLog());
      const t0 = new Map(lines.streams.map((c: ClientStream) => [c.id, c.t0]));
      const toFake = median(dify.runs.flatMap((run) => {
        const start = t0.get(/\[(sb-\d+)\]/.exec(run.question)?.[1] ?? '');
        return start === undefined ? [] : [run.arrivedAt - start];
      }));
      const pre = median(dify.runs.map((run) => run.modelCalledAt - run.arrivedAt));
      const relay = median(dify.relayLags);
      console.log(`breakdown on ${k6.version}: ${JSON.stringify(b.parts)}; the fake realised pre-model ${pre.toFixed(2)} ms, relay ${relay.toFixed(2)} ms; k6 request start → the fake ${toFake.toFixed(2)} ms`);
      expect(b.streams).toBe(10);
      expect(b.unmatched).toBe(0);
      expect(b.parts.relayPerToken.samples).toBe(10 * 12);
      expect(Math.abs(pre - PRE_MODEL_MS)).toBeLessThan(5); // the fake injected about what it was asked to
      expect(toFake).toBeLessThan(6);
      expect(Math.abs(b.parts.beforeModel.p50! - (toFake + pre))).toBeLessThanOrEqual(2);
      expect(Math.abs(b.parts.modelTtft.p50! - MODEL_TTFT_MS)).toBeLessThanOrEqual(2);
      expect(Math.abs(b.parts.relayPerToken.p50! - relay)).toBeLessThanOrEqual(2);
      // The fake gets workflow_finished in the same upstream write as the last token and relays it as late.
      expect(Math.abs(b.parts.afterModel.p50! - relay)).toBeLessThanOrEqual(2);
    });
  });

  it('npm run bench shows it in the final block, the JSON, text and HTML reports', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(root, 'k6-'));
    const { out, err } = await withTarget(async (mock, dify) => {
      const run = await benchWith(k6, ['--interval', '1', '--model-log', mock.url], { ...VARS, BASE_URL: `${dify.url}/v1`, REPORTS_DIR: dir });
      expect(run.code, run.err.join('\n')).toBe(0);
      return run;
    });
    expect(err.join('\n')).not.toContain('sse-bench breakdown'); // the per-stream lines stay out of the log shown
    const json = readdirSync(dir).find((f) => /^benchmark_.*\.json$/.test(f)) as string;
    const b = parseReportJson(readFileSync(join(dir, json), 'utf8'), json).breakdown!;
    expect([b.streams, b.unmatched]).toEqual([10, 0]);
    expect(b.parts.beforeModel.p50).toBeGreaterThanOrEqual(PRE_MODEL_MS);
    expect(b.parts.relayPerToken.p50).toBeGreaterThanOrEqual(RELAY_MS - 1);
    const final = out.join('\n');
    expect(final).toContain('🧩 Time Breakdown');
    expect(final).toMatch(/Before the model:\s+p50 \d+\.\d ms, p95 \d+\.\d ms \(10 streams\)/);
    expect(final).toMatch(/Relay per token:\s+p50 \d+\.\d ms, p95 \d+\.\d ms \(120 tokens\)/);
    expect(readFileSync(join(dir, json.replace(/\.json$/, '.txt')), 'utf8')).toContain('Model TTFT');
    expect(readFileSync(join(dir, json.replace(/\.json$/, '.html')), 'utf8')).toContain('<h2>Time breakdown</h2>');
  });
});
