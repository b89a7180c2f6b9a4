/**
 * build/sse.js, bundled, on the k6 doubles: exact samples for recorded real-shaped
 * streams of every target, in both scenarios, with timings from a virtual clock.
 */
import { Buffer } from 'node:buffer';
import { userId } from '../lib/vu/question-pick.ts';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import {
  endRun,
  ensureBuilt,
  readFixture,
  requests,
  setServer,
  specEvents,
  splitBlocks,
  startRun,
  timedBlocks,
  type Run,
} from './k6-harness.ts';
import { FIXTURE_API_KEY, k6Summary } from '../lib/report/summary-data.fixture.ts';
import { METRIC_LIST } from '../lib/metric-defs.ts';

beforeAll(() => {
  ensureBuilt();
});
afterEach(endRun);

/** Every block of a fixture, the first at `firstAt` ms after the request start, then one per `step` ms. */
function serveFixture(name: string, opts: { headersAt?: number; firstAt?: number; step?: number } = {}): string[] {
  const blocks = splitBlocks(readFixture(name));
  setServer(() => ({ kind: 'response', headersAt: opts.headersAt ?? 40, chunks: timedBlocks(blocks, { firstAt: opts.firstAt ?? 100, step: opts.step ?? 10 }) }));
  return blocks;
}

/** UTF-8 bytes of the data of every event in a fixture (the spec parser as oracle). */
function dataBytes(name: string): number {
  return specEvents(readFixture(name)).reduce((n, e) => n + Buffer.byteLength(e.data, 'utf8'), 0);
}

/** Both per-event options on: the full gap distribution and the byte count (defaults: off). */
const EVERY_EVENT = { INTER_EVENT_SAMPLES: 'true', DATA_BYTES: 'true' } as const;

function gaps(count: number, step: number, widerAt: number[] = []): number[] {
  return Array.from({ length: count }, (_, i) => (widerAt.includes(i) ? 2 * step : step));
}

async function oneStream(env: Record<string, string>, scenario = 'stream'): Promise<Run> {
  const run = startRun();
  const vu = await run.loadVu({ env });
  vu.iterate(scenario);
  return run;
}

/** The stream samples of test/fixtures/dify-workflow.sse served by serveFixture (defaults: no per-event sample). */
const DIFY_WORKFLOW_SAMPLES = {
  sse_streams_opened: [1],
  dify_node_elapsed: [12.345, 1500, 2],
  dify_workflow_elapsed: [1750],
  sse_streams_closed: [1],
  sse_open_time: [40],
  sse_events_per_stream: [13],
  sse_ttfe: [100],
  sse_stream_duration: [130],
  sse_stream_gap_mean: [130 / 12], // 13 events over 130 ms
  sse_stream_gap_max: [20], // across the ping
  sse_ttft: [150],
  llm_output_tokens: [7], // the LLM node's usage.completion_tokens, not the 5 chunks
  llm_tokens_per_second: [(6 * 1000) / 40],
  llm_time_per_output_token: [40 / 6],
  sse_stream_success: [1],
  sse_goodput: [1],
};

