import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer, type MockServer } from './server.ts';
import { payloads, sseRequest } from './sse-test-client.ts';

// Knobs at 0 ms: the whole stream is written at once, so nothing here depends on real time.
let server: MockServer;
beforeAll(async () => {
  server = await startMockServer({ port: 0, ttfeMs: 0, ttftMs: 0, tokenIntervalMs: 0, tokens: 5, pingIntervalMs: 0, seed: 'server-test' });
});
afterAll(() => server.close());

const workflowBody = { inputs: { query: 'What is AI?' }, user: 'bench', response_mode: 'streaming' };
const chatBody = { query: 'What is AI?', inputs: {}, user: 'bench', response_mode: 'streaming', conversation_id: '' };
const openaiBody = { model: 'gpt-x', messages: [{ role: 'user', content: 'What is AI?' }], stream: true };

const S = expect.any(String);
const N = expect.any(Number);

/** Drops the fields that carry wall-clock time. */
function withoutTimes(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (key, v: unknown) =>
    ['created_at', 'finished_at', 'elapsed_time', 'latency', 'created'].includes(key) ? undefined : v,
  );
}

describe('POST /v1/workflows/run (streaming)', () => {
  it('sends start → LLM → end events in order with Dify field names and types', async () => {
    const r = await sseRequest(`${server.url}/v1/workflows/run`, { body: workflowBody });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(r.ending).toBe('end');
    expect(r.errors).toEqual([]);
    for (const e of r.events) {
      expect(e.event).toBeUndefined(); // Dify sends no `event:` line, the type is in the JSON
      expect(e.id).toBeUndefined();
    }
    const p = payloads(r);
    expect(p.map((e) => e.event)).toEqual([
      'workflow_started',
      'node_started',
      'node_finished',
      'node_started',
      ...Array<string>(5).fill('text_chunk'),
      'node_finished',
      'node_started',
      'node_finished',
      'workflow_finished',
    ]);
    const taskId = p[0]?.task_id;
    const runId = p[0]?.workflow_run_id;
    expect(taskId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    for (const e of p) expect(e).toMatchObject({ task_id: taskId, workflow_run_id: runId });
    expect(p[0]).toMatchObject({ data: { id: runId, workflow_id: S, inputs: workflowBody.inputs, created_at: N } });
    const nodeStarted = { id: S, node_id: S, node_type: S, title: S, index: N, inputs: expect.any(Object), created_at: N };
    expect(p[1]).toMatchObject({ data: { ...nodeStarted, node_id: 'start', index: 1, predecessor_node_id: null } });
    expect(p[3]).toMatchObject({ data: { ...nodeStarted, node_id: 'llm', node_type: 'llm', index: 2, predecessor_node_id: 'start' } });
    const llmFinished = p[9];
    expect(llmFinished).toMatchObject({
      data: {
        ...nodeStarted,
        node_id: 'llm',
        status: 'succeeded',
        error: null,
        elapsed_time: N,
        process_data: expect.any(Object),
        outputs: { text: S },
        execution_metadata: { total_tokens: N, total_price: N, currency: 'USD' },
        finished_at: N,
      },
    });
    const chunks = p.filter((e) => e.event === 'text_chunk');
    for (const c of chunks) expect(c.data).toEqual({ text: S, from_variable_selector: ['llm', 'text'] });
    const answer = chunks.map((c) => (c.data as { text: string }).text).join('');
    expect(p.at(-1)).toMatchObject({
      event: 'workflow_finished',
      data: {
        id: runId,
        workflow_id: S,
        status: 'succeeded',
        outputs: { text: answer },
        error: null,
        elapsed_time: N,
        total_tokens: N,
        total_steps: 3,
        created_at: N,
        finished_at: N,
      },
    });
  });

  it('X-Mock-Tokens sets the number of text_chunk events, 0 included', async () => {
    for (const tokens of [0, 1, 37]) {
      const r = await sseRequest(`${server.url}/v1/workflows/run`, { body: workflowBody, headers: { 'X-Mock-Tokens': String(tokens) } });
      const names = payloads(r).map((e) => e.event);
      expect(names.filter((n) => n === 'text_chunk')).toHaveLength(tokens);
      expect(names.at(-1)).toBe('workflow_finished');
    }
  });

  it('sends `event: ping` keep-alives with no data between tokens', async () => {
    const r = await sseRequest(`${server.url}/v1/workflows/run`, {
      body: workflowBody,
      headers: { 'X-Mock-Tokens': '2', 'X-Mock-Token-Interval-Ms': '60', 'X-Mock-Ping-Interval-Ms': '5' },
    });
    // A spec-compliant parser dispatches no event for a block without data, so pings are read from the text.
    const blocks = r.text.split('\n\n').filter((b) => b !== '');
    const kinds = blocks.map((b) => (b === 'event: ping' ? 'ping' : (JSON.parse(b.slice('data: '.length)) as { event: string }).event));
    const first = kinds.indexOf('text_chunk');
    const second = kinds.indexOf('text_chunk', first + 1);
    expect(kinds.slice(first + 1, second)).toContain('ping'); // pings are due every 5 ms of the 60 ms gap
    expect(kinds.slice(0, first)).not.toContain('ping');
    expect(r.events).toHaveLength(blocks.length - kinds.filter((k) => k === 'ping').length);
  });
});

describe('POST /v1/chat-messages (streaming)', () => {
  it('sends one message per token, then message_end with usage, all under the conversation it continues', async () => {
    const opened = payloads(await sseRequest(`${server.url}/v1/chat-messages`, { body: chatBody }));
    const id = String(opened[0]?.conversation_id);
    const r = await sseRequest(`${server.url}/v1/chat-messages`, { body: { ...chatBody, conversation_id: id } });
    expect(r.status).toBe(200);
    const p = payloads(r);
    expect(p.map((e) => e.event)).toEqual([...Array<string>(5).fill('message'), 'message_end']);
    const base = { task_id: S, message_id: S, conversation_id: id, created_at: N };
    for (const m of p.slice(0, 5)) expect(m).toMatchObject({ ...base, id: m.message_id, answer: S });
    expect(p[5]).toMatchObject({
      ...base,
      id: p[0]?.message_id,
      metadata: {
        usage: { prompt_tokens: N, completion_tokens: 5, total_tokens: N, total_price: S, currency: 'USD', latency: N },
        retriever_resources: [],
      },
    });
  });

  it('creates a conversation id when none is given', async () => {
    const p = payloads(await sseRequest(`${server.url}/v1/chat-messages`, { body: chatBody }));
    expect(p[0]?.conversation_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(p.every((e) => e.conversation_id === p[0]?.conversation_id)).toBe(true);
  });

  it('answers an unknown conversation_id (or another user\'s) with Dify\'s 404, before any stream', async () => {
    const before = server.stats();
    const unknown = await sseRequest(`${server.url}/v1/chat-messages`, { body: { ...chatBody, conversation_id: '00000000-0000-4000-8000-000000000000' } });
    expect(unknown.status).toBe(404);
    expect(unknown.text).toBe('{"code":"not_found","message":"Conversation Not Exists.","status":404}\n');
    const id = String(payloads(await sseRequest(`${server.url}/v1/chat-messages`, { body: chatBody }))[0]?.conversation_id);
    const other = await sseRequest(`${server.url}/v1/chat-messages`, { body: { ...chatBody, user: 'someone-else', conversation_id: id } });
    expect(other.status).toBe(404);
    expect(server.stats().conversations).toMatchObject({ created: before.conversations.created + 1, unknown: before.conversations.unknown + 2 });
    expect(server.stats().streamsStarted).toBe(before.streamsStarted + 1);
  });
});

describe('what a request asks of the model', () => {
  it('OpenAI max_tokens sets the answer length; a bad one is a 400', async () => {
    const body = { model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true, max_tokens: 3 };
    const r = await sseRequest(`${server.url}/v1/chat/completions`, { body });
    const contents = r.events.filter((e) => e.data.includes('"content":"') && !e.data.includes('"content":""'));
    expect(contents).toHaveLength(3);
    const bad = await sseRequest(`${server.url}/v1/chat/completions`, { body: { ...body, max_tokens: 0 } });
    expect(bad.status).toBe(400);
  });

  it('Dify inputs.max_tokens sets the answer length', async () => {
    const p = payloads(await sseRequest(`${server.url}/v1/chat-messages`, { body: { ...chatBody, inputs: { max_tokens: 2 } } }));
    expect(p.map((e) => e.event)).toEqual(['message', 'message', 'message_end']);
  });

  it('onRequest sees every accepted API request with its body', async () => {
    const seen: { path: string; body: Record<string, unknown> }[] = [];
    const observed = await startMockServer({ host: '127.0.0.1', port: 0, pingIntervalMs: 0, ttfeMs: 0, ttftMs: 0, tokens: 1, tokenIntervalMs: 0, onRequest: (r) => seen.push(r) });
    try {
      await sseRequest(`${observed.url}/v1/chat-messages`, { body: chatBody });
    } finally {
      await observed.close();
    }
    expect(seen).toEqual([{ path: '/v1/chat-messages', body: chatBody }]);
  });
});

describe('POST /v1/chat/completions (streaming)', () => {
  it('sends the role delta, one delta per token, the finish chunk and [DONE]', async () => {
    const r = await sseRequest(`${server.url}/v1/chat/completions`, { body: openaiBody });
    expect(r.status).toBe(200);
    expect(r.events.at(-1)?.data).toBe('[DONE]');
    const p = payloads(r);
    expect(p).toHaveLength(7);
    for (const c of p) expect(c).toMatchObject({ id: expect.stringMatching(/^chatcmpl-/), object: 'chat.completion.chunk', created: N, model: 'gpt-x' });
    expect(p[0]?.choices).toEqual([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]);
    for (const c of p.slice(1, 6)) expect(c.choices).toEqual([{ index: 0, delta: { content: S }, logprobs: null, finish_reason: null }]);
    expect(p[6]?.choices).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]);
    expect(p.some((c) => 'usage' in c)).toBe(false);
  });

  it('adds the usage chunk with stream_options.include_usage', async () => {
    const r = await sseRequest(`${server.url}/v1/chat/completions`, { body: { ...openaiBody, stream_options: { include_usage: true } } });
    const p = payloads(r);
    expect(p.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: N, completion_tokens: 5, total_tokens: N } });
    expect(r.events.at(-1)?.data).toBe('[DONE]');
  });

  it('uses the --model name when the request names none; sends no pings', async () => {
    const r = await sseRequest(`${server.url}/v1/chat/completions`, {
      body: { messages: openaiBody.messages, stream: true },
      headers: { 'X-Mock-Model': 'other', 'X-Mock-Ping-Interval-Ms': '1', 'X-Mock-Tokens': '2', 'X-Mock-Token-Interval-Ms': '20' },
    });
    expect(payloads(r)[0]?.model).toBe('other');
    expect(r.text).not.toContain('ping');
  });
});

