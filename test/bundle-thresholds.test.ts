/**
 * build/sse.js's own thresholds (THRESHOLDS=default, as bundled into its `options`) judged
 * the way k6 judges them at the end of a test (lib/report/threshold-eval.ts) on the samples the
 * script records on the k6 doubles: a run where every stream failed and a run where no
 * stream ended must both exit 99; a healthy run must pass.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { evaluateThresholds } from '../lib/report/threshold-eval.ts';
import type { Thresholds } from '../lib/init/thresholds.ts';
import { endRun, ensureBuilt, readFixture, setServer, splitBlocks, startRun, timedBlocks, type ServerScript } from './k6-harness.ts';

beforeAll(() => {
  ensureBuilt();
});
afterEach(endRun);

const ENV = { TARGET: 'dify-workflow', STREAM_TIMEOUT: '2s', THRESHOLDS: 'default' };
const WORKFLOW = splitBlocks(readFixture('dify-workflow.sse'));

/** Runs `iterations` stream iterations against `script`; returns the thresholds k6 would fail. */
async function failedThresholds(script: ServerScript | null, iterations = 3): Promise<string[]> {
  if (script !== null) setServer(() => script);
  const run = startRun();
  const vu = await run.loadVu({ env: ENV });
  if (script !== null) vu.iterate('stream', iterations);
  const thresholds = (vu.options as { thresholds?: Thresholds }).thresholds;
  if (thresholds === undefined) throw new Error('build/sse.js exports no thresholds');
  return evaluateThresholds(thresholds, run.samples(), 60_000)
    .filter((v) => !v.ok)
    .map((v) => `${v.key}: ${v.expression}`);
}

describe('thresholds/default.json on what build/sse.js records', () => {
  it('passes a healthy run', async () => {
    expect(await failedThresholds({ kind: 'response', chunks: timedBlocks(WORKFLOW, { firstAt: 100, step: 10 }) })).toEqual([]);
  });

  it('fails a run where every stream failed (connection refused)', async () => {
    expect(await failedThresholds({ kind: 'refused' })).toEqual(['sse_stream_success: rate>0.99']);
  });

  it('fails a run where no stream ended (none started, or all cut off by the end of the test)', async () => {
    // The TTFE trend (0 when empty) and the success rate (skipped by k6 when empty) both pass here.
    expect(await failedThresholds(null)).toEqual(['sse_streams_closed: count>0']);
  });
});
