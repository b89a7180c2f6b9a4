/**
 * build/sse.js on the k6 doubles: every fault of the issue lands in exactly one
 * `error_type`, counted once, success 0, opened == closed, and no VU hangs (the
 * double throws where the real VU would block forever).
 */
import { afterEach, beforeAll, beforeEach, describe, expect, test, vi, type MockInstance } from 'vitest';
import { NO_BODY_NOTE, parseFailureLogMessage } from '../lib/vu/failure-log.ts';
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

describe('why a stream failed: one k6 warning per error type and VU, with the reason', () => {
  let warnings: string[] = [];
  let spy: MockInstance<(...args: unknown[]) => void> | null = null;
  beforeEach(() => {
    warnings = [];
    spy = vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
      warnings.push(args.map(String).join(' '));
    });
  });
  afterEach(() => {
    spy?.mockRestore();
  });

  test('a refused connection: the Go error text, once however many streams fail', async () => {
    setServer(() => ({ kind: 'refused' }));
    const run = startRun();
    const vu = await run.loadVu({ env: { ...ENV, BASE_URL: 'http://127.0.0.1:9' } });
    vu.iterate('stream', 3);
    vu.iterate('burst');
    expectFailedOnce(run, 'connection_error', 6);
    expect(warnings).toEqual(['sse-bench failure error_type=connection_error: Post "http://127.0.0.1:9/v1/workflows/run": dial tcp 127.0.0.1:9: connect: connection refused']);
    expect(parseFailureLogMessage(warnings[0]!)).toEqual({ errorType: 'connection_error', reason: expect.stringContaining('connection refused') });
  });

  test('each VU logs its own first failure', async () => {
    setServer(() => ({ kind: 'refused' }));
    const run = startRun();
    for (const vu of [await run.loadVu({ env: ENV }), await run.loadVu({ env: ENV })]) vu.iterate('stream', 2);
    expect(warnings).toHaveLength(2);
  });

  test('a TLS failure (private CA): the certificate error, not just connection_error', async () => {
    const error = 'Post "https://dify.internal/v1/workflows/run": tls: failed to verify certificate: x509: certificate signed by unknown authority';
    const run = await runWith({ kind: 'refused', error });
    expectFailedOnce(run, 'connection_error');
    expect(warnings).toEqual([`sse-bench failure error_type=connection_error: ${error}`]);
  });

  test("a 401: the status and Dify's error body; the API key never appears", async () => {
    const body = '{"code": "unauthorized", "message": "Access token is invalid", "status": 401}\n'; // Flask ends JSON with a newline
    setServer(() => ({ kind: 'response', status: 401, headers: { 'content-type': 'application/json' }, chunks: [{ at: 5, text: body }] }));
    const run = startRun();
    const vu = await run.loadVu({ env: { ...ENV, API_KEY: 'app-NOTAREALKEY' } });
    vu.iterate('stream');
    expect(warnings).toEqual(['sse-bench failure error_type=http_4xx: status 401: {"code": "unauthorized", "message": "Access token is invalid", "status": 401}']);
  });

  test('a 401 whose JSON body has no final newline (vLLM, FastAPI): xk6-sse hands over nothing, and the reason says so', async () => {
    const body = '{"error": {"message": "Invalid API key", "type": "invalid_request_error", "code": 401}}';
    setServer(() => ({ kind: 'response', status: 401, headers: { 'content-type': 'application/json' }, chunks: [{ at: 5, text: body }] }));
    const run = startRun();
    const vu = await run.loadVu({ env: { ...ENV, TARGET: 'openai-chat' } });
    vu.iterate('stream');
    expect(warnings).toEqual([`sse-bench failure error_type=http_4xx: status 401 ${NO_BODY_NOTE}`]);
  });

  test('a body that echoes the key: replaced before it is logged', async () => {
    const body = 'invalid key app-NOTAREALKEY\n';
    setServer(() => ({ kind: 'response', status: 403, headers: { 'content-type': 'text/plain' }, chunks: [{ at: 5, text: body }] }));
    const run = startRun();
    const vu = await run.loadVu({ env: { ...ENV, API_KEY: 'app-NOTAREALKEY' } });
    vu.iterate('stream');
    expect(warnings).toEqual(['sse-bench failure error_type=http_4xx: status 403: invalid key [REDACTED]']);
  });

  test('a Dify error event: the event itself', async () => {
    const error = 'data: {"event": "error", "task_id": "t", "status": 400, "code": "completion_request_error", "message": "quota exceeded"}\n\n';
    const run = await runWith({ kind: 'response', chunks: chunks([...WORKFLOW.slice(0, 3), error]) });
    expectFailedOnce(run, 'server_error_event');
    expect(warnings).toEqual([`sse-bench failure error_type=server_error_event: ${error.slice('data: '.length).trim()}`]);
  });

  test('invalid JSON: the offending data; a reset mid-stream: the read error', async () => {
    const run1 = await runWith({ kind: 'response', chunks: chunks([...WORKFLOW.slice(0, 5), 'data: {"event": "text_chunk", "data": {"text": "cut\n\n', ...WORKFLOW.slice(5)]) });
    expectFailedOnce(run1, 'invalid_json');
    endRun();
    const run2 = await runWith({ kind: 'response', chunks: chunks(WORKFLOW.slice(0, 5)), end: { kind: 'reset', at: 300, error: 'read tcp 127.0.0.1:40000->127.0.0.1:5001: read: connection reset by peer' } });
    expectFailedOnce(run2, 'protocol_error');
    expect(warnings).toEqual([
      'sse-bench failure error_type=invalid_json: {"event": "text_chunk", "data": {"text": "cut',
      'sse-bench failure error_type=protocol_error: read tcp 127.0.0.1:40000->127.0.0.1:5001: read: connection reset by peer',
    ]);
  });

  test('a successful run logs nothing', async () => {
    await runWith({ kind: 'response', chunks: chunks(WORKFLOW) });
    expect(warnings).toEqual([]);
  });
});