describe('chunk framing', () => {
  // Tokens 1 ms apart: each is a write of its own, sized without Buffer.byteLength when ASCII.
  const apart = { 'X-Mock-Tokens': '3', 'X-Mock-Token-Interval-Ms': '1' };
  it('sizes token-only chunks in bytes, ASCII or not', async () => {
    const wide = await sseRequest(`${server.url}/v1/chat/completions`, { body: { ...openaiBody, model: 'mödel-✓' }, headers: apart });
    expect([wide.ending, wide.errors]).toEqual(['end', []]);
    expect(payloads(wide).map((c) => c.model)).toEqual(Array<string>(5).fill('mödel-✓'));
    const ascii = await sseRequest(`${server.url}/v1/workflows/run`, { body: workflowBody, headers: apart });
    expect([ascii.ending, ascii.errors]).toEqual(['end', []]);
    expect(payloads(ascii).filter((e) => e.event === 'text_chunk')).toHaveLength(3);
  });
});

describe('blocking and plain JSON endpoints', () => {
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${server.url}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
    return { status: res.status, type: res.headers.get('content-type'), json: (await res.json()) as Record<string, unknown> };
  };

  it('workflow blocking (also the default response_mode) returns the run result', async () => {
    for (const body of [{ ...workflowBody, response_mode: 'blocking' }, { inputs: {}, user: 'u' }]) {
      const r = await post('/v1/workflows/run', body);
      expect(r.status).toBe(200);
      expect(r.type).toBe('application/json');
      expect(r.json).toMatchObject({
        task_id: S,
        workflow_run_id: S,
        data: { id: r.json.workflow_run_id, workflow_id: S, status: 'succeeded', outputs: { text: S }, error: null, elapsed_time: N, total_tokens: N, total_steps: 3, created_at: N, finished_at: N },
      });
    }
  });

  it('chat blocking returns the message', async () => {
    const r = await post('/v1/chat-messages', { ...chatBody, response_mode: 'blocking' });
    expect(r.json).toMatchObject({ event: 'message', task_id: S, id: S, message_id: S, conversation_id: S, mode: 'chat', answer: S, metadata: { usage: { completion_tokens: 5 } }, created_at: N });
  });

  it('OpenAI non-streaming returns a chat.completion', async () => {
    const r = await post('/v1/chat/completions', { ...openaiBody, stream: false });
    expect(r.json).toMatchObject({
      id: S,
      object: 'chat.completion',
      created: N,
      model: 'gpt-x',
      choices: [{ index: 0, message: { role: 'assistant', content: S }, finish_reason: 'stop' }],
      usage: { prompt_tokens: N, completion_tokens: 5, total_tokens: N },
    });
  });

  it('GET /v1/models, /health and /stats', async () => {
    const models = (await (await fetch(`${server.url}/v1/models`)).json()) as unknown;
    expect(models).toEqual({ object: 'list', data: [{ id: 'mock-gpt', object: 'model', created: 0, owned_by: 'sse-bench-mock' }] });
    expect(await (await fetch(`${server.url}/health`)).json()).toEqual({ status: 'ok' });
    const before = server.stats();
    await sseRequest(`${server.url}/v1/workflows/run`, { body: workflowBody });
    const stats = (await (await fetch(`${server.url}/stats`)).json()) as Record<string, unknown>;
    expect(stats).toMatchObject({
      activeStreams: 0,
      streamsStarted: before.streamsStarted + 1,
      streamsFinished: before.streamsFinished + 1,
      streamsAborted: before.streamsAborted,
      eventsSent: before.eventsSent + 13,
      memory: { rssBytes: N, heapUsedBytes: N },
    });
    expect(server.stats()).toEqual({ ...before, streamsStarted: before.streamsStarted + 1, streamsFinished: before.streamsFinished + 1, eventsSent: before.eventsSent + 13 });
  });

  it('GET /sse streams ?events= events with ids', async () => {
    const r = await sseRequest(`${server.url}/sse?events=3&interval=0`);
    expect(r.events.map((e) => [e.id, JSON.parse(e.data).seq])).toEqual([['0', 0], ['1', 1], ['2', 2]]);
    expect((await fetch(`${server.url}/sse?events=x`)).status).toBe(400);
  });
});

