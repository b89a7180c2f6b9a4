/**
 * End-to-end, under every real k6 found: TURNS (dify-chat and openai-chat conversations against the
 * embedded mock, checked on the mock's side), TTFT by turn growing with the mock's prefill cost,
 * DATASET prompts as the mock receives them, and a malformed dataset line stopping the run.
 */
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startMockServer, type MockServer, type ObservedRequest } from '../../mock/server.ts';
import type { MockOptions } from '../../mock/options.ts';
import { describeEachK6, realK6s } from './real-k6.ts';
import { runK6, type FoundK6 } from './run-k6.ts';

const k6s = await realK6s('real-k6 conversation and dataset tests');

const SCRIPT = 'build/sse.js';
const RUN_TIMEOUT_MS = 60_000;
const CONVERSATIONS = 4;
const TURNS = 4;
/** 1 s per 1,000 characters of context: each Dify turn adds its query and 20-token answer (≥ 100 characters) to the history. */
const MOCK: Partial<MockOptions> = { pingIntervalMs: 0, tokens: 20, tokenIntervalMs: 2, ttfeMs: 5, ttftMs: 10, seed: 'e2e-conv', prefillMsPer1kChars: 1000 };
const SHIPPED_DATASET = resolve('datasets/synthetic-chat.jsonl');

function run(k6: FoundK6, baseUrl: string, vars: Record<string, string>) {
  return runK6(
    k6,
    SCRIPT,
    { BASE_URL: baseUrl, PROFILE: 'smoke', SCENARIOS: 'stream', VUS: '2', ITERATIONS: String(CONVERSATIONS), THRESHOLDS: 'none', STREAM_TIMEOUT: '5s', ...vars },
    RUN_TIMEOUT_MS,
  );
}

describeEachK6('conversations and datasets', k6s, (k6) => {
  let mock: MockServer;
  let seen: ObservedRequest[] = [];
  let dir = '';
  beforeAll(async () => {
    mock = await startMockServer({ ...MOCK, host: '127.0.0.1', port: 0, onRequest: (r) => seen.push(r) });
    dir = mkdtempSync(join(tmpdir(), 'sse-bench-e2e-dataset-'));
  });
  afterAll(async () => {
    await mock?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`TURNS=${TURNS}, dify-chat: later turns carry the first turn's conversation_id; TTFT grows turn by turn with the prefill cost`, async () => {
    seen = [];
    const before = mock.stats().conversations;
    const { code, report, stderr } = await run(k6, mock.url, { TARGET: 'dify-chat', TURNS: String(TURNS) });
    expect(code, stderr).toBe(0);
    // The mock's side: one new conversation per iteration, every later turn continued one, none unknown.
    const after = mock.stats().conversations;
    expect(after.created - before.created).toBe(CONVERSATIONS);
    expect(after.continued - before.continued).toBe(CONVERSATIONS * (TURNS - 1));
    expect(after.unknown - before.unknown).toBe(0);
    // Per user (one per conversation): the first message has no id, the three after it one and the same id.
    const byUser = new Map<string, unknown[]>();
    for (const r of seen) byUser.set(String(r.body['user']), [...(byUser.get(String(r.body['user'])) ?? []), r.body['conversation_id']]);
    expect(byUser.size).toBe(CONVERSATIONS);
    for (const ids of byUser.values()) {
      expect(ids).toHaveLength(TURNS);
      expect(ids[0]).toBeUndefined();
      expect(ids[1]).toMatch(/^[0-9a-f-]{36}$/);
      expect(new Set(ids.slice(1)).size).toBe(1);
    }
    const w = report!.workload!;
    expect(w.conversations).toEqual({ started: CONVERSATIONS, completed: CONVERSATIONS, meanTurns: TURNS });
    const medians = w.byTurn.map((t) => t.ttftMed ?? 0);
    expect(w.byTurn.map((t) => t.turn)).toEqual(['1', '2', '3', '4+']);
    // Each turn adds ≥ 100 characters of history = ≥ 100 ms of prefill: well above the machine's noise.
    for (let k = 1; k < medians.length; k++) expect(medians[k]! - medians[k - 1]!).toBeGreaterThan(60);
  });

  it(`TURNS=3, openai-chat: messages carry the history, the assistant's streamed answers included`, async () => {
    seen = [];
    const { code, report, stderr } = await run(k6, mock.url, { TARGET: 'openai-chat', TURNS: '3', THINK_TIME: '5ms-20ms' });
    expect(code, stderr).toBe(0);
    const chats = seen.filter((r) => r.path === '/v1/chat/completions');
    expect(chats).toHaveLength(CONVERSATIONS * 3);
    const lengths = chats.map((r) => (r.body['messages'] as unknown[]).length).sort();
    expect(lengths).toEqual([...Array<number>(CONVERSATIONS).fill(1), ...Array<number>(CONVERSATIONS).fill(3), ...Array<number>(CONVERSATIONS).fill(5)]);
    for (const r of chats.filter((c) => (c.body['messages'] as unknown[]).length === 5)) {
      const messages = r.body['messages'] as { role: string; content: string }[];
      expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user']);
      expect(messages[1]!.content.length).toBeGreaterThan(20); // 20 tokens of the mock's words
    }
    expect(report!.workload!.conversations).toEqual({ started: CONVERSATIONS, completed: CONVERSATIONS, meanTurns: 3 });
    const ttft = report!.workload!.byTurn.map((t) => t.ttftMed ?? 0);
    expect(ttft[2]!).toBeGreaterThan(ttft[0]!);
  });

  it('DATASET=datasets/synthetic-chat.jsonl: the mock receives the first six records\' prompts with their max_tokens; the report has the lengths', async () => {
    seen = [];
    const { code, report, stderr } = await run(k6, mock.url, { TARGET: 'openai-chat', DATASET: SHIPPED_DATASET, ITERATIONS: '6' });
    expect(code, stderr).toBe(0);
    const { readFileSync } = await import('node:fs');
    const records = readFileSync(SHIPPED_DATASET, 'utf8').trim().split('\n').slice(0, 6).map((l) => JSON.parse(l) as { prompt: string; max_tokens: number });
    const sent = seen.map((r) => [(r.body['messages'] as { content: string }[])[0]!.content, r.body['max_tokens']]);
    expect(sent.sort()).toEqual(records.map((r) => [r.prompt, r.max_tokens]).sort());
    const w = report!.workload!;
    expect(w.dataset).toMatchObject({ path: SHIPPED_DATASET, records: 20, prompts: 35 });
    expect(w.promptChars).toMatchObject({ count: 6, min: Math.min(...records.map((r) => r.prompt.length)), max: Math.max(...records.map((r) => r.prompt.length)) });
    // The mock answers max_tokens tokens: the answers' lengths are the records'.
    expect(w.answerTokens).toMatchObject({ count: 6, min: Math.min(...records.map((r) => r.max_tokens)), max: Math.max(...records.map((r) => r.max_tokens)) });
  });

  it('a malformed DATASET line stops the run before any request, naming the line', async () => {
    seen = [];
    const path = join(dir, 'bad.jsonl');
    writeFileSync(path, '{"prompt": "fine"}\n{"prompt": "fine too", "max_tokens": 8}\n{"prompt": "cut\n');
    const { code, stderr, report } = await run(k6, mock.url, { TARGET: 'openai-chat', DATASET: path });
    expect(code).not.toBe(0);
    expect(stderr).toContain(`DATASET: \\"${path}\\" line 3: not valid JSON`);
    expect(report).toBeNull();
    expect(seen).toEqual([]);
  });
});
