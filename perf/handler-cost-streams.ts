/**
 * The streams perf/handler-cost.ts replays: recorded from the embedded mock (the server
 * perf:client runs against), one per target and text — Dify workflow and OpenAI chat, in
 * ASCII English and raw-UTF-8 Chinese — parsed by eventsource-parser into the `{id, name,
 * data, comment}` events xk6-sse hands to the script. Dify streams get an `event: ping`
 * keep-alive every PING_EVERY events, as long real streams do.
 */
import { createParser } from 'eventsource-parser';
import type { SseEvent } from 'k6/x/sse';
import { startMockServer } from '../mock/server.ts';

export interface RecordedStream {
  readonly name: string;
  readonly target: 'dify-workflow' | 'openai-chat';
  readonly events: readonly SseEvent[];
}

export interface HandlerCostResult {
  readonly stream: string;
  readonly handler: string;
  readonly nsPerEvent: number;
}

const PING_EVERY = 500;
const PING: SseEvent = { id: '', name: 'ping', data: '', comment: '' };

const STREAMS = [
  { name: 'Dify, ASCII', target: 'dify-workflow', path: '/v1/workflows/run', text: 'ascii' },
  { name: 'Dify, Chinese', target: 'dify-workflow', path: '/v1/workflows/run', text: 'cjk' },
  { name: 'OpenAI, ASCII', target: 'openai-chat', path: '/v1/chat/completions', text: 'ascii' },
  { name: 'OpenAI, Chinese', target: 'openai-chat', path: '/v1/chat/completions', text: 'cjk' },
] as const;

const BODIES: Record<RecordedStream['target'], unknown> = {
  'dify-workflow': { inputs: { question: 'What is artificial intelligence?' }, response_mode: 'streaming', user: 'bench' },
  'openai-chat': { model: 'mock-gpt', messages: [{ role: 'user', content: 'What is artificial intelligence?' }], stream: true, stream_options: { include_usage: true } },
};

/** Records every stream of STREAMS with `tokens` token events each (one request each, 127.0.0.1). */
export async function recordStreams(tokens: number): Promise<RecordedStream[]> {
  const mock = await startMockServer({ port: 0, ttfeMs: 0, ttftMs: 0, tokenIntervalMs: 0, pingIntervalMs: 0, tokens, seed: 'handler-cost' });
  try {
    const out: RecordedStream[] = [];
    for (const s of STREAMS) {
      const res = await fetch(`${mock.url}${s.path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Mock-Text': s.text, 'X-Mock-Seed': 'handler-cost' },
        body: JSON.stringify(BODIES[s.target]),
        signal: AbortSignal.timeout(30_000),
      });
      const events: SseEvent[] = [];
      const parser = createParser({
        onEvent: (e) => {
          if (s.target === 'dify-workflow' && events.length % PING_EVERY === PING_EVERY - 1) events.push(PING);
          events.push({ id: e.id ?? '', name: e.event ?? '', data: e.data, comment: '' });
        },
      });
      parser.feed(await res.text());
      out.push({ name: s.name, target: s.target, events });
    }
    return out;
  } finally {
    await mock.close();
  }
}
