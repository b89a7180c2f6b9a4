import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer, type MockServer } from './server.ts';
import { payloads, sseRequest } from './sse-test-client.ts';
import { TOKEN_SETS } from './text.ts';

// Knobs at 0 ms: the whole stream is written at once, so nothing here depends on real time.
let server: MockServer;
beforeAll(async () => {
  server = await startMockServer({ port: 0, ttfeMs: 0, ttftMs: 0, tokenIntervalMs: 0, tokens: 6, pingIntervalMs: 0, seed: 'text-test' });
});
afterAll(() => server.close());

const openaiBody = { model: 'm', messages: [{ role: 'user', content: 'q' }], stream: true };
const workflowBody = { inputs: { question: 'q' }, user: 'u', response_mode: 'streaming' };

describe('--text / X-Mock-Text', () => {
  it('the token sets: ascii all ASCII, cjk Chinese characters only', () => {
    expect(TOKEN_SETS.ascii.ascii).toBe(true);
    expect(TOKEN_SETS.cjk.ascii).toBe(false);
    for (const t of TOKEN_SETS.cjk.tokens) expect(t).toMatch(/^[\u4e00-\u9fff]{1,3}$/u);
  });

  it('cjk: OpenAI deltas carry raw UTF-8 Chinese, not \\u escapes', async () => {
    const r = await sseRequest(`${server.url}/v1/chat/completions`, { body: openaiBody, headers: { 'X-Mock-Text': 'cjk' } });
    const contents = payloads(r)
      .map((p) => (p as { choices?: { delta?: { content?: string } }[] }).choices?.[0]?.delta?.content)
      .filter((c): c is string => typeof c === 'string' && c !== '');
    expect(contents).toHaveLength(6);
    for (const c of contents) expect(TOKEN_SETS.cjk.tokens).toContain(c);
    expect(r.text).not.toMatch(/\\u[0-9a-f]{4}/i);
    expect(r.text).toMatch(/[\u4e00-\u9fff]/u);
  });

  it('cjk: Dify text_chunk events and the final answer in Chinese', async () => {
    const headers = { 'X-Mock-Seed': 'same' };
    const cjk = await sseRequest(`${server.url}/v1/workflows/run`, { body: workflowBody, headers: { ...headers, 'X-Mock-Text': 'cjk' } });
    const ascii = await sseRequest(`${server.url}/v1/workflows/run`, { body: workflowBody, headers });
    const chunks = (r: typeof cjk): string[] => payloads(r).filter((p) => p.event === 'text_chunk').map((p) => (p as { data: { text: string } }).data.text);
    expect(chunks(cjk)).toHaveLength(6);
    for (const t of chunks(cjk)) expect(TOKEN_SETS.cjk.tokens).toContain(t);
    const finished = payloads(cjk).find((p) => p.event === 'workflow_finished') as { data: { outputs: { text: string } } };
    expect(finished.data.outputs.text).toBe(chunks(cjk).join(''));
    expect(chunks(ascii).every((t) => /^[ -~]+$/.test(t))).toBe(true);
  });

  it('an unknown text kind is a 400 naming the accepted values', async () => {
    const r = await sseRequest(`${server.url}/v1/chat/completions`, { body: openaiBody, headers: { 'X-Mock-Text': 'latin' } });
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/ascii.*cjk/s);
  });
});
