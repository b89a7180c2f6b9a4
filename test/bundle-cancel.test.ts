/**
 * CANCEL_RATE on build/sse.js, bundled, on the k6 doubles (virtual clock): which streams are
 * stopped, Dify's stop request (URL, body, headers, bounded `name` tag), OpenAI's close, the stop
 * latency, and that a stopped stream is neither success nor error.
 */
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { endRun, ensureBuilt, httpRequests, requests, setHttpHandler, setServer, startRun, T0, type Chunk } from './k6-harness.ts';
import { runtime } from './doubles/runtime.ts';

beforeAll(() => {
  ensureBuilt();
});
afterEach(() => {
  setHttpHandler(null);
  endRun();
});

const wf = (event: string, data: unknown): string => `data: ${JSON.stringify({ event, task_id: 'task-7', workflow_run_id: 'run-7', data })}\n\n`;
const chat = (event: string, extra: Record<string, unknown>): string => `data: ${JSON.stringify({ event, task_id: 'task-9', message_id: 'm', conversation_id: 'c', ...extra })}\n\n`;
const oa = (content: string): string => `data: {"id":"x","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"finish_reason":null}]}\n\n`;

/** A workflow: started at 100, tokens every 10 ms from 110, then `end` (its status) 10 ms after the last. */
function workflow(tokens: number, status: string): Chunk[] {
  const chunks: Chunk[] = [{ at: 100, text: wf('workflow_started', { id: 'run-7' }) }];
  for (let i = 0; i < tokens; i++) chunks.push({ at: 110 + 10 * i, text: wf('text_chunk', { text: `t${i}` }) });
  chunks.push({ at: 110 + 10 * tokens, text: wf('workflow_finished', { status, error: status === 'stopped' ? 'Stopped by user.' : null, elapsed_time: 0.2 }) });
  return chunks;
}

const BASE = { BASE_URL: 'http://127.0.0.1:5001', API_KEY: 'app-secret', SCENARIOS: 'stream', THRESHOLDS: 'none' };

describe('CANCEL_RATE=1 (every stream stopped)', () => {
  test('dify-workflow: the stop request goes to …/workflows/tasks/<task_id>/stop with the user, and the stopped workflow_finished ends the stream', async () => {
    setServer(() => ({ kind: 'response', headersAt: 40, chunks: workflow(6, 'stopped') }));
    setHttpHandler(() => ({ status: 200, body: '{"result":"success"}', tookMs: 4 }));
    const run = startRun();
    const vu = await run.loadVu({ env: { ...BASE, CANCEL_RATE: '1', CANCEL_AFTER: '3' } });
    vu.iterate('stream');
    const stops = httpRequests();
    expect(stops.length).toBe(1);
    const stop = stops[0]!;
    expect(stop.url).toBe('http://127.0.0.1:5001/v1/workflows/tasks/task-7/stop');
    expect(JSON.parse(stop.body)).toEqual({ user: JSON.parse(requests()[0]!.body).user });
    expect(stop.headers).toEqual({ 'Content-Type': 'application/json', Authorization: 'Bearer app-secret' });
    expect(stop.tags).toEqual({ name: 'http://127.0.0.1:5001/v1/workflows/tasks/{task_id}/stop' });
    expect(stop.timeout).toBe('60s');
    expect(stop.sentAt).toBe(T0 + 130); // the 3rd token
    expect(run.values('sse_stop_latency')).toEqual([170 - 130]); // stop sent at 130 → the stopped workflow_finished at 170
    expect(run.values('sse_streams_cancelled')).toEqual([1]);
    expect(run.values('sse_stream_cancelled')).toEqual([1]);
    expect(run.values('sse_stream_success')).toEqual([]);
    expect(run.values('sse_goodput')).toEqual([]);
    expect(run.values('sse_errors')).toEqual([]);
    expect(run.values('sse_ttft')).toEqual([110]);
    expect(run.values('sse_streams_closed')).toEqual([1]);
  });

  test('dify-chat: …/chat-messages/<task_id>/stop, and message_end ends the stopped stream', async () => {
    const chunks: Chunk[] = [];
    for (let i = 0; i < 5; i++) chunks.push({ at: 100 + 10 * i, text: chat('message', { answer: `a${i}` }) });
    chunks.push({ at: 145, text: chat('message_end', { metadata: { usage: { completion_tokens: 3 } } }) });
    setServer(() => ({ kind: 'response', headersAt: 40, chunks }));
    const run = startRun();
    const vu = await run.loadVu({ env: { ...BASE, TARGET: 'dify-chat', CANCEL_RATE: '1', CANCEL_AFTER: '2' } });
    vu.iterate('stream');
    expect(httpRequests().map((r) => r.url)).toEqual(['http://127.0.0.1:5001/v1/chat-messages/task-9/stop']);
    expect(run.values('sse_stop_latency')).toEqual([145 - 110]);
    expect(run.values('sse_streams_cancelled')).toEqual([1]);
    expect(run.values('sse_stream_success')).toEqual([]);
    expect(run.values('sse_errors')).toEqual([]);
  });

  test('openai-chat: the client closes the connection after CANCEL_AFTER tokens; no request is sent', async () => {
    const chunks: Chunk[] = [];
    for (let i = 0; i < 8; i++) chunks.push({ at: 100 + 10 * i, text: oa(`w${i}`) });
    chunks.push({ at: 180, text: 'data: [DONE]\n\n' });
    setServer(() => ({ kind: 'response', headersAt: 40, chunks }));
    const run = startRun();
    const vu = await run.loadVu({ env: { ...BASE, TARGET: 'openai-chat', CANCEL_RATE: '1', CANCEL_AFTER: '4' } });
    vu.iterate('stream');
    expect(httpRequests()).toEqual([]);
    expect(run.values('sse_events_per_stream')).toEqual([4]); // nothing read after the close
    expect(run.values('sse_stop_latency')).toEqual([0]);
    expect(run.values('sse_streams_cancelled')).toEqual([1]);
    expect(run.values('sse_stream_success')).toEqual([]);
    expect(run.values('sse_errors')).toEqual([]);
    expect(run.values('sse_stop_failed')).toEqual([]);
  });

  test('a timed stop (CANCEL_AFTER=45ms) is sent at the first event from 45 ms after the request started', async () => {
    setServer(() => ({ kind: 'response', headersAt: 5, chunks: workflow(8, 'stopped').map((c) => ({ at: c.at - 90, text: c.text })) }));
    const run = startRun();
    const vu = await run.loadVu({ env: { ...BASE, CANCEL_RATE: '1', CANCEL_AFTER: '45ms' } });
    vu.iterate('stream');
    expect(httpRequests().map((r) => r.sentAt - T0)).toEqual([50]);
    expect(run.values('sse_stop_latency')).toEqual([100 - 50]);
  });

  test('a stop that Dify refuses counts in sse_stop_failed, and the stream runs to its own end', async () => {
    setServer(() => ({ kind: 'response', headersAt: 40, chunks: workflow(6, 'succeeded') }));
    setHttpHandler(() => ({ status: 404, body: '{"code":"not_found"}' }));
    const run = startRun();
    const vu = await run.loadVu({ env: { ...BASE, CANCEL_RATE: '1' } });
    vu.iterate('stream');
    expect(run.values('sse_stop_failed')).toEqual([1]);
    expect(run.values('sse_stream_success')).toEqual([1]);
    expect(run.values('sse_stream_cancelled')).toEqual([0]);
    expect(run.values('sse_streams_cancelled')).toEqual([]);
  });

  test('a stream that ends before its stop is due is an ordinary stream', async () => {
    setServer(() => ({ kind: 'response', headersAt: 40, chunks: workflow(3, 'succeeded') }));
    const run = startRun();
    const vu = await run.loadVu({ env: { ...BASE, CANCEL_RATE: '1', CANCEL_AFTER: '5' } });
    vu.iterate('stream');
    expect(httpRequests()).toEqual([]);
    expect(run.values('sse_stream_success')).toEqual([1]);
    expect(run.values('sse_stream_cancelled')).toEqual([0]);
  });

  test('a stopped stream that then times out is a timeout, not a cancel', async () => {
    setServer(() => ({ kind: 'response', headersAt: 40, chunks: workflow(6, 'succeeded').slice(0, 5), end: { kind: 'silence' } }));
    const run = startRun();
    const vu = await run.loadVu({ env: { ...BASE, CANCEL_RATE: '1', CANCEL_AFTER: '2', STREAM_TIMEOUT: '1s' } });
    vu.iterate('stream');
    expect(httpRequests().length).toBe(1);
    expect(run.values('sse_errors', { error_type: 'timeout' })).toEqual([1]);
    expect(run.values('sse_stream_cancelled')).toEqual([0]);
  });
});

