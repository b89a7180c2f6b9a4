import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULT_NAMES, pickFault, type FaultRates } from './faults.ts';
import { createRng } from './rng.ts';
import { startMockServer, type MockServer } from './server.ts';
import { payloads, sseRequest } from './sse-test-client.ts';

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer({ port: 0, ttfeMs: 0, ttftMs: 0, tokenIntervalMs: 0, tokens: 6, pingIntervalMs: 0, seed: 'faults' });
});
afterAll(() => server.close());

const workflow = { inputs: { q: 'x' }, user: 'u', response_mode: 'streaming' };
const chat = { query: 'x', user: 'u', response_mode: 'streaming' };
const openai = { messages: [{ role: 'user', content: 'x' }], stream: true };
const run = (path: string, body: unknown, fault: string, extra: Record<string, string> = {}) =>
  sseRequest(`${server.url}${path}`, { body, headers: { 'X-Mock-Fault': fault, ...extra } });
const names = (p: Record<string, unknown>[]) => p.map((e) => e.event);
const noRates = Object.fromEntries(FAULT_NAMES.map((n) => [n, 0])) as Record<string, number> as FaultRates;

describe('HTTP faults before the stream', () => {
  it.each([
    ['http_500', 500, 'internal_server_error'],
    ['http_429', 429, 'too_many_requests'],
    ['http_401', 401, 'unauthorized'],
  ])('%s answers %i with Dify error JSON, OpenAI error JSON on /v1/chat/completions', async (fault, status, code) => {
    const dify = await fetch(`${server.url}/v1/workflows/run`, { method: 'POST', body: JSON.stringify(workflow), headers: { 'X-Mock-Fault': fault } });
    expect(dify.status).toBe(status);
    expect(dify.headers.get('x-mock-injected-fault')).toBe(fault);
    expect(await dify.json()).toEqual({ code, message: `Mock fault: ${fault}`, status });
    const oa = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify(openai), headers: { 'X-Mock-Fault': fault } });
    expect(oa.status).toBe(status);
    expect(await oa.json()).toEqual({ error: { message: `Mock fault: ${fault}`, type: expect.any(String), code } });
  });

  it('http_429 carries Retry-After (X-Mock-Retry-After-S)', async () => {
    const res = await fetch(`${server.url}/v1/chat-messages`, { method: 'POST', body: JSON.stringify(chat), headers: { 'X-Mock-Fault': 'http_429' } });
    expect(res.headers.get('retry-after')).toBe('1');
    const res7 = await fetch(`${server.url}/v1/chat-messages`, {
      method: 'POST',
      body: JSON.stringify(chat),
      headers: { 'X-Mock-Fault': 'http_429', 'X-Mock-Retry-After-S': '7' },
    });
    expect(res7.headers.get('retry-after')).toBe('7');
  });

  it('non_sse answers 200 text/html', async () => {
    const r = await run('/v1/workflows/run', workflow, 'non_sse');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.text).toMatch(/^<html>/);
  });
});

