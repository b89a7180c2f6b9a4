/**
 * BREAKDOWN=true on build/sse.js, bundled, on the k6 doubles (virtual clock): the marker the
 * question carries (the one lib/breakdown-marker.ts defines) and the per-stream line it logs.
 */
import { afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { endRun, ensureBuilt, requests, setServer, startRun, T0, type Chunk } from './k6-harness.ts';
import { breakdownMarker } from '../lib/breakdown-marker.ts';
import { parseClientLine } from '../lib/report/breakdown.ts';

beforeAll(() => {
  ensureBuilt();
});
afterEach(() => {
  vi.restoreAllMocks();
  endRun();
});

const wf = (event: string, data: unknown): string => `data: ${JSON.stringify({ event, task_id: 't', workflow_run_id: 'r', data })}\n\n`;

describe('BREAKDOWN=true', () => {
  test('marks each question with its iteration and logs the request start, each token and the end event', async () => {
    const chunks: Chunk[] = [{ at: 50, text: wf('workflow_started', {}) }];
    for (let i = 0; i < 3; i++) chunks.push({ at: 100 + 10 * i, text: wf('text_chunk', { text: `w${i}` }) });
    chunks.push({ at: 140, text: wf('workflow_finished', { status: 'succeeded', elapsed_time: 0.1 }) });
    setServer(() => ({ kind: 'response', headersAt: 20, chunks }));
    const logged: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(' ')));
    const run = startRun();
    const vu = await run.loadVu({ env: { BREAKDOWN: 'true', SCENARIOS: 'stream', THRESHOLDS: 'none' } });
    vu.iterate('stream', 2);
    const questions = requests().map((r) => (JSON.parse(r.body) as { inputs: { question: string } }).inputs.question);
    expect(questions[0]!.endsWith(breakdownMarker(0))).toBe(true);
    expect(questions[1]!.endsWith(breakdownMarker(1))).toBe(true);
    expect(logged.map(parseClientLine)).toEqual([
      { id: 'sb-0', t0: T0, tok: [100, 110, 120], end: 140, ok: true },
      { id: 'sb-1', t0: T0 + 140, tok: [100, 110, 120], end: 140, ok: true },
    ]);
  });

  test('off by default: the question is sent as it is and nothing is logged', async () => {
    setServer(() => ({ kind: 'response', chunks: [{ at: 1, text: wf('workflow_finished', { status: 'succeeded' }) }] }));
    const log = vi.spyOn(console, 'log');
    const run = startRun();
    const vu = await run.loadVu({ env: { SCENARIOS: 'stream', THRESHOLDS: 'none' } });
    vu.iterate('stream');
    expect(JSON.parse(requests()[0]!.body).inputs.question).not.toContain('[sb-');
    expect(log).not.toHaveBeenCalled();
  });
});
