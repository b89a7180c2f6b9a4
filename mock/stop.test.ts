/**
 * Streams that clients stop: Dify's stop requests (as Dify's source answers and ends them) and
 * the OpenAI-style close (the tokens a server generates after its client left).
 * Streams here are long (1,000 tokens, 5 ms apart) and stopped after a few events, so a test
 * takes tens of milliseconds; nothing asserts a duration.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer, type MockServer } from './server.ts';

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer({ port: 0, ttfeMs: 0, ttftMs: 0, tokenIntervalMs: 5, tokens: 1000, pingIntervalMs: 0, seed: 'stop-test' });
});
afterAll(() => server.close());

const workflowBody = { inputs: { question: 'What is AI?' }, user: 'u-1', response_mode: 'streaming' };
const chatBody = { query: 'What is AI?', inputs: {}, user: 'u-1', response_mode: 'streaming' };
const openaiBody = { messages: [{ role: 'user', content: 'What is AI?' }], stream: true };

interface Read {
  events: Record<string, unknown>[];
  stopAnswer: { status: number; body: unknown } | null;
}

/** Streams `path`; at the `at`-th event calls `act` (with the event) and reads on to the end (or aborts). */
async function streamAndAct(path: string, body: unknown, at: number, act: (event: Record<string, unknown>, abort: () => void) => Promise<Read['stopAnswer']>): Promise<Read> {
  const ac = new AbortController();
  const events: Record<string, unknown>[] = [];
  let acting: Promise<Read['stopAnswer']> | null = null;
  const parser = createParser({
    onEvent: (e: EventSourceMessage) => {
      if (e.data === '' || e.data === '[DONE]') return;
      const event = JSON.parse(e.data) as Record<string, unknown>;
      events.push(event);
      if (events.length === at) acting = act(event, () => ac.abort());
    },
  });
  const res = await fetch(server.url + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), signal: ac.signal });
  const decoder = new TextDecoder();
  try {
    for await (const chunk of res.body ?? []) parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
  } catch {
    // aborted by `act`
  }
  return { events, stopAnswer: acting === null ? null : await acting };
}

const post = async (path: string, body: unknown): Promise<{ status: number; body: unknown }> => {
  const r = await fetch(server.url + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, body: await r.json() };
};

describe('Dify stop requests', () => {
  it('POST /v1/workflows/tasks/<task_id>/stop: {"result":"success"}, and the workflow ends with workflow_finished status stopped', async () => {
    const before = server.stats();
    const r = await streamAndAct('/v1/workflows/run', workflowBody, 6, (e) => post(`/v1/workflows/tasks/${String(e.task_id)}/stop`, { user: 'u-1' }));
    expect(r.stopAnswer).toEqual({ status: 200, body: { result: 'success' } });
    const last = r.events.at(-1) as { event: string; task_id: string; data: { status: string; error: string; outputs: unknown } };
    expect(last.event).toBe('workflow_finished');
    expect(last.data.status).toBe('stopped');
    expect(last.data.error).toBe('Stopped by user.');
    expect(last.data.outputs).toEqual({});
    expect(last.task_id).toBe(r.events[0]!.task_id);
    const chunks = r.events.filter((e) => e.event === 'text_chunk').length;
    expect(chunks).toBeGreaterThanOrEqual(2);
    expect(chunks).toBeLessThan(1000);
    expect(server.stats().streamsStopped).toBe(before.streamsStopped + 1);
  });

  it('POST /v1/chat-messages/<task_id>/stop: the chat ends with message_end', async () => {
    const r = await streamAndAct('/v1/chat-messages', chatBody, 3, (e) => post(`/v1/chat-messages/${String(e.task_id)}/stop`, { user: 'u-1' }));
    expect(r.stopAnswer).toEqual({ status: 200, body: { result: 'success' } });
    expect(r.events.at(-1)?.event).toBe('message_end');
    expect(r.events.filter((e) => e.event === 'message').length).toBeLessThan(1000);
  });

  it('another user\'s stop answers success and stops nothing (as Dify\'s set_stop_flag)', async () => {
    const before = server.stats();
    const short = { ...workflowBody };
    const r = await streamAndAct('/v1/workflows/run', short, 3, async (e) => {
      const answer = await post(`/v1/workflows/tasks/${String(e.task_id)}/stop`, { user: 'someone-else' });
      await post(`/v1/workflows/tasks/${String(e.task_id)}/stop`, { user: 'u-1' }); // then the owner's, so the test ends
      return answer;
    });
    expect(r.stopAnswer).toEqual({ status: 200, body: { result: 'success' } });
    expect(server.stats().streamsStopped).toBe(before.streamsStopped + 1);
  });

  it('a stop without user is 400; an unknown task answers success', async () => {
    expect(await post('/v1/workflows/tasks/nope/stop', {})).toEqual({ status: 400, body: { code: 'invalid_param', message: 'user is required', status: 400 } });
    expect(await post('/v1/chat-messages/nope/stop', { user: 'u-1' })).toEqual({ status: 200, body: { result: 'success' } });
  });
});

describe('a client that closes the connection (OpenAI-style cancel)', () => {
  it('--after-client-left stop (default): nothing is generated after the client left', async () => {
    const before = server.stats();
    await streamAndAct('/v1/chat/completions', openaiBody, 4, async (_e, abort) => {
      abort();
      return null;
    });
    await until(() => server.stats().streamsAborted === before.streamsAborted + 1);
    expect(server.stats().tokensAfterClientLeft).toBe(before.tokensAfterClientLeft);
  });

  it('--after-client-left generate: the rest of the answer is generated and counted in tokensAfterClientLeft', async () => {
    const s = await startMockServer({ port: 0, ttfeMs: 0, ttftMs: 0, tokenIntervalMs: 1, tokens: 40, pingIntervalMs: 0, seed: 'x', afterClientLeft: 'generate' });
    try {
      const ac = new AbortController();
      const res = await fetch(`${s.url}/v1/chat/completions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(openaiBody), signal: ac.signal });
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      let text = '';
      while ((text.match(/"content":"[^"]/g) ?? []).length < 5) text += new TextDecoder().decode((await reader.read()).value);
      ac.abort();
      // Every token of the answer is generated once: written to the client before it left (events after
      // the role chunk), or generated after, unwritten.
      const written = (): number => s.stats().eventsSent - 1;
      await until(() => s.stats().activeStreams === 0 && written() + s.stats().tokensAfterClientLeft === 40);
      expect(written()).toBeGreaterThanOrEqual(5);
      expect(s.stats().tokensAfterClientLeft).toBeGreaterThan(0);
    } finally {
      await s.close();
    }
  });
});

async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(ok()).toBe(true);
}
