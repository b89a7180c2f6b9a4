/**
 * build/sse.js, bundled, on the k6 doubles: TURNS (conversations), THINK_TIME and DATASET, with
 * exact requests and samples on a virtual clock.
 */
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { endRun, ensureBuilt, readFixture, requests, setServer, splitBlocks, startRun, timedBlocks, type SseRequest } from './k6-harness.ts';

beforeAll(() => {
  ensureBuilt();
});
afterEach(endRun);

const DIFY_CONVERSATION = 'c4d5e6f7-0a1b-4c2d-8e3f-4a5b6c7d8e9f'; // the id test/fixtures/dify-chat.sse carries

/** Every request answered with `fixture` (first block 100 ms after the start, then one per 10 ms); `fail(i)`: request i gets a 500. */
function serve(fixture: string, fail: (i: number) => boolean = () => false): void {
  const blocks = splitBlocks(readFixture(fixture));
  let i = 0;
  setServer(() => {
    if (fail(i++)) return { kind: 'response', status: 500, headers: { 'Content-Type': 'application/json' }, chunks: [{ at: 50, text: '{"code":"internal_server_error","message":"boom","status":500}\n' }] };
    return { kind: 'response', headersAt: 40, chunks: timedBlocks(blocks, { firstAt: 100, step: 10 }) };
  });
}

const bodies = (): Record<string, unknown>[] => requests().map((r: SseRequest) => JSON.parse(r.body) as Record<string, unknown>);

describe('TURNS=3, dify-chat', () => {
  test('the first turn sends no conversation_id, the later ones the id of message_end; user stays; TTFT tagged by turn', async () => {
    serve('dify-chat.sse');
    const run = startRun();
    const vu = await run.loadVu({ env: { TARGET: 'dify-chat', TURNS: '3', SCENARIOS: 'stream' } });
    vu.iterate('stream');
    const b = bodies();
    expect(b).toHaveLength(3);
    expect(b.map((x) => x['conversation_id'])).toEqual([undefined, DIFY_CONVERSATION, DIFY_CONVERSATION]);
    expect(new Set(b.map((x) => x['user']))).toEqual(new Set(['sse-bench-1-0']));
    expect(b.map((x) => typeof x['query'])).toEqual(['string', 'string', 'string']);
    for (const turn of ['1', '2', '3']) expect(run.values('sse_ttft', { turn })).toEqual([100]);
    expect(run.values('sse_ttfe', { turn: '2' })).toEqual([100]);
    expect(run.values('sse_conversations_started')).toEqual([1]);
    expect(run.values('sse_conversations_completed')).toEqual([1]);
    expect(run.values('sse_turns_per_conversation')).toEqual([3]);
    expect(run.values('sse_prompt_chars')).toEqual(b.map((x) => String(x['query']).length));
    expect(run.values('llm_answer_tokens')).toEqual(run.values('llm_output_tokens'));
  });

  test('turns past the third share the tag 4+', async () => {
    serve('dify-chat.sse');
    const run = startRun();
    const vu = await run.loadVu({ env: { TARGET: 'dify-chat', TURNS: '6', SCENARIOS: 'stream' } });
    vu.iterate('stream');
    expect(run.samples('sse_ttft').map((s) => s.tags['turn'])).toEqual(['1', '2', '3', '4+', '4+', '4+']);
  });

  test('a failed turn ends the conversation: no later turn, not completed', async () => {
    serve('dify-chat.sse', (i) => i === 1);
    const run = startRun();
    const vu = await run.loadVu({ env: { TARGET: 'dify-chat', TURNS: '3', SCENARIOS: 'stream' } });
    vu.iterate('stream');
    expect(requests()).toHaveLength(2);
    expect(run.values('sse_stream_success')).toEqual([1, 0]);
    expect(run.values('sse_conversations_started')).toEqual([1]);
    expect(run.values('sse_conversations_completed')).toEqual([]);
    expect(run.values('sse_turns_per_conversation')).toEqual([1]);
  });

  test('THINK_TIME=2s sleeps 2 s between turns (virtual clock), not before the first or after the last', async () => {
    serve('dify-chat.sse');
    const run = startRun();
    const vu = await run.loadVu({ env: { TARGET: 'dify-chat', TURNS: '3', THINK_TIME: '2s', SCENARIOS: 'stream' } });
    const before = Date.now();
    vu.iterate('stream');
    const starts = requests().map((r) => r.startedAt);
    // Each stream: 100 ms to the first of the fixture's 5 blocks, then 10 ms each: closed at 140 ms.
    expect(starts.map((t) => t - (starts[0] ?? 0))).toEqual([0, 2140, 4280]);
    expect(starts[0]).toBe(before);
  });

  test('one turn (the default) sends requests as before: no turn tag, no conversation metric', async () => {
    serve('dify-chat.sse');
    const run = startRun();
    const vu = await run.loadVu({ env: { TARGET: 'dify-chat', SCENARIOS: 'stream' } });
    vu.iterate('stream', 2);
    expect(bodies().map((x) => Object.keys(x).sort())).toEqual([
      ['inputs', 'query', 'response_mode', 'user'],
      ['inputs', 'query', 'response_mode', 'user'],
    ]);
    expect(run.samples('sse_ttft').map((s) => s.tags['turn'])).toEqual([undefined, undefined]);
    expect(run.samples('sse_conversations_started')).toEqual([]);
    expect(run.samples('sse_prompt_chars')).toEqual([]);
  });
});