describe('dify-workflow', () => {
  test('a recorded stream with a ping: every metric, exact', async () => {
    // blocks: 0 workflow_started@100, 1-3 node events, 4 ping@140, 5-9 text_chunk@150…190,
    // 10 node_finished(llm)@200, 11-12 end node, 13 workflow_finished@230 (then the client closes)
    serveFixture('dify-workflow.sse');
    const run = await oneStream({ TARGET: 'dify-workflow', ...EVERY_EVENT });
    expect(run.suiteValues()).toEqual({
      ...DIFY_WORKFLOW_SAMPLES,
      sse_inter_event_time: gaps(12, 10, [3]), // 13 events; the gap across the ping is 20
      sse_data_bytes: [dataBytes('dify-workflow.sse')],
    });
    expect(run.samples('dify_node_elapsed').map((s) => s.tags['node_type'])).toEqual(['start', 'llm', 'end']);
    for (const s of run.samples()) expect(s.tags).toMatchObject({ scenario: 'stream', target: 'dify-workflow' });
    expect(run.sum('sse_event')).toBe(14); // the extension counts the ping too
  });

  test('by default: no sample per event — per-stream gaps only, no byte count', async () => {
    serveFixture('dify-workflow.sse');
    const run = await oneStream({ TARGET: 'dify-workflow' });
    expect(run.suiteValues()).toEqual(DIFY_WORKFLOW_SAMPLES);
  });

  test('JSON_CHECK=full: the same samples, every event parsed', async () => {
    serveFixture('dify-workflow.sse');
    const structural = (await oneStream({ TARGET: 'dify-workflow' })).suiteValues();
    endRun();
    serveFixture('dify-workflow.sse');
    expect((await oneStream({ TARGET: 'dify-workflow', JSON_CHECK: 'full' })).suiteValues()).toEqual(structural);
  });

  test('SLO_TTFT below the stream\'s TTFT: the stream succeeds but is not goodput', async () => {
    serveFixture('dify-workflow.sse');
    const run = await oneStream({ TARGET: 'dify-workflow', SLO_TTFE: '100ms', SLO_TTFT: '149ms' });
    expect(run.values('sse_stream_success')).toEqual([1]);
    expect(run.values('sse_goodput')).toEqual([0]);
  });

  test('the request: POST, JSON body with the question and user, timeout, no Authorization without a key', async () => {
    serveFixture('dify-workflow.sse');
    await oneStream({ TARGET: 'dify-workflow', BASE_URL: 'http://127.0.0.1:9/prefix' });
    const [req] = requests();
    expect(req).toMatchObject({ url: 'http://127.0.0.1:9/prefix/v1/workflows/run', method: 'POST', timeoutMs: 60_000 });
    expect(req!.headers).toEqual({ Accept: 'text/event-stream', 'User-Agent': expect.any(String), 'Content-Type': 'application/json' });
    const body = JSON.parse(req!.body);
    expect(body).toEqual({ inputs: { question: expect.any(String) }, response_mode: 'streaming', user: 'sse-bench-1-0' });
  });

  test('an API key is sent as Bearer and appears in no sample', async () => {
    serveFixture('dify-workflow.sse');
    const run = await oneStream({ TARGET: 'dify-workflow', API_KEY: 'app-SECRET123' });
    expect(requests()[0]!.headers['Authorization']).toBe('Bearer app-SECRET123');
    expect(JSON.stringify(run.samples())).not.toContain('SECRET123');
    expect(JSON.stringify(requests()[0]!.tags)).not.toContain('SECRET123');
  });

  test('burst: three requests back to back, events counted, terminal detected, nothing per event', async () => {
    serveFixture('dify-workflow.sse');
    const run = await oneStream({ TARGET: 'dify-workflow' }, 'burst');
    expect(requests()).toHaveLength(3);
    expect(run.suiteValues()).toEqual({
      sse_streams_opened: [1, 1, 1],
      dify_workflow_elapsed: [1750, 1750, 1750], // workflow_finished is parsed (its status decides)
      sse_streams_closed: [1, 1, 1],
      sse_open_time: [40, 40, 40],
      sse_events_per_stream: [13, 13, 13],
      sse_ttfe: [100, 100, 100],
      sse_stream_duration: [130, 130, 130],
      sse_stream_success: [1, 1, 1],
    });
    for (const s of run.samples()) expect(s.tags['scenario']).toBe('burst');
  });
});

