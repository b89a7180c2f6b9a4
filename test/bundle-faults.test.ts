/**
 * build/sse.js on the k6 doubles: every fault of the issue lands in exactly one
 * `error_type`, counted once, success 0, opened == closed, and no VU hangs (the
 * double throws where the real VU would block forever).
 */
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { endRun, ensureBuilt, readFixture, setServer, splitBlocks, startRun, timedBlocks, type Run, type ServerScript } from './k6-harness.ts';

beforeAll(() => {
  ensureBuilt();
});
afterEach(endRun);

const WORKFLOW = splitBlocks(readFixture('dify-workflow.sse')); // 14 blocks, the last is workflow_finished
const ENV = { TARGET: 'dify-workflow', STREAM_TIMEOUT: '2s' };

async function runWith(script: ServerScript, env: Record<string, string> = ENV, scenario = 'stream'): Promise<Run> {
  setServer(() => script);
  const run = startRun();
  const vu = await run.loadVu({ env });
  vu.iterate(scenario);
  return run;
}

/** The stream failed once, with this type, and was closed. */
function expectFailedOnce(run: Run, errorType: string, streams = 1): void {
  expect(run.samples('sse_errors').map((s) => [s.value, s.tags['error_type']])).toEqual(Array(streams).fill([1, errorType]));
  expect(run.values('sse_stream_success')).toEqual(Array(streams).fill(0));
  expect(run.sum('sse_streams_opened')).toBe(streams);
  expect(run.sum('sse_streams_closed')).toBe(streams);
}

function chunks(blocks: readonly string[], step = 10): { at: number; text: string }[] {
  return timedBlocks(blocks, { firstAt: 100, step });
}

describe('before the response', () => {
  test('connection refused → connection_error; no handler ran, so no stream samples', async () => {
    const run = await runWith({ kind: 'refused' });
    expectFailedOnce(run, 'connection_error');
    expect(run.values('sse_open_time')).toEqual([]);
    expect(run.values('sse_events_per_stream')).toEqual([]);
  });

  test("k6's throw option: a refused connection fails the iteration (burst sends no more) and is still counted", async () => {
    setServer(() => ({ kind: 'refused' }));
    const run = startRun({ throw: true });
    const vu = await run.loadVu({ env: ENV });
    expect(() => vu.iterate('burst')).toThrow(/connection refused/);
    expectFailedOnce(run, 'connection_error');
  });

  test('no headers before STREAM_TIMEOUT → timeout, after exactly the timeout', async () => {
    const run = await runWith({ kind: 'response', headersAt: 5_000, chunks: chunks(WORKFLOW) });
    expectFailedOnce(run, 'timeout');
    expect(run.samples('sse_streams_closed')[0]!.time - run.samples('sse_streams_opened')[0]!.time).toBe(2_000);
  });
});

describe('the response', () => {
  test.each([
    [401, 'http_4xx'],
    [404, 'http_4xx'],
    [429, 'http_4xx'],
    [500, 'http_5xx'],
    [503, 'http_5xx'],
  ])('HTTP %i with a JSON error body → %s', async (status, type) => {
    const run = await runWith({
      kind: 'response',
      status,
      headers: { 'content-type': 'application/json' },
      chunks: [{ at: 5, text: '{"code": "unauthorized", "message": "Access token is invalid", "status": 401}' }],
    });
    expectFailedOnce(run, type);
    expect(run.values('sse_open_time')).toEqual([0]);
    expect(run.values('sse_ttfe')).toEqual([]);
  });

  test('HTTP 500 whose body is a whole SSE stream is still http_5xx, without stream samples', async () => {
    const run = await runWith({ kind: 'response', status: 500, chunks: chunks(WORKFLOW) });
    expectFailedOnce(run, 'http_5xx');
    expect(run.values('sse_events_per_stream')).toEqual([]);
    expect(run.values('sse_ttfe')).toEqual([]);
  });

  test('200 that is not text/event-stream → invalid_response (header name in any case)', async () => {
    const run = await runWith({ kind: 'response', headers: { 'CONTENT-TYPE': 'application/json' }, chunks: [{ at: 5, text: '{"answer": "x"}\n' }] });
    expectFailedOnce(run, 'invalid_response');
  });

  test('text/event-stream with parameters is accepted', async () => {
    const run = await runWith({ kind: 'response', headers: { 'Content-Type': 'text/event-stream; charset=utf-8' }, chunks: chunks(WORKFLOW) });
    expect(run.values('sse_stream_success')).toEqual([1]);
  });
});

