import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerRng, chatPrompt, openaiPrompt, workflowPrompt } from './answer-seed.ts';
import { startMockServer, type MockServer } from './server.ts';
import { payloads, sseRequest, type SseResult } from './sse-test-client.ts';

describe('answerRng and the prompts', () => {
  const draws = (seed: string, prompt: string): number[] => {
    const r = answerRng(seed, prompt);
    return Array.from({ length: 4 }, () => r.uint32());
  };

  it('is a function of the seed and the prompt', () => {
    expect(draws('s', 'What is AI?')).toEqual(draws('s', 'What is AI?'));
    expect(draws('s', 'What is AI?')).not.toEqual(draws('s', 'What is ML?'));
    expect(draws('s', 'What is AI?')).not.toEqual(draws('t', 'What is AI?'));
  });

  it('leaves out the user (the suite names it after the VU and its iteration)', () => {
    const workflow = (user: string) => ({ inputs: { question: 'q' }, response_mode: 'streaming', user });
    expect(workflowPrompt(workflow('sse-bench-1-0'))).toBe(workflowPrompt(workflow('sse-bench-2-7')));
    const chat = (user: string) => ({ inputs: {}, query: 'q', user });
    expect(chatPrompt(chat('a'))).toBe(chatPrompt(chat('b')));
    expect(chatPrompt(chat('a'))).not.toBe(chatPrompt({ ...chat('a'), query: 'other' }));
    const openai = (user: string, model = 'm') => ({ model, messages: [{ role: 'user', content: 'q' }], stream: true, user });
    expect(openaiPrompt(openai('a'))).toBe(openaiPrompt(openai('b')));
    expect(openaiPrompt(openai('a'))).not.toBe(openaiPrompt(openai('a', 'other-model')));
  });
});

/**
 * What `--execution-segment` needs: the bytes a request receives do not depend on the order
 * in which streams start. The same question sent first or last, by another user, gets the
 * same text, the same (scheduled) elapsed times and the same byte count; only per-stream ids
 * (same length) and wall-clock seconds differ.
 */
describe('the same request gets the same bytes, whatever the order', () => {
  let server: MockServer;
  beforeAll(async () => {
    server = await startMockServer({ port: 0, ttfeMs: 0, ttftMs: 1, tokens: 6, tokenIntervalMs: 1, jitter: 'uniform', jitterMs: 3, pingIntervalMs: 0, seed: 'order' });
  });
  afterAll(() => server.close());

  const targets = [
    ['/v1/workflows/run', (q: string, user: string) => ({ inputs: { question: q }, response_mode: 'streaming', user })],
    ['/v1/chat-messages', (q: string, user: string) => ({ inputs: {}, query: q, response_mode: 'streaming', user })],
    ['/v1/chat/completions', (q: string, user: string) => ({ model: 'mock-gpt', messages: [{ role: 'user', content: q }], stream: true, stream_options: { include_usage: true }, user })],
  ] as const;

  /** The token text and the stream's timing figures, as the client reads them. */
  function answerOf(r: SseResult): { text: string; timing: unknown[] } {
    let text = '';
    const timing: unknown[] = [];
    for (const p of payloads(r)) {
      const data = p['data'] as Record<string, unknown> | undefined;
      const choices = p['choices'] as { delta?: { content?: string } }[] | undefined;
      if (p['event'] === 'text_chunk') text += String(data?.['text']);
      if (p['event'] === 'message') text += String(p['answer']);
      text += choices?.[0]?.delta?.content ?? '';
      if (data?.['elapsed_time'] !== undefined) timing.push(data['elapsed_time']);
      const usage = (p['metadata'] as { usage?: { latency?: number } } | undefined)?.usage;
      if (usage?.latency !== undefined) timing.push(usage.latency);
    }
    return { text, timing };
  }

  it.each(targets)('%s', async (path, body) => {
    const send = (q: string, user: string) => sseRequest(`${server.url}${path}`, { body: body(q, user) });
    // q1 first and last, q2 in between, each time by another user.
    const q1First = await send('What is AI?', 'sse-bench-1-0');
    const q2First = await send('How do solar panels work?', 'sse-bench-2-0');
    const q2Last = await send('How do solar panels work?', 'sse-bench-1-1');
    const q1Last = await send('What is AI?', 'sse-bench-2-1');
    for (const r of [q1First, q2First, q2Last, q1Last]) expect(r.status).toBe(200);

    expect(answerOf(q1Last)).toEqual(answerOf(q1First));
    expect(answerOf(q2Last)).toEqual(answerOf(q2First));
    expect(Buffer.byteLength(q1Last.text)).toBe(Buffer.byteLength(q1First.text));
    expect(Buffer.byteLength(q2Last.text)).toBe(Buffer.byteLength(q2First.text));
    expect(answerOf(q1First).text).not.toBe(answerOf(q2First).text); // another question, another answer
    expect(q1Last.text).not.toBe(q1First.text); // ids stay unique per stream
  });
});