describe('dify-chat', () => {
  test('chat app: message events, message_end usage, close on message_end', async () => {
    // 4 message events @100…130, message_end @140
    serveFixture('dify-chat.sse');
    const run = await oneStream({ TARGET: 'dify-chat', ...EVERY_EVENT });
    expect(run.suiteValues()).toEqual({
      sse_streams_opened: [1],
      sse_inter_event_time: gaps(4, 10),
      sse_stream_gap_mean: [10],
      sse_stream_gap_max: [10],
      sse_goodput: [1],
      sse_streams_closed: [1],
      sse_open_time: [40],
      sse_events_per_stream: [5],
      sse_ttfe: [100],
      sse_stream_duration: [40],
      sse_data_bytes: [dataBytes('dify-chat.sse')],
      sse_ttft: [100],
      llm_output_tokens: [11], // message_end metadata.usage.completion_tokens
      llm_tokens_per_second: [(10 * 1000) / 30],
      llm_time_per_output_token: [30 / 10],
      sse_stream_success: [1],
    });
    expect(JSON.parse(requests()[0]!.body)).toEqual({ inputs: {}, query: expect.any(String), response_mode: 'streaming', user: 'sse-bench-1-0' });
    expect(requests()[0]!.url).toBe('http://localhost:5001/v1/chat-messages');
  });

  test('chatflow: message_end ends the answer, the client reads on to workflow_finished, then closes', async () => {
    // workflow_started@100, node_started@110, 4 messages @120…150, node_finished(llm)@160,
    // message_end@170, workflow_finished@180
    const blocks = serveFixture('dify-chatflow.sse');
    expect(blocks).toHaveLength(9);
    const run = await oneStream({ TARGET: 'dify-chat', ...EVERY_EVENT });
    expect(run.suiteValues()).toEqual({
      sse_streams_opened: [1],
      sse_inter_event_time: gaps(8, 10),
      sse_stream_gap_mean: [10],
      sse_stream_gap_max: [10],
      sse_goodput: [1],
      dify_node_elapsed: [900],
      dify_workflow_elapsed: [1100],
      sse_streams_closed: [1],
      sse_open_time: [40],
      sse_events_per_stream: [9],
      sse_ttfe: [100],
      sse_stream_duration: [80],
      sse_data_bytes: [dataBytes('dify-chatflow.sse')],
      sse_ttft: [120],
      llm_output_tokens: [11],
      llm_tokens_per_second: [(10 * 1000) / 30],
      llm_time_per_output_token: [3],
      sse_stream_success: [1],
    });
  });

  test('chatflow whose server closes after message_end: still a success', async () => {
    const blocks = splitBlocks(readFixture('dify-chatflow.sse')).slice(0, 8);
    setServer(() => ({ kind: 'response', chunks: timedBlocks(blocks, { firstAt: 100, step: 10 }) }));
    const run = await oneStream({ TARGET: 'dify-chat' });
    expect(run.values('sse_stream_success')).toEqual([1]);
    expect(run.values('sse_errors')).toEqual([]);
  });
});

describe('openai-chat', () => {
  test('role-only delta is not a token; usage chunk gives the token count; [DONE] ends', async () => {
    // role delta@100, 5 content deltas @110…150, finish@160, usage@170, [DONE]@180
    serveFixture('openai-chat.sse');
    const run = await oneStream({ TARGET: 'openai-chat', MODEL: 'gpt-4o-mini', ...EVERY_EVENT });
    expect(run.suiteValues()).toEqual({
      sse_streams_opened: [1],
      sse_inter_event_time: gaps(8, 10),
      sse_stream_gap_mean: [10],
      sse_stream_gap_max: [10],
      sse_goodput: [1],
      sse_streams_closed: [1],
      sse_open_time: [40],
      sse_events_per_stream: [9],
      sse_ttfe: [100],
      sse_stream_duration: [80],
      sse_data_bytes: [dataBytes('openai-chat.sse')],
      sse_ttft: [110],
      llm_output_tokens: [5],
      llm_tokens_per_second: [(4 * 1000) / 40],
      llm_time_per_output_token: [10],
      sse_stream_success: [1],
    });
    const req = requests()[0]!;
    expect(req.url).toBe('http://localhost:5001/v1/chat/completions');
    expect(JSON.parse(req.body)).toEqual({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: expect.any(String) }],
      stream: true,
      stream_options: { include_usage: true },
      user: 'sse-bench-1-0',
    });
  });

  test('burst: no parsing, [DONE] detected', async () => {
    serveFixture('openai-chat.sse');
    const run = await oneStream({ TARGET: 'openai-chat' }, 'burst');
    expect(run.values('sse_events_per_stream')).toEqual([9, 9, 9]);
    expect(run.values('sse_stream_success')).toEqual([1, 1, 1]);
    expect(run.values('sse_ttft')).toEqual([]);
  });
});

