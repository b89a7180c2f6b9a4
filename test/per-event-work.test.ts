/**
 * The per-event path's budget, counted (no timing): build/sse.js runs on the k6 doubles against
 * streams recorded from the embedded mock, once with N token events and once with 2N; what the
 * second run does more, divided by N, is what the script does per event. In k6's interpreter
 * each `JSON.parse` of an event costs 11–14 µs, a regex 2.6 µs, a metric `add` 2.5–4.6 µs and a
 * per-character loop ~300 ns per character (/work/shared/k6-runtime-costs.md): this test fails
 * when someone puts one of them back on the per-event path.
 */
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { recordStreams, type RecordedStream } from '../perf/handler-cost-streams.ts';
import { endRun, ensureBuilt, setServer, startRun } from './k6-harness.ts';

const N = 40;
let short: RecordedStream[] = [];
let long: RecordedStream[] = [];

beforeAll(async () => {
  ensureBuilt();
  [short, long] = [await recordStreams(N), await recordStreams(2 * N)];
}, 30_000);
afterEach(endRun);

interface Work {
  /** Samples of the suite's own metrics (the extension's `sse_event` and `http_*` left out). */
  metricAdds: number;
  jsonParse: number;
  regexExec: number;
  charCodeAt: number;
  otherCharReads: number;
  dateNow: number;
  events: number;
}

/** Replaces `obj[key]` by a counting wrapper; returns the function that restores it. */
function count<T extends object>(obj: T, key: keyof T & string, work: Work, field: keyof Work): () => void {
  const original = obj[key] as unknown as (...args: unknown[]) => unknown;
  (obj as Record<string, unknown>)[key] = function (this: unknown, ...args: unknown[]) {
    work[field]++;
    return original.apply(this, args);
  };
  return () => {
    (obj as Record<string, unknown>)[key] = original;
  };
}

function sseText(stream: RecordedStream): string {
  return stream.events.map((e) => (e.name === 'ping' ? 'event: ping\n\n' : `data: ${e.data}\n\n`)).join('');
}

/** One iteration of `scenario` against `stream`, with the expensive operations counted. */
async function work(stream: RecordedStream, scenario: 'stream' | 'burst', env: Record<string, string> = {}): Promise<Work> {
  setServer(() => ({ kind: 'response', chunks: [{ at: 50, text: sseText(stream) }] }));
  const run = startRun();
  const vu = await run.loadVu({ env: { TARGET: stream.target, ...env }, files: DATASET_FILES });
  const w: Work = { metricAdds: 0, jsonParse: 0, regexExec: 0, charCodeAt: 0, otherCharReads: 0, dateNow: 0, events: 0 };
  const restore = [
    count(JSON, 'parse', w, 'jsonParse'),
    count(RegExp.prototype, 'exec', w, 'regexExec'), // every regex use (test, match, search, replace, split) goes through exec
    count(String.prototype, 'charCodeAt', w, 'charCodeAt'),
    count(String.prototype, 'codePointAt', w, 'otherCharReads'),
    count(String.prototype, 'charAt', w, 'otherCharReads'),
    count(Date, 'now', w, 'dateNow'),
  ];
  try {
    vu.iterate(scenario);
  } finally {
    for (const r of restore.reverse()) r();
  }
  const samples = run.samples().filter((s) => s.metric !== 'sse_event' && !s.metric.startsWith('http_'));
  w.metricAdds = samples.length;
  w.events = run.samples('sse_event').length;
  expect(run.values('sse_stream_success').every((v) => v === 1)).toBe(true);
  endRun();
  return w;
}

/** What one more event costs: (work at 2N tokens − work at N tokens) / N, per counter. */
async function perEvent(name: string, scenario: 'stream' | 'burst', env: Record<string, string> = {}): Promise<Record<keyof Work, number>> {
  const a = await work(short.find((s) => s.name === name)!, scenario, env);
  const b = await work(long.find((s) => s.name === name)!, scenario, env);
  const added = b.events - a.events;
  expect(added).toBeGreaterThanOrEqual(N); // scenario burst sends three requests: 3N
  const out = {} as Record<keyof Work, number>;
  for (const k of Object.keys(a) as (keyof Work)[]) out[k] = (b[k] - a[k]) / added;
  return out;
}

const STREAMS = ['Dify, ASCII', 'Dify, Chinese', 'OpenAI, ASCII', 'OpenAI, Chinese'];

/** A DATASET for the runs that set one (read only when DATASET names it). */
const DATASET_FILES = { '/data/d.jsonl': '{"prompt": "one", "max_tokens": 64}\n{"conversations": [{"from": "human", "value": "two"}, {"from": "gpt", "value": "ok"}, {"from": "human", "value": "three"}]}\n' };

