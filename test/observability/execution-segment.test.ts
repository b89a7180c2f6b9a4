/**
 * The script is correct when k6 splits it (k6-operator, `--execution-segment`): two k6
 * processes running the halves 0:1/2 and 1/2:1 against the mock must record, summed,
 * exactly what one process records for the whole run — every suite counter, the number
 * of samples of every trend, and the iterations. Runs under each real k6 with k6/x/sse
 * (test/e2e/real-k6.ts: K6_BIN's list, else every k6 / k6-* on PATH); skipped with the reason otherwise. Runs through
 * test/e2e/run-k6.ts (each run writes its handleSummary reports into its own temp dir).
 *
 * `sse_data_bytes` adds up too because the mock's answer is a function of the request (its
 * question, not its `user`, which names the VU: mock/answer-seed.ts), and its elapsed-time
 * fields are the scheduled ones: which VU of which process sends a question first does not
 * change the bytes it receives. DATA_BYTES and INTER_EVENT_SAMPLES are on so every recorded
 * metric is compared.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer, type MockServer } from '../../mock/server.ts';
import { describeEachK6, realK6s } from '../e2e/real-k6.ts';
import { runK6, type K6Run } from '../e2e/run-k6.ts';
import { RECORDED_METRICS } from '../../lib/metric-defs.ts';

const k6s = await realK6s('execution-segment tests');

const SEQUENCE = '0,1/2,1';
const ITERATIONS = 20;

interface Totals {
  /** Sum of sample values per counter, number of samples per trend/rate, by metric name. */
  readonly sums: Record<string, number>;
  readonly counts: Record<string, number>;
}

/** Totals from k6's JSON output (`--out json=…`): one `Point` line per sample. */
export function totalsFromJsonOutput(text: string): Totals {
  const sums: Record<string, number> = {};
  const counts: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const rec = JSON.parse(line) as { type: string; metric: string; data: { value: number } };
    if (rec.type !== 'Point') continue;
    sums[rec.metric] = (sums[rec.metric] ?? 0) + rec.data.value;
    counts[rec.metric] = (counts[rec.metric] ?? 0) + 1;
  }
  return { sums, counts };
}

describe('totalsFromJsonOutput', () => {
  it('sums values and counts samples per metric, ignoring Metric declarations', () => {
    const text = [
      '{"type":"Metric","data":{"name":"sse_streams_opened","type":"counter"},"metric":"sse_streams_opened"}',
      '{"type":"Point","data":{"time":"2026-01-01T00:00:00Z","value":1,"tags":{}},"metric":"sse_streams_opened"}',
      '{"type":"Point","data":{"time":"2026-01-01T00:00:01Z","value":1,"tags":{}},"metric":"sse_streams_opened"}',
      '{"type":"Point","data":{"time":"2026-01-01T00:00:01Z","value":12.5,"tags":{}},"metric":"sse_ttfe"}',
      '',
    ].join('\n');
    expect(totalsFromJsonOutput(text)).toEqual({ sums: { sse_streams_opened: 2, sse_ttfe: 12.5 }, counts: { sse_streams_opened: 2, sse_ttfe: 1 } });
  });
});

describeEachK6('two execution-segment halves add up to one whole run', k6s, (k6) => {
  let mock: MockServer;
  let dir: string;

  beforeAll(async () => {
    if (!existsSync('build/sse.js')) throw new Error('build/sse.js is missing: run `npm run build` first');
    // tokens 20 ms apart: each stream's tokens arrive in separate reads, so every stream has a token span
    // (> 0 ms) and records its llm_tokens_per_second and llm_time_per_output_token samples
    mock = await startMockServer({ port: 0, tokens: 5, tokenIntervalMs: 20, ttfeMs: 2, ttftMs: 5, seed: 'segments' });
    dir = mkdtempSync(join(tmpdir(), 'sse-bench-segments-'));
  });
  afterAll(async () => {
    await mock?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  function run(name: string, segment: string[]): Promise<K6Run> {
    const k6Args = ['--vus', '2', '--iterations', String(ITERATIONS), ...segment, '--out', `json=${join(dir, `${name}.json`)}`];
    return runK6(k6, 'build/sse.js', { BASE_URL: mock.url, TARGET: 'dify-chat', SCENARIOS: 'stream', THRESHOLDS: 'none', DATA_BYTES: 'true', INTER_EVENT_SAMPLES: 'true' }, 60_000, k6Args);
  }

  it('every counter sum, trend sample count and the iterations match', async () => {
    const [whole, first, second] = await Promise.all([
      run('whole', []),
      run('first', ['--execution-segment', '0:1/2', '--execution-segment-sequence', SEQUENCE]),
      run('second', ['--execution-segment', '1/2:1', '--execution-segment-sequence', SEQUENCE]),
    ]);
    for (const r of [whole, first, second]) expect(r.code, r.stderr).toBe(0);
    const [w, a, b] = ['whole', 'first', 'second'].map((n) => totalsFromJsonOutput(readFileSync(join(dir, `${n}.json`), 'utf8')));
    if (w === undefined || a === undefined || b === undefined) throw new Error('unreachable');

    expect(w.counts.iterations).toBe(ITERATIONS);
    expect(a.counts.iterations).toBe(ITERATIONS / 2);
    expect(b.counts.iterations).toBe(ITERATIONS / 2);
    expect(w.sums.sse_streams_opened).toBe(ITERATIONS);
    expect(mock.stats().streamsStarted).toBe(2 * ITERATIONS);

    for (const m of RECORDED_METRICS) {
      const total = (t: Totals): number => (m.kind === 'counter' ? (t.sums[m.name] ?? 0) : (t.counts[m.name] ?? 0));
      expect(total(a) + total(b), `${m.name} (${m.kind})`).toBe(total(w));
    }
  }, 90_000);
});