describe('generic', () => {
  // blocks: ": connected"@100 (keep-alive), tick@110, tick (2 data lines)@120, ": keep-alive"@130, data n=3 @140
  test('ends when the server closes: success, every non-keep-alive event is content', async () => {
    serveFixture('generic.sse');
    const run = await oneStream({ TARGET: 'generic', BASE_URL: 'http://127.0.0.1:9', ENDPOINT: '/events', ...EVERY_EVENT });
    expect(run.suiteValues()).toEqual({
      sse_streams_opened: [1],
      sse_inter_event_time: [10, 20],
      sse_stream_gap_mean: [15],
      sse_stream_gap_max: [20],
      sse_goodput: [1],
      sse_streams_closed: [1],
      sse_open_time: [40],
      sse_events_per_stream: [3],
      sse_ttfe: [110],
      sse_stream_duration: [30],
      sse_data_bytes: [5 + 17 + 7],
      sse_ttft: [110],
      llm_output_tokens: [3],
      llm_tokens_per_second: [(2 * 1000) / 30],
      llm_time_per_output_token: [15],
      sse_stream_success: [1],
    });
    const req = requests()[0]!;
    expect(req).toMatchObject({ url: 'http://127.0.0.1:9/events', method: 'GET', body: '' });
    expect(req.headers['Content-Type']).toBeUndefined();
  });

  test('MAX_EVENTS: the client closes after that many events', async () => {
    serveFixture('generic.sse');
    const run = await oneStream({ TARGET: 'generic', MAX_EVENTS: '2' });
    expect(run.values('sse_events_per_stream')).toEqual([2]);
    expect(run.values('sse_stream_success')).toEqual([1]);
    expect(run.samples('http_req_duration')[0]!.value).toBe(120); // closed at the second event
  });

  test('POST with a JSON BODY gets Content-Type: application/json', async () => {
    serveFixture('generic.sse');
    await oneStream({ TARGET: 'generic', METHOD: 'POST', BODY: '{"q":1}' });
    expect(requests()[0]).toMatchObject({ method: 'POST', body: '{"q":1}' });
    expect(requests()[0]!.headers['Content-Type']).toBe('application/json');
  });
});

describe('VUs and iterations', () => {
  test('each VU is its own module instance; opened − closed = 0; users and questions per iteration', async () => {
    serveFixture('dify-workflow.sse');
    const run = startRun();
    const vu1 = await run.loadVu({ env: {} });
    const vu2 = await run.loadVu({ env: {} });
    expect(vu1.module).not.toBe(vu2.module);
    vu1.iterate('stream', 3);
    vu2.iterate('stream', 2);
    vu1.iterate('burst', 1);
    const users = requests().map((r) => JSON.parse(r.body).user);
    // <prefix>-<VU in the test>-<the VU's iteration>: k6's __ITER counts over every scenario of the VU,
    // so a user never repeats within a VU; a burst iteration's requests share their user.
    expect(users).toEqual(['sse-bench-1-0', 'sse-bench-1-1', 'sse-bench-1-2', 'sse-bench-2-0', 'sse-bench-2-1', 'sse-bench-1-3', 'sse-bench-1-3', 'sse-bench-1-3']);
    // userId's format (what preflight and the fake Dify use too).
    expect(users[5]).toBe(userId('sse-bench', 1, 3));
    const questions = new Set(requests().map((r) => JSON.parse(r.body).inputs.question));
    expect(questions.size).toBeGreaterThan(1);
    expect(run.sum('sse_streams_opened')).toBe(8);
    expect(run.sum('sse_streams_closed')).toBe(8);
    expect(run.values('sse_stream_success')).toEqual(Array(8).fill(1));
    expect(new Set(run.samples('sse_ttfe').map((s) => s.vu))).toEqual(new Set([1, 2]));
  });

  test("k6's --vus/--duration shortcut: one scenario named `default` runs the default export, the stream function", async () => {
    serveFixture('dify-workflow.sse');
    const run = startRun();
    const vu = await run.loadVu({ env: {} });
    vu.iterate('default', 2); // no `default` in options.scenarios: the harness runs the default export, as k6 does
    expect(run.values('sse_stream_success', { scenario: 'default', target: 'dify-workflow' })).toEqual([1, 1]);
    expect(run.values('sse_stream_gap_max', { scenario: 'default' })).toEqual([20, 20]); // stream mode, not burst
    expect(requests().map((r) => JSON.parse(r.body).user)).toEqual(['sse-bench-1-0', 'sse-bench-1-1']);
  });

  test('QUESTIONS_FILE is read once through open() and shared', async () => {
    serveFixture('dify-workflow.sse');
    const run = startRun();
    const files = { '/data/q.txt': 'only question\n\n' };
    const vu = await run.loadVu({ env: { QUESTIONS_FILE: '/data/q.txt' }, files });
    vu.iterate('stream', 2);
    expect(requests().map((r) => JSON.parse(r.body).inputs.question)).toEqual(['only question', 'only question']);
  });
});