describe('per event, by default (stream scenario)', () => {
  // JSON_CHECK=full, the default: exact, so one JSON.parse per event — what the bare reference does too.
  test.each(STREAMS)('%s: one JSON.parse (the exact check), no metric sample, no regex, one Date.now, at most one charCodeAt', async (name) => {
    const w = await perEvent(name, 'stream');
    expect(w).toMatchObject({ metricAdds: 0, jsonParse: 1, regexExec: 0, otherCharReads: 0, dateNow: 1, events: 1 });
    expect(w.charCodeAt).toBe(name.startsWith('OpenAI') ? 1 : 0); // OpenAI: the first character tells `[DONE]` from a chunk
  });

  test('no per-character loop: the charCodeAt calls per event do not depend on the text', async () => {
    const ascii = await perEvent('OpenAI, ASCII', 'stream');
    const cjk = await perEvent('OpenAI, Chinese', 'stream');
    expect(cjk.charCodeAt).toBe(ascii.charCodeAt);
    const difyAscii = await perEvent('Dify, ASCII', 'stream');
    const difyCjk = await perEvent('Dify, Chinese', 'stream');
    expect(difyCjk.charCodeAt).toBe(difyAscii.charCodeAt);
  });
});

describe('per event, burst scenario', () => {
  test.each(STREAMS)('%s: nothing but the terminal check', async (name) => {
    const w = await perEvent(name, 'burst');
    expect(w).toMatchObject({ metricAdds: 0, jsonParse: 0, regexExec: 0, otherCharReads: 0 });
    expect(w.charCodeAt).toBeLessThanOrEqual(2);
    expect(w.dateNow).toBe(1);
  });
});

describe('per event, with DATASET and TURNS (the budget of the default holds)', () => {
  test.each(STREAMS)('DATASET, %s: one JSON.parse, no metric sample, no regex, one Date.now', async (name) => {
    const w = await perEvent(name, 'stream', { DATASET: '/data/d.jsonl' });
    expect(w).toMatchObject({ metricAdds: 0, jsonParse: 1, regexExec: 0, otherCharReads: 0, dateNow: 1, events: 1 });
    expect(w.charCodeAt).toBe(name.startsWith('OpenAI') ? 1 : 0);
  });

  test.each(['OpenAI, ASCII', 'OpenAI, Chinese'])('TURNS=2 and DATASET, %s: the answer text is appended for the next turn, and nothing else is added', async (name) => {
    const w = await perEvent(name, 'stream', { TURNS: '2', DATASET: '/data/d.jsonl' });
    expect(w).toMatchObject({ metricAdds: 0, jsonParse: 1, regexExec: 0, otherCharReads: 0, dateNow: 1, events: 1, charCodeAt: 1 });
  });

  test.each(['Dify, ASCII', 'Dify, Chinese'])('TURNS=2 with dify-chat, %s: nothing added (the conversation id comes from message_end, parsed anyway)', async (name) => {
    // The recorded Dify streams are a workflow's: read as a chatflow's answer ending at workflow_finished.
    const w = await perEvent(name, 'stream', { TARGET: 'dify-chat', TERMINAL_EVENTS: 'workflow_finished', TURNS: '2' });
    expect(w).toMatchObject({ metricAdds: 0, jsonParse: 1, regexExec: 0, otherCharReads: 0, dateNow: 1, events: 1, charCodeAt: 0 });
  });
});

describe('per event, with the settings that document their cost', () => {
  test.each(STREAMS)('JSON_CHECK=structural, %s: no JSON.parse, a fixed handful of charCodeAt', async (name) => {
    const w = await perEvent(name, 'stream', { JSON_CHECK: 'structural' });
    expect(w).toMatchObject({ metricAdds: 0, jsonParse: 0, regexExec: 0, otherCharReads: 0, dateNow: 1, events: 1 });
    expect(w.charCodeAt).toBeLessThanOrEqual(4); // OpenAI: the brace, the content value (2), the closing brace
  });

  test('JSON_CHECK=structural: the charCodeAt calls per event do not depend on the text', async () => {
    const structural = { JSON_CHECK: 'structural' };
    expect((await perEvent('OpenAI, Chinese', 'stream', structural)).charCodeAt).toBe((await perEvent('OpenAI, ASCII', 'stream', structural)).charCodeAt);
    expect((await perEvent('Dify, Chinese', 'stream', structural)).charCodeAt).toBe((await perEvent('Dify, ASCII', 'stream', structural)).charCodeAt);
  });

  test('INTER_EVENT_SAMPLES=true: one metric sample per event', async () => {
    const w = await perEvent('OpenAI, ASCII', 'stream', { INTER_EVENT_SAMPLES: 'true' });
    expect(w).toMatchObject({ metricAdds: 1, jsonParse: 1, regexExec: 0 });
  });

  test('DATA_BYTES=true: no regex and no per-character loop either (k6/encoding does the UTF-8 work natively)', async () => {
    const ascii = await perEvent('Dify, ASCII', 'stream', { DATA_BYTES: 'true' });
    const cjk = await perEvent('Dify, Chinese', 'stream', { DATA_BYTES: 'true' });
    expect(ascii).toMatchObject({ metricAdds: 0, jsonParse: 1, regexExec: 0 });
    expect(cjk.charCodeAt).toBe(ascii.charCodeAt);
  });
});
