import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelLog } from './model-log.ts';
import { startMockServer, type MockServer } from './server.ts';
import { sseRequest } from './sse-test-client.ts';

describe('ModelLog', () => {
  it('records only prompts that carry the marker, up to its bound', () => {
    const log = new ModelLog(1);
    expect(log.start('What is AI?', 5)).toBeNull();
    const r = log.start('{"question":"What is AI? [sb-42]"}', 5);
    expect(r).toEqual({ id: 'sb-42', receivedAt: performance.timeOrigin + 5, tokens: [], end: -1 });
    expect(log.start('x [sb-43]', 6)).toBeNull();
    expect(log.dropped).toBe(1);
    expect(JSON.parse(log.json())).toEqual({ records: [r], dropped: 1 });
  });
});

describe('--model-log on', () => {
  let server: MockServer;
  beforeAll(async () => {
    server = await startMockServer({ port: 0, ttfeMs: 0, ttftMs: 0, tokenIntervalMs: 0, tokens: 4, pingIntervalMs: 0, seed: 'log', modelLog: 'on' });
  });
  afterAll(() => server.close());

  it('records when a marked request arrived and when each token and the end were written', async () => {
    const before = Date.now();
    await sseRequest(`${server.url}/v1/workflows/run`, { body: { inputs: { question: 'q [sb-7]' }, user: 'u', response_mode: 'streaming' } });
    await sseRequest(`${server.url}/v1/chat/completions`, { body: { messages: [{ role: 'user', content: 'unmarked' }], stream: true } });
    const [r, ...rest] = server.modelLog();
    expect(rest).toEqual([]);
    expect(r!.id).toBe('sb-7');
    expect(r!.tokens.length).toBe(4);
    expect(r!.receivedAt).toBeGreaterThanOrEqual(before - 1);
    expect(r!.tokens[0]).toBeGreaterThanOrEqual(r!.receivedAt);
    expect(r!.end).toBe(r!.tokens[3]); // tokens and end in one write (0 ms knobs)
    const served = (await (await fetch(`${server.url}/model-log`)).json()) as { records: unknown[] };
    expect(served.records).toEqual(JSON.parse(JSON.stringify(server.modelLog())));
  });

  it('is off by default', async () => {
    const off = await startMockServer({ port: 0, tokens: 1, ttfeMs: 0, ttftMs: 0, pingIntervalMs: 0 });
    try {
      await sseRequest(`${off.url}/v1/workflows/run`, { body: { inputs: { question: 'q [sb-1]' }, user: 'u', response_mode: 'streaming' } });
      expect(off.modelLog()).toEqual([]);
      expect(await (await fetch(`${off.url}/model-log`)).json()).toEqual({ records: [], dropped: 0, off: true });
    } finally {
      await off.close();
    }
  });
});