describe('init context', () => {
  test('a bad TARGET stops the script at import with the config error, before any request', async () => {
    setServer(() => {
      throw new Error('no request expected');
    });
    const run = startRun();
    await expect(run.loadVu({ env: { TARGET: 'dify' } })).rejects.toThrow(/TARGET.*dify-workflow/s);
    expect(requests()).toHaveLength(0);
  });

  test('options carry the test-wide target tag and both scenarios', async () => {
    const run = startRun();
    const vu = await run.loadVu({ env: { TARGET: 'openai-chat' } });
    expect(vu.options?.tags).toEqual({ target: 'openai-chat' });
    expect(Object.keys(vu.options?.scenarios ?? {}).sort()).toEqual(['burst', 'stream']);
    expect(typeof vu.module['default']).toBe('function');
    expect(typeof vu.module['handleSummary']).toBe('function');
  });

  test('handleSummary (its report code loaded only then) writes stdout and the three reports, without the key', async () => {
    const run = startRun();
    const env = { TARGET: 'dify-workflow', API_KEY: FIXTURE_API_KEY, REPORTS_DIR: 'out' };
    await run.loadVu({ env });
    const outputs = await run.handleSummary(k6Summary(), { env });
    expect(Object.keys(outputs).sort()).toEqual(['out/benchmark_20260101_000000.json', 'out/benchmark_20260101_000000.txt', 'out/benchmark_20260101_000000.xml', 'stdout']);
    expect(outputs['stdout']).toContain('sse_ttfe');
    expect(JSON.parse(outputs['out/benchmark_20260101_000000.json']!).schema).toMatch(/^sse-bench\/report@/);
    for (const text of Object.values(outputs)) expect(text).not.toContain(FIXTURE_API_KEY);
  });
});

describe('phases: what runs once per test and what runs per VU', () => {
  afterEach(endRun);

  test('a VU (__VU ≥ 1) never evaluates the init module: a bad setting stops the run in k6\'s own instance, before any VU', async () => {
    const run = startRun();
    await expect(run.loadVu({ env: { TARGET: 'dify' } })).rejects.toThrow(/TARGET.*dify-workflow/s);
    expect(run.samples()).toEqual([]); // nothing sent, nothing recorded
  });

  test('VUs read options, plan and questions from the once-per-test instance; their own export is empty', async () => {
    const run = startRun();
    const vu = await run.loadVu({ env: { TARGET: 'openai-chat' } });
    expect(vu.module['options']).toEqual({});
    expect(vu.options?.tags).toEqual({ target: 'openai-chat' });
  });

  test('a VU creates only the metrics its configuration can record; the options instance creates all', async () => {
    const { runtime } = await import('./doubles/runtime.ts');
    const made = (vu: number): string[] => runtime().metricObjects.filter((m) => m.vu === vu).map((m) => m.name).sort();
    const run = startRun();
    await run.loadVu({ env: { TARGET: 'openai-chat' } });
    const all = METRIC_LIST.map((m) => m.name).sort();
    expect(made(0)).toEqual(all); // the options instance: every metric, so a threshold on any of them is valid
    const WORKLOAD = ['sse_prompt_chars', 'llm_answer_tokens', 'sse_conversations_started', 'sse_conversations_completed', 'sse_turns_per_conversation'];
    const CANCEL = ['sse_streams_cancelled', 'sse_stream_cancelled', 'sse_stop_latency', 'sse_stop_failed'];
    expect(made(1)).toEqual(all.filter((n) => !['dify_node_elapsed', 'dify_workflow_elapsed', 'sse_inter_event_time', 'sse_data_bytes', ...WORKLOAD, ...CANCEL].includes(n)));
    const dify = startRun();
    await dify.loadVu({ env: { TARGET: 'dify-chat', INTER_EVENT_SAMPLES: 'true', DATA_BYTES: 'true' } });
    expect(made(1)).toEqual(all.filter((n) => ![...WORKLOAD, ...CANCEL].includes(n)));
    const conversations = startRun();
    await conversations.loadVu({ env: { TARGET: 'dify-chat', TURNS: '2', INTER_EVENT_SAMPLES: 'true', DATA_BYTES: 'true', CANCEL_RATE: '0.5' } });
    expect(made(1)).toEqual(all); // TURNS > 1: the prompt/answer lengths and the conversation counts; CANCEL_RATE: the cancel metrics
  });
});
