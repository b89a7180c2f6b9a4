import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ConfigError, NO_WORKLOAD, type WorkloadConfig } from './config';
import { loadDataset, parseDataset, shuffled } from './dataset';

const W: WorkloadConfig = { ...NO_WORKLOAD, dataset: '/d.jsonl' };

function problem(text: string): string {
  try {
    parseDataset(text, W);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('parseDataset', () => {
  it('plain and ShareGPT records, one element each: [maxTokens, human turns…]; blank lines, CRLF and a BOM are fine', () => {
    const text =
      '\uFEFF{"prompt": "Hello", "max_tokens": 8}\r\n\r\n' +
      '{"conversations": [{"from": "system", "value": "sys"}, {"from": "human", "value": "q1"}, {"from": "gpt", "value": "a1"}, {"from": "user", "value": "q2"}], "max_tokens": 4}\n' +
      '{"prompt": "Bye"}\n';
    const d = parseDataset(text, W);
    expect(d.elements).toEqual(['[8,"Hello"]', '[4,"q1","q2"]', '[0,"Bye"]']);
    expect(d.info).toEqual({ path: '/d.jsonl', records: 3, prompts: 4, order: 'sequential', promptChars: { min: 2, mean: 3, max: 5 }, withMaxTokens: 2 });
  });

  it.each([
    ['{"prompt": "a"}\nnot json', 'line 2: not valid JSON'],
    ['[1, 2]', 'line 1: expected a JSON object'],
    ['{"prompt": ""}', 'line 1: "prompt" must be a non-empty string'],
    ['{"prompt": "a", "max_tokens": 0}', 'line 1: max_tokens must be an integer from 1 to 100000, got 0'],
    ['{"prompt": "a", "max_tokens": 1.5}', 'max_tokens must be an integer'],
    ['{"prompt": "a", "conversations": []}', 'has both "prompt" and "conversations"'],
    ['{"text": "a"}', 'has neither "prompt" nor "conversations"'],
    ['{"conversations": {}}', '"conversations" must be an array'],
    ['{"conversations": [{"from": "gpt", "value": "only an answer"}]}', 'has no human turn'],
    ['{"conversations": [{"from": "human"}]}', 'conversations[0].value must be a string'],
    ['{"conversations": [{"value": "x"}]}', 'conversations[0].from must be a string'],
    ['{"conversations": [{"from": "human", "value": " "}]}', 'conversations[0] is a human turn with an empty value'],
    ['\n\n', 'has no record'],
  ])('%j → %s', (text, message) => {
    const m = problem(text);
    expect(m).toContain(message);
    expect(m.startsWith('DATASET: "/d.jsonl"')).toBe(true);
  });

  it('counts line numbers over blank lines', () => {
    expect(problem('{"prompt": "a"}\n\n\n{"prompt": 1}')).toContain('line 4:');
  });

  it('DATASET_ORDER=shuffled: the records in a seeded order (the same for the same seed)', () => {
    const text = Array.from({ length: 10 }, (_, i) => `{"prompt": "p${i}"}`).join('\n');
    const a = parseDataset(text, { ...W, datasetOrder: 'shuffled', seed: 's' }).elements;
    expect([...a].sort()).toEqual(parseDataset(text, W).elements.sort());
    expect(a).not.toEqual(parseDataset(text, W).elements);
    expect(parseDataset(text, { ...W, datasetOrder: 'shuffled', seed: 's' }).elements).toEqual(a);
    expect(shuffled([1, 2, 3, 4, 5, 6], '')).toEqual(shuffled([1, 2, 3, 4, 5, 6], 'sse-bench'));
  });
});

describe('loadDataset', () => {
  it('reads nothing without DATASET', () => {
    expect(loadDataset(NO_WORKLOAD, () => { throw new Error('read'); })).toBeNull();
    expect(loadDataset(undefined, () => { throw new Error('read'); })).toBeNull();
  });

  it('an unreadable file names DATASET and the path', () => {
    expect(() => loadDataset(W, () => { throw new Error('ENOENT'); })).toThrow(/^DATASET: cannot read "\/d\.jsonl" \(ENOENT\)/);
  });

  it('the shipped datasets/synthetic-chat.jsonl is valid: plain and ShareGPT records, some with max_tokens', () => {
    const path = 'datasets/synthetic-chat.jsonl';
    const d = loadDataset({ ...W, dataset: path }, (p) => readFileSync(p, 'utf8'));
    expect(d?.info).toMatchObject({ records: 20, prompts: 35, withMaxTokens: 16 });
    expect(d?.elements.filter((e) => (JSON.parse(e) as unknown[]).length > 2)).toHaveLength(8);
  });
});