describe('TURNS=3, openai-chat', () => {
  test('messages carry the history: each prompt and the streamed answer', async () => {
    serve('openai-chat.sse');
    const run = startRun();
    const vu = await run.loadVu({ env: { TARGET: 'openai-chat', TURNS: '3', SCENARIOS: 'stream' } });
    vu.iterate('stream');
    const b = bodies();
    const messages = b.map((x) => x['messages'] as { role: string; content: string }[]);
    expect(messages.map((m) => m.map((x) => x.role))).toEqual([['user'], ['user', 'assistant', 'user'], ['user', 'assistant', 'user', 'assistant', 'user']]);
    // The answer: the fixture's content deltas, joined.
    const answer = splitBlocks(readFixture('openai-chat.sse'))
      .map((block) => block.replace(/^data: /, '').trim())
      .filter((d) => d.startsWith('{'))
      .map((d) => (JSON.parse(d) as { choices?: { delta?: { content?: string } }[] }).choices?.[0]?.delta?.content ?? '')
      .join('');
    expect(answer.length).toBeGreaterThan(10);
    expect(messages[2]?.[1]).toEqual({ role: 'assistant', content: answer });
    expect(messages[2]?.[3]).toEqual({ role: 'assistant', content: answer });
    expect(messages[2]?.[0]).toEqual(messages[1]?.[0]);
    expect(run.values('sse_conversations_completed')).toEqual([1]);
  });
});

describe('DATASET', () => {
  const DATA = [
    '{"prompt": "first prompt", "max_tokens": 16}',
    '',
    '{"conversations": [{"from": "system", "value": "be brief"}, {"from": "human", "value": "h1"}, {"from": "gpt", "value": "g1"}, {"from": "human", "value": "h2"}]}',
    '{"prompt": "third prompt"}',
  ].join('\n');
  const files = { '/data/d.jsonl': DATA };

  test('conversation n takes record n in order; openai-chat sends max_tokens when the record has it', async () => {
    serve('openai-chat.sse');
    const run = startRun();
    const vu = await run.loadVu({ env: { TARGET: 'openai-chat', DATASET: '/data/d.jsonl', SCENARIOS: 'stream' }, files });
    vu.iterate('stream', 4);
    const b = bodies();
    expect(b.map((x) => (x['messages'] as { content: string }[])[0]?.content)).toEqual(['first prompt', 'h1', 'third prompt', 'first prompt']);
    expect(b.map((x) => x['max_tokens'])).toEqual([16, undefined, undefined, 16]);
    expect(run.values('sse_prompt_chars')).toEqual([12, 2, 12, 12]);
  });

  test('with TURNS, a record\'s human turns come first, then the next records\'; Dify gets max_tokens as an input', async () => {
    serve('dify-chat.sse');
    const run = startRun();
    const vu = await run.loadVu({ env: { TARGET: 'dify-chat', DATASET: '/data/d.jsonl', TURNS: '3', SCENARIOS: 'stream' }, files });
    vu.iterate('stream', 2);
    const b = bodies();
    expect(b.map((x) => x['query'])).toEqual(['first prompt', 'h1', 'h2', 'h1', 'h2', 'third prompt']);
    expect(b.map((x) => x['inputs'])).toEqual([{ max_tokens: 16 }, {}, {}, {}, {}, {}]);
  });

  test('dify-workflow: the prompt is the question input, max_tokens beside it; the burst scenario takes the records too', async () => {
    serve('dify-workflow.sse');
    const run = startRun();
    const vu = await run.loadVu({ env: { DATASET: '/data/d.jsonl', SCENARIOS: 'stream,burst' }, files });
    vu.iterate('stream');
    vu.iterate('burst');
    expect(bodies().map((x) => x['inputs'])).toEqual([
      { question: 'first prompt', max_tokens: 16 },
      { question: 'first prompt', max_tokens: 16 },
      { question: 'h1' },
      { question: 'third prompt' },
    ]);
  });

  test('DATASET_ORDER=shuffled with a SEED: a fixed order other than the file\'s', async () => {
    const many = Array.from({ length: 8 }, (_, i) => `{"prompt": "p${i}"}`).join('\n');
    const order = async (seed: string): Promise<unknown[]> => {
      serve('openai-chat.sse');
      const run = startRun();
      const vu = await run.loadVu({ env: { TARGET: 'openai-chat', DATASET: '/d.jsonl', DATASET_ORDER: 'shuffled', SEED: seed, SCENARIOS: 'stream' }, files: { '/d.jsonl': many } });
      vu.iterate('stream', 8);
      const got = bodies().map((x) => (x['messages'] as { content: string }[])[0]?.content);
      endRun();
      return got;
    };
    const a = await order('one');
    expect([...a].sort()).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7']);
    expect(a).not.toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7']);
    expect(await order('one')).toEqual(a);
    expect(await order('two')).not.toEqual(a);
  });

  test('a malformed line stops the script in the init context with its line number, before any request', async () => {
    setServer(() => {
      throw new Error('no request expected');
    });
    const run = startRun();
    const bad = { '/data/d.jsonl': '{"prompt": "fine"}\n\n{"prompt": "cut off' };
    await expect(run.loadVu({ env: { DATASET: '/data/d.jsonl' }, files: bad })).rejects.toThrow(/DATASET: "\/data\/d\.jsonl" line 3: not valid JSON/);
    expect(requests()).toHaveLength(0);
  });
});