describe('faults inside the stream', () => {
  it('reset destroys the socket after --reset-after-events events', async () => {
    const before = server.stats();
    const r = await run('/v1/workflows/run', workflow, 'reset', { 'X-Mock-Reset-After-Events': '6' });
    expect(r.ending).toBe('error');
    expect(names(payloads(r))).toEqual(['workflow_started', 'node_started', 'node_finished', 'node_started', 'text_chunk', 'text_chunk']);
    expect(server.stats().streamsAborted).toBe(before.streamsAborted + 1);
    expect(server.stats().activeStreams).toBe(0);
  });

  it('stall: headers arrive, no event is sent, the stream stays open until the client leaves', async () => {
    const before = server.stats();
    const r = await sseRequest(`${server.url}/v1/chat/completions`, { body: openai, headers: { 'X-Mock-Fault': 'stall' }, abortAfterEvents: 0 });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(r.events).toEqual([]);
    expect(server.stats().eventsSent).toBe(before.eventsSent);
  });

  it('invalid_json breaks the JSON of the first token event only', async () => {
    const r = await run('/v1/workflows/run', workflow, 'invalid_json');
    const bad = r.events.filter((e) => {
      try {
        JSON.parse(e.data);
        return false;
      } catch {
        return true;
      }
    });
    expect(bad).toHaveLength(1);
    expect(bad[0]?.data).toMatch(/^\{"event":"text_chunk".*\}$/); // only the last `}` cut: what is left still ends with the nested object's
    expect(r.events.indexOf(bad[0] as (typeof r.events)[number])).toBe(4);
    expect(JSON.parse(r.events.at(-1)?.data ?? '')).toMatchObject({ event: 'workflow_finished' });
  });

  it('unknown_field adds one unknown field line; the stream goes on', async () => {
    const r = await run('/v1/chat-messages', chat, 'unknown_field');
    expect(r.errors.map((e) => [e.type, e.field, e.value])).toEqual([['unknown-field', 'mock_unknown', '1']]);
    expect(names(payloads(r))).toEqual([...Array<string>(6).fill('message'), 'message_end']);
  });

  it('crlf ends every line with CRLF; the events are the same', async () => {
    const r = await run('/v1/workflows/run', workflow, 'crlf');
    expect(r.text).toContain('\r\n\r\n');
    expect(r.text.replace(/\r\n/g, '')).not.toContain('\n');
    expect(names(payloads(r))).toHaveLength(4 + 6 + 4);
  });

  it('error_event ends a Dify stream half-way with an error event', async () => {
    const p = payloads(await run('/v1/workflows/run', workflow, 'error_event'));
    expect(names(p).filter((n) => n === 'text_chunk')).toHaveLength(3);
    expect(p.at(-1)).toEqual({
      event: 'error',
      task_id: p[0]?.task_id,
      workflow_run_id: p[0]?.workflow_run_id,
      status: 500,
      code: 'internal_server_error',
      message: 'Mock fault: error_event',
    });
    const c = payloads(await run('/v1/chat-messages', chat, 'error_event'));
    expect(names(c)).toEqual(['message', 'message', 'message', 'error']);
  });

  it('error_event on OpenAI sends an error chunk and no [DONE]', async () => {
    const r = await run('/v1/chat/completions', openai, 'error_event');
    expect(r.events.map((e) => e.data)).not.toContain('[DONE]');
    expect(payloads(r).at(-1)).toEqual({ error: { message: 'Mock fault: error_event', type: 'server_error', code: 'internal_error' } });
  });

  it('workflow_failed reports the LLM node and the workflow as failed', async () => {
    const p = payloads(await run('/v1/workflows/run', workflow, 'workflow_failed'));
    expect(names(p).slice(-2)).toEqual(['node_finished', 'workflow_finished']);
    expect(p.at(-2)).toMatchObject({ data: { node_id: 'llm', status: 'failed', error: 'Mock fault: workflow_failed' } });
    expect(p.at(-1)).toMatchObject({ data: { status: 'failed', error: 'Mock fault: workflow_failed', outputs: {} } });
  });

  it('no_terminal ends the response without the terminal event', async () => {
    const w = payloads(await run('/v1/workflows/run', workflow, 'no_terminal'));
    expect(names(w).at(-1)).toBe('text_chunk');
    expect(names(w).filter((n) => n === 'text_chunk')).toHaveLength(6);
    const c = await run('/v1/chat-messages', chat, 'no_terminal');
    expect(c.ending).toBe('end');
    expect(names(payloads(c))).toEqual(Array<string>(6).fill('message'));
    const o = await run('/v1/chat/completions', openai, 'no_terminal');
    expect(o.events.map((e) => e.data)).not.toContain('[DONE]');
    expect(payloads(o)).toHaveLength(7);
  });
});

describe('fault probabilities', () => {
  it('a rate of 1 injects the fault into every request', async () => {
    const s = await startMockServer({ port: 0, ttfeMs: 0, ttftMs: 0, tokenIntervalMs: 0, faultRates: { ...noRates, http_500: 1 } });
    try {
      for (let i = 0; i < 3; i++) expect((await sseRequest(`${s.url}/v1/workflows/run`, { body: workflow })).status).toBe(500);
    } finally {
      await s.close();
    }
  });

  it('X-Mock-Fault-* rates with X-Mock-Seed pick the same fault every time', async () => {
    const headers = { 'X-Mock-Fault-Http-500': '0.5', 'X-Mock-Fault-Http-429': '0.5', 'X-Mock-Seed': 's1' };
    const statuses = new Set<number>();
    for (let i = 0; i < 3; i++) statuses.add((await sseRequest(`${server.url}/v1/workflows/run`, { body: workflow, headers })).status);
    expect(statuses.size).toBe(1);
    expect([500, 429]).toContain([...statuses][0]);
  });

  it('pickFault draws in table order against cumulative rates', () => {
    const rates = { ...noRates, http_500: 0.25, reset: 0.25 };
    const rng = createRng(42);
    const counts = new Map<string | null, number>();
    for (let i = 0; i < 10_000; i++) {
      const f = pickFault('none', rates, rng);
      counts.set(f, (counts.get(f) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(['http_500', 'reset', null].sort());
    for (const [, n] of counts) expect(n).toBeGreaterThan(2_000); // 2,500 / 2,500 / 5,000 expected
  });

  it('pickFault honours a forced fault and draws nothing when every rate is 0', () => {
    expect(pickFault('crlf', { ...noRates, http_500: 1 }, createRng(1))).toBe('crlf');
    const a = createRng(7);
    const b = createRng(7);
    expect(pickFault('none', noRates, a)).toBeNull();
    expect(a.uint32()).toBe(b.uint32()); // no number was drawn
  });
});