describe('inside the stream', () => {
  test('invalid JSON in data → invalid_json once, the stream runs to its end', async () => {
    const bad = ['data: {"event": "text_chunk", "data": {"text": "unterminated\n\n', 'data: not json at all\n\n'];
    const blocks = [...WORKFLOW.slice(0, 5), ...bad, ...WORKFLOW.slice(5)];
    const run = await runWith({ kind: 'response', chunks: chunks(blocks) });
    expectFailedOnce(run, 'invalid_json');
    expect(run.values('sse_events_per_stream')).toEqual([15]);
    expect(run.values('dify_workflow_elapsed')).toEqual([1750]);
  });

  test('burst: invalid JSON is caught when the type sniff fails', async () => {
    const blocks = [...WORKFLOW.slice(0, 5), 'data: not json at all\n\n', ...WORKFLOW.slice(5)];
    const run = await runWith({ kind: 'response', chunks: chunks(blocks) }, ENV, 'burst');
    expectFailedOnce(run, 'invalid_json', 3);
  });

  test('unknown field lines: the stream continues and is not failed', async () => {
    const blocks = [...WORKFLOW.slice(0, 3), 'foo: bar\n', 'x-custom: 1\n\n', ...WORKFLOW.slice(3)];
    const run = await runWith({ kind: 'response', chunks: chunks(blocks) });
    expect(run.values('sse_stream_success')).toEqual([1]);
    expect(run.values('sse_errors')).toEqual([]);
    expect(run.values('sse_events_per_stream')).toEqual([13]);
  });

  test('connection reset mid-stream → protocol_error, the handler closes (else the double throws)', async () => {
    const run = await runWith({ kind: 'response', chunks: chunks(WORKFLOW.slice(0, 7)), end: { kind: 'reset', at: 300, error: 'unexpected EOF' } });
    expectFailedOnce(run, 'protocol_error');
    expect(run.values('sse_events_per_stream')).toEqual([6]);
    expect(run.samples('sse_streams_closed')[0]!.time - run.samples('sse_streams_opened')[0]!.time).toBe(300);
  });

  test('STREAM_TIMEOUT passing while events flow → timeout, closed at the deadline', async () => {
    const run = await runWith({ kind: 'response', chunks: timedBlocks(WORKFLOW, { firstAt: 100, step: 200 }) });
    expectFailedOnce(run, 'timeout');
    expect(run.values('sse_events_per_stream')).toEqual([9]); // 100…1900 ms: 10 blocks, one a ping
    expect(run.samples('sse_streams_closed')[0]!.time - run.samples('sse_streams_opened')[0]!.time).toBe(2_000);
  });

  test('headers then silence → timeout at STREAM_TIMEOUT', async () => {
    const run = await runWith({ kind: 'response', chunks: [], end: { kind: 'silence' } });
    expectFailedOnce(run, 'timeout');
    expect(run.values('sse_events_per_stream')).toEqual([0]);
    expect(run.values('sse_ttfe')).toEqual([]);
  });

  test('a stream that ends without its terminal event → early_termination', async () => {
    const run = await runWith({ kind: 'response', chunks: chunks(WORKFLOW.slice(0, 10)) });
    expectFailedOnce(run, 'early_termination');
  });

  test('a Dify error event → server_error_event, the client closes at once', async () => {
    const blocks = [...splitBlocks(readFixture('dify-error.sse')), ...WORKFLOW.slice(4)];
    const run = await runWith({ kind: 'response', chunks: chunks(blocks) });
    expectFailedOnce(run, 'server_error_event');
    expect(run.values('sse_events_per_stream')).toEqual([5]);
  });

  test('workflow_finished with status failed → server_error_event', async () => {
    const run = await runWith({ kind: 'response', chunks: chunks(splitBlocks(readFixture('dify-workflow-failed.sse'))) });
    expectFailedOnce(run, 'server_error_event');
    expect(run.values('dify_workflow_elapsed')).toEqual([1750]);
  });

  test('burst: a failed workflow is detected too (the terminal event is parsed)', async () => {
    const run = await runWith({ kind: 'response', chunks: chunks(splitBlocks(readFixture('dify-workflow-failed.sse'))) }, ENV, 'burst');
    expectFailedOnce(run, 'server_error_event', 3);
  });

  test('the first fault decides: invalid JSON, then a reset → invalid_json', async () => {
    const blocks = [...WORKFLOW.slice(0, 3), 'data: {oops\n\n'];
    const run = await runWith({ kind: 'response', chunks: chunks(blocks), end: { kind: 'reset', at: 500 } });
    expectFailedOnce(run, 'invalid_json');
  });

  test('an openai stream that fails mid-way with an error chunk → server_error_event', async () => {
    const blocks = [...splitBlocks(readFixture('openai-chat.sse')).slice(0, 3), 'data: {"error":{"message":"overloaded","type":"server_error","code":null}}\n\n'];
    const run = await runWith({ kind: 'response', chunks: chunks(blocks) }, { TARGET: 'openai-chat' });
    expectFailedOnce(run, 'server_error_event');
  });

  test('generic: a server that closes without any event → early_termination', async () => {
    const run = await runWith({ kind: 'response', chunks: [{ at: 10, text: ': hello\n\n' }] }, { TARGET: 'generic' });
    expectFailedOnce(run, 'early_termination');
  });

  test('CRLF stream: `ping\\r` is a keep-alive, events are counted, the terminal is seen', async () => {
    const crlf = WORKFLOW.map((b) => b.replace(/\n/g, '\r\n'));
    const run = await runWith({ kind: 'response', chunks: chunks(crlf) });
    expect(run.values('sse_stream_success')).toEqual([1]);
    expect(run.values('sse_events_per_stream')).toEqual([13]);
    expect(run.values('sse_ttfe')).toEqual([100]);
  });
});