describe('which streams', () => {
  test('CANCEL_RATE=0.3 stops about 30 % of the iterations, the same ones on every run', async () => {
    const stopped = async (): Promise<number[]> => {
      const oneStream: Chunk[] = [];
      for (let i = 0; i < 3; i++) oneStream.push({ at: 1 + i, text: oa(`w${i}`) });
      oneStream.push({ at: 4, text: 'data: [DONE]\n\n' });
      setServer(() => ({ kind: 'response', chunks: oneStream }));
      const run = startRun();
      const vu = await run.loadVu({ env: { ...BASE, TARGET: 'openai-chat', CANCEL_RATE: '0.3', CANCEL_AFTER: '1' } });
      vu.iterate('stream', 400);
      const flags = run.values('sse_stream_cancelled');
      expect(flags.length).toBe(400);
      expect(run.sum('sse_streams_cancelled') + run.values('sse_stream_success').length).toBe(400);
      endRun();
      return flags.flatMap((f, i) => (f === 1 ? [i] : []));
    };
    const first = await stopped();
    expect(first.length / 400).toBeGreaterThan(0.25);
    expect(first.length / 400).toBeLessThan(0.35);
    expect(await stopped()).toEqual(first);
  });

  test('without CANCEL_RATE a VU makes none of the cancel metrics and requires no k6/http', async () => {
    setServer(() => ({ kind: 'response', chunks: workflow(2, 'succeeded') }));
    const run = startRun();
    const vu = await run.loadVu({ env: BASE });
    vu.iterate('stream');
    const made = runtime().metricObjects.filter((m) => m.vu === 1).map((m) => m.name);
    for (const name of ['sse_streams_cancelled', 'sse_stream_cancelled', 'sse_stop_latency', 'sse_stop_failed']) expect(made).not.toContain(name);
    expect(run.values('sse_stream_cancelled')).toEqual([]);
    expect(run.values('sse_stream_success')).toEqual([1]);
  });

  test('openai-chat makes no sse_stop_failed (it sends no stop request)', async () => {
    setServer(() => ({ kind: 'response', chunks: [{ at: 1, text: 'data: [DONE]\n\n' }] }));
    const run = startRun();
    await run.loadVu({ env: { ...BASE, TARGET: 'openai-chat', CANCEL_RATE: '0.5' } });
    const made = runtime().metricObjects.filter((m) => m.vu === 1).map((m) => m.name);
    expect(made).toContain('sse_stop_latency');
    expect(made).not.toContain('sse_stop_failed');
  });
});