describe('seed', () => {
  it('the same X-Mock-Seed gives the same stream; another seed another', async () => {
    const run = async (seed: string) =>
      withoutTimes(payloads(await sseRequest(`${server.url}/v1/workflows/run`, { body: workflowBody, headers: { 'X-Mock-Seed': seed } })));
    const a = await run('alpha');
    expect(await run('alpha')).toEqual(a);
    expect(await run('beta')).not.toEqual(a);
  });

  it('two servers with the same --seed send the same streams in the same order', async () => {
    const streams = async () => {
      const s = await startMockServer({ port: 0, ttfeMs: 0, ttftMs: 0, tokenIntervalMs: 0, seed: 'same' });
      try {
        const first = await sseRequest(`${s.url}/v1/chat/completions`, { body: openaiBody });
        const second = await sseRequest(`${s.url}/v1/chat/completions`, { body: openaiBody });
        return [withoutTimes(payloads(first)), withoutTimes(payloads(second))];
      } finally {
        await s.close();
      }
    };
    const [a1, a2] = await streams();
    const [b1, b2] = await streams();
    expect(b1).toEqual(a1);
    expect(b2).toEqual(a2);
    expect(a2).not.toEqual(a1); // unique ids per stream
  });
});


describe('--ttfe-step', () => {
  const elapsed = async (ttfeStep: { atMs: number; addMs: number }): Promise<unknown> => {
    const s = await startMockServer({ port: 0, ttfeMs: 0, ttftMs: 0, tokenIntervalMs: 0, tokens: 3, pingIntervalMs: 0, seed: 'step', ttfeStep });
    try {
      const res = await fetch(`${s.url}/v1/workflows/run`, { method: 'POST', body: JSON.stringify({ inputs: {}, user: 'u', response_mode: 'blocking' }) });
      return ((await res.json()) as { data: { elapsed_time: number } }).data.elapsed_time;
    } finally {
      await s.close();
    }
  };

  it('serves requests from the step on with TTFE and TTFT moved by it, and earlier ones without', async () => {
    // a blocking answer reports the time its stream would have taken: max(TTFE, TTFT) + token intervals
    expect(await elapsed({ atMs: 0, addMs: 30 })).toBe(0.03);
    expect(await elapsed({ atMs: 3_600_000, addMs: 30 })).toBe(0);
  });
});
