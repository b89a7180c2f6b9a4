import type { EventSourceMessage } from 'eventsource-parser';
import { describe, expect, test } from 'vitest';
import { readFixture, specEvents } from '../../test/k6-harness.ts';
import { loadConfig } from '../init/config.ts';
import { V_BAD_JSON, V_CONTENT, V_END, V_END_WAIT, V_FAIL, V_OTHER, type Interpreter, type InterpreterConfig, type StreamNotes } from './interpreter.ts';
import type { SampleSink, Tags } from './stream-tracker.ts';
import { difyInterpreter } from './target-dify.ts';
import { genericInterpreter } from './target-generic.ts';
import { contentTextTest, openaiInterpreter } from './target-openai.ts';
import { createTarget } from './targets.ts';

function fixtureEvents(name: string): EventSourceMessage[] {
  return specEvents(readFixture(name)).filter((e) => e.event !== 'ping');
}

/** The notes an interpreter writes, and (as its sink) the node and workflow times it records, in seconds as Dify sent them. */
class Notes implements StreamNotes, SampleSink {
  events = 0; // the tracker's count, passed to the interpreter
  terminalSeen = false;
  workflowStarted = false;
  cancelled = false;
  usage = -1;
  partUsage = 0;
  nodes: [string, number][] = [];
  workflows: number[] = [];
  add(metric: string, value: number, tags?: Tags): void {
    if (metric === 'difyNodeElapsed') this.nodes.push([tags?.['node_type'] ?? '', value / 1000]);
    else if (metric === 'difyWorkflowElapsed') this.workflows.push(value / 1000);
  }
}

const NO_SINK: SampleSink = { add: () => {} };
/** The interpreters' part of a configuration: TERMINAL_EVENTS, JSON_CHECK, MAX_EVENTS. */
const settings = (terminalEvents: readonly string[], full = true, maxEvents = 0): InterpreterConfig => ({ terminalEvents, jsonCheck: full ? 'full' : 'structural', maxEvents });
const difyStreamInterpreter = (terminal: readonly string[], full: boolean, sink: SampleSink = NO_SINK): Interpreter => difyInterpreter(settings(terminal, full), true, sink);
const difyBurstInterpreter = (terminal: readonly string[], sink: SampleSink = NO_SINK): Interpreter => difyInterpreter(settings(terminal), false, sink);
const openaiStreamInterpreter = (terminal: readonly string[], full: boolean): Interpreter => openaiInterpreter(settings(terminal, full), true, NO_SINK);
const openaiBurstInterpreter = (terminal: readonly string[]): Interpreter => openaiInterpreter(settings(terminal), false, NO_SINK);
const hasContentText = contentTextTest();

/** Verdicts of an interpreter over events, with the tracker's bookkeeping of `events`/`terminalSeen`. */
function verdicts(interpret: Interpreter, events: { data: string; event?: string | undefined }[], notes = new Notes()): number[] {
  return events.map((e) => {
    notes.events++;
    const v = interpret(e.data, { id: '', name: e.event ?? '', data: e.data, comment: '' }, notes.events, notes);
    if (v === V_END_WAIT) notes.terminalSeen = true;
    return v;
  });
}

/** The stream interpreters in both JSON_CHECK modes: every recorded stream reads the same. */
const CHECKS = [
  ['structural', false],
  ['full', true],
] as const;

const DIFY_WF = ['workflow_finished', 'error'];
const DIFY_CHAT = ['message_end', 'error'];
const O = V_OTHER;
const C = V_CONTENT;

describe('dify', () => {
  test.each(CHECKS)('workflow stream (%s check): content = text_chunk, node/workflow elapsed, LLM usage, end on workflow_finished', (_c, full) => {
    const notes = new Notes();
    expect(verdicts(difyStreamInterpreter(DIFY_WF, full, notes), fixtureEvents('dify-workflow.sse'), notes)).toEqual([O, O, O, O, C, C, C, C, C, O, O, O, V_END]);
    expect(notes.nodes).toEqual([
      ['start', 0.012345],
      ['llm', 1.5],
      ['end', 0.002],
    ]);
    expect(notes.workflows).toEqual([1.75]);
    expect(notes.partUsage).toBe(7);
    expect(notes.workflowStarted).toBe(true);
  });

  test('workflow burst: sniffed, content not tracked, the end still detected', () => {
    const notes = new Notes();
    expect(verdicts(difyBurstInterpreter(DIFY_WF, notes), fixtureEvents('dify-workflow.sse'), notes)).toEqual([O, O, O, O, O, O, O, O, O, O, O, O, V_END]);
    expect(notes.nodes).toEqual([]);
    expect(notes.workflows).toEqual([1.75]);
  });

  test.each([
    ['stream (structural)', (t: readonly string[]) => difyStreamInterpreter(t, false)],
    ['stream (full)', (t: readonly string[]) => difyStreamInterpreter(t, true)],
    ['burst', (t: readonly string[]) => difyBurstInterpreter(t)],
  ])('%s: failed workflow and error event → V_FAIL', (_m, make) => {
    const failed = fixtureEvents('dify-workflow-failed.sse');
    expect(verdicts(make(DIFY_WF), failed).at(-1)).toBe(V_FAIL);
    expect(verdicts(make(DIFY_WF), fixtureEvents('dify-error.sse')).at(-1)).toBe(V_FAIL);
  });

  test.each(CHECKS)('chat (%s check): message events are content; message_end ends and carries usage', (_c, full) => {
    const notes = new Notes();
    expect(verdicts(difyStreamInterpreter(DIFY_CHAT, full), fixtureEvents('dify-chat.sse'), notes)).toEqual([C, C, C, C, V_END]);
    expect(notes.usage).toBe(11);
  });

  test('chatflow: message_end → end-wait, then workflow_finished closes', () => {
    for (const make of [(t: readonly string[]) => difyStreamInterpreter(t, false), (t: readonly string[]) => difyStreamInterpreter(t, true), (t: readonly string[]) => difyBurstInterpreter(t)]) {
      const v = verdicts(make(DIFY_CHAT), fixtureEvents('dify-chatflow.sse'));
      expect(v.slice(-2)).toEqual([V_END_WAIT, V_END]);
    }
  });

  test('invalid JSON and non-object JSON → V_BAD_JSON; unknown types and data-less events are just counted', () => {
    const events = [{ data: '{oops' }, { data: '42' }, { data: 'null' }, { data: '{"event": "tts_message", "audio": ""}' }, { data: '', event: 'x' }];
    expect(verdicts(difyStreamInterpreter(DIFY_WF, false), events)).toEqual([V_BAD_JSON, V_BAD_JSON, V_BAD_JSON, O, O]);
    expect(verdicts(difyStreamInterpreter(DIFY_WF, true), events)).toEqual([V_BAD_JSON, V_BAD_JSON, V_BAD_JSON, O, O]);
    expect(verdicts(difyBurstInterpreter(DIFY_WF), events)).toEqual([V_BAD_JSON, V_BAD_JSON, V_BAD_JSON, O, O]);
  });

  test('burst falls back to JSON.parse when the event key is not first', () => {
    expect(verdicts(difyBurstInterpreter(DIFY_WF), [{ data: '{"task_id": "t", "event": "workflow_finished", "data": {"status": "succeeded"}}' }])).toEqual([V_END]);
  });

  test('workflow_finished without a status fails; with one not listed as terminal it is just counted', () => {
    expect(verdicts(difyStreamInterpreter(DIFY_WF, false), [{ data: '{"event": "workflow_finished", "data": {}}' }])).toEqual([V_FAIL]);
    expect(verdicts(difyStreamInterpreter(['x'], false), [{ data: '{"event": "workflow_finished", "data": {"status": "succeeded"}}' }])).toEqual([O]);
  });

  test('structural check: a cut-off event of any type is invalid JSON; orjson\'s compact form reads the same', () => {
    const events = [
      { data: '{"event": "text_chunk", "data": {"text": "unterminated' },
      { data: '{"event": "node_started", "data": {"id": "n"' },
      { data: '{"event":"text_chunk","data":{"text":"机器"}}' },
      { data: '{"event":"message","answer":"hi"}' },
      { data: '{"event":"message_end","metadata":{"usage":{"completion_tokens":3}}}' },
      { data: '{"event":"workflow_started","data":{}}' },
      { data: '{"event": "message_end", "metadata": {"usage": {"completion_tokens": 4' }, // parsed: a cut shows
    ];
    for (const full of [false, true]) {
      const notes = new Notes();
      expect(verdicts(difyStreamInterpreter(DIFY_CHAT, full), events, notes)).toEqual([V_BAD_JSON, V_BAD_JSON, C, C, V_END, O, V_BAD_JSON]);
      expect(notes.usage).toBe(3);
    }
  });

  test('what only JSON_CHECK=full catches: malformed JSON inside a content event that still ends like an object', () => {
    const events = [{ data: '{"event": "text_chunk", "data": {"text": "a" "b"}}' }];
    expect(verdicts(difyStreamInterpreter(DIFY_WF, false), events)).toEqual([C]);
    expect(verdicts(difyStreamInterpreter(DIFY_WF, true), events)).toEqual([V_BAD_JSON]);
  });

  test('an event type with an escape, or the event key not first, is parsed', () => {
    const events = [{ data: '{"event": "text\\u005fchunk", "data": {}}' }, { data: '{"task_id": "t", "event": "text_chunk", "data": {"text": "x"}}' }];
    expect(verdicts(difyStreamInterpreter(DIFY_WF, false), events)).toEqual([C, C]); // JSON.parse unescapes text_chunk
  });
});

describe('openai', () => {
  const TERMINAL = ['[DONE]'];
  test.each(CHECKS)('stream (%s check): role-only delta is not content; usage chunk; [DONE] ends', (_c, full) => {
    const notes = new Notes();
    expect(verdicts(openaiStreamInterpreter(TERMINAL, full), fixtureEvents('openai-chat.sse'), notes)).toEqual([O, C, C, C, C, C, O, O, V_END]);
    expect(notes.usage).toBe(5);
  });

  test('burst: only [DONE]', () => {
    expect(verdicts(openaiBurstInterpreter(TERMINAL), fixtureEvents('openai-chat.sse'))).toEqual([O, O, O, O, O, O, O, O, V_END]);
  });

  test('bad JSON, an error chunk, [DONE] when not listed', () => {
    const events = [{ data: '{"choices": [' }, { data: '{"error":{"message":"x"}}' }, { data: '[DONE]' }, { data: 'plain' }];
    expect(verdicts(openaiStreamInterpreter([], false), events)).toEqual([V_BAD_JSON, V_FAIL, O, V_BAD_JSON]);
    expect(verdicts(openaiStreamInterpreter([], true), events)).toEqual([V_BAD_JSON, V_FAIL, O, V_BAD_JSON]);
  });

  test.each([
    ['{"choices":[{"delta":{"content":"Hi"}}]}', true],
    ['{"choices": [{"delta": {"content": "Hi"}}]}', true], // Python json.dumps spacing
    ['{"choices":[{"delta":{"content":"机"}}]}', true],
    ['{"choices":[{"delta":{"content":"\\""}}]}', true], // an escaped quote is content
    ['{"choices":[{"delta":{"role":"assistant","content":""}}]}', false],
    ['{"choices":[{"delta":{"content":null}}]}', false],
    ['{"choices":[{"delta":{"reasoning_content":"thinking"}}]}', false],
    ['{"choices":[{"delta":{},"logprobs":{"content":[]}}]}', false],
    ['{"choices":[],"usage":{"completion_tokens":5}}', false],
  ])('hasContentText(%s) = %s', (data, expected) => expect(hasContentText(data)).toBe(expected));

  test('structural check: a cut-off token chunk is invalid JSON; non-token chunks are parsed', () => {
    const events = [{ data: '{"choices":[{"delta":{"content":"Hi, wor' }, { data: '{"choices":[{"delta":{"content":""}}],"usage":{"completion_tokens":7}}' }];
    for (const full of [false, true]) {
      const notes = new Notes();
      expect(verdicts(openaiStreamInterpreter(TERMINAL, full), events, notes)).toEqual([V_BAD_JSON, O]);
      expect(notes.usage).toBe(7);
    }
  });
});

describe('generic', () => {
  test('every event is content; a listed name (CRLF too) or short data ends; MAX_EVENTS ends', () => {
    const interp = genericInterpreter(settings(['done', '[DONE]']), true, NO_SINK);
    expect(verdicts(interp, [{ data: 'a' }, { data: 'b', event: 'done\r' }])).toEqual([C, V_END]);
    expect(verdicts(interp, [{ data: '[DONE]' }])).toEqual([V_END]);
    expect(verdicts(genericInterpreter(settings([], true, 2), true, NO_SINK), [{ data: 'a' }, { data: 'b' }])).toEqual([C, V_END]);
    expect(verdicts(genericInterpreter(settings([]), false, NO_SINK), [{ data: 'a' }])).toEqual([O]);
  });
});

describe('createTarget', () => {
  test.each([
    ['dify-workflow', 'http://h:1/v1/workflows/run', { inputs: { question: 'Q' }, response_mode: 'streaming', user: 'U' }],
    ['dify-chat', 'http://h:1/v1/chat-messages', { inputs: {}, query: 'Q', response_mode: 'streaming', user: 'U' }],
    [
      'openai-chat',
      'http://h:1/v1/chat/completions',
      { model: 'm1', messages: [{ role: 'user', content: 'Q' }], stream: true, stream_options: { include_usage: true }, user: 'U' },
    ],
  ])('%s request', (target, url, body) => {
    const env: Record<string, string> = { TARGET: target, BASE_URL: 'http://h:1', STREAM_TIMEOUT: '90s' };
    if (target === 'openai-chat') env['MODEL'] = 'm1';
    const t = createTarget(loadConfig(env));
    const req = t.request('Q', 'U');
    expect(req.url).toBe(url);
    expect(req.params).toEqual({ method: 'POST', headers: { 'Content-Type': 'application/json' }, timeout: '90s', body: JSON.stringify(body) });
  });

  test('generic: METHOD and BODY as given, no body when empty', () => {
    const get = createTarget(loadConfig({ TARGET: 'generic', BASE_URL: 'http://h:1', ENDPOINT: '/sse' })).request('Q', 'U');
    expect(get).toEqual({ url: 'http://h:1/sse', params: { method: 'GET', headers: {}, timeout: '60s' } });
    const post = createTarget(loadConfig({ TARGET: 'generic', METHOD: 'POST', BODY: 'x=1' })).request('Q', 'U');
    expect(post.params).toMatchObject({ method: 'POST', body: 'x=1', headers: {} });
  });

  test('the API key only in Authorization', () => {
    const t = createTarget(loadConfig({ TARGET: 'dify-workflow', API_KEY: 'app-k' }));
    const req = t.request('Q', 'U');
    expect(req.params.headers).toEqual({ 'Content-Type': 'application/json', Authorization: 'Bearer app-k' });
    expect(req.params.body).not.toContain('app-k');
    expect(JSON.stringify(t.mode('stream', NO_SINK))).not.toContain('app-k');
  });

  test('stream mode tracks detail; burst does not; generic needs no terminal', () => {
    const t = createTarget(loadConfig({ TARGET: 'dify-workflow' }));
    expect(t.mode('stream', NO_SINK)).toMatchObject({ detail: true, needsTerminal: true });
    expect(t.mode('burst', NO_SINK)).toMatchObject({ detail: false, needsTerminal: true });
    expect(createTarget(loadConfig({ TARGET: 'generic' })).mode('stream', NO_SINK).needsTerminal).toBe(false);
  });

  test('the request headers are one frozen object, shared by every request', () => {
    const t = createTarget(loadConfig({ TARGET: 'dify-workflow' }));
    const headers = t.request('a', 'u').params.headers;
    expect(Object.isFrozen(headers)).toBe(true);
    expect(t.request('b', 'u').params.headers).toBe(headers);
    expect(createTarget(loadConfig({ TARGET: 'generic', METHOD: 'POST', BODY: ' [1]' })).request('q', 'u').params.headers).toEqual({ 'Content-Type': 'application/json' });
  });
});

describe('JSON_CHECK=full (the default): every truncation of a JSON payload is invalid_json', () => {
  // Cut at every length from 1 character to the last one: a truncated write, whatever a proxy or a
  // loaded server cuts. The structural check misses the cuts that still end with `}` (nested objects).
  const DIFY_CHUNK = '{"event": "text_chunk", "workflow_run_id": "r-1", "task_id": "t-1", "data": {"text": "你好, wor", "from_variable_selector": ["llm", "text"]}}';
  const OPENAI_CHUNK = '{"id":"c-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Hi, wor"},"finish_reason":null}]}';
  const cuts = (text: string): string[] => Array.from({ length: text.length - 1 }, (_, i) => text.slice(0, i + 1));

  test.each([
    ['dify-workflow', DIFY_CHUNK],
    ['dify-chat', DIFY_CHUNK.replace('text_chunk', 'message')],
    ['openai-chat', OPENAI_CHUNK],
  ])('%s', (target, whole) => {
    const stream = createTarget(loadConfig({ TARGET: target })).mode('stream', NO_SINK).interpret;
    const notes = new Notes();
    expect(verdicts(stream, [{ data: whole }], notes)).toEqual([C]);
    const bad = cuts(whole).filter((cut) => verdicts(stream, [{ data: cut }], new Notes())[0] !== V_BAD_JSON);
    expect(bad).toEqual([]);
    // What the structural check lets through, for the record: the cuts that end with a nested `}`.
    const structural = createTarget(loadConfig({ TARGET: target, JSON_CHECK: 'structural' })).mode('stream', NO_SINK).interpret;
    const missed = cuts(whole).filter((cut) => verdicts(structural, [{ data: cut }], new Notes())[0] !== V_BAD_JSON);
    expect(missed.length).toBeGreaterThan(0);
    expect(missed.every((cut) => cut.endsWith('}'))).toBe(true);
  });
});

describe('what a conversation\'s next turn reads (AnswerNotes, TURNS > 1)', () => {
  test.each(CHECKS)('dify-chat (%s check): message_end\'s conversation_id; the verdicts are unchanged', (_c, full) => {
    const answer = { conversationId: '', text: '', collectText: false };
    const events = fixtureEvents('dify-chat.sse');
    expect(verdicts(difyInterpreter(settings(DIFY_CHAT, full), true, NO_SINK, answer), events)).toEqual(verdicts(difyStreamInterpreter(DIFY_CHAT, full), events));
    expect(answer.conversationId).toBe('c4d5e6f7-0a1b-4c2d-8e3f-4a5b6c7d8e9f');
    expect(answer.text).toBe('');
  });

  test.each(CHECKS)('openai-chat (%s check): the content deltas appended to text; the verdicts are unchanged', (_c, full) => {
    const answer = { conversationId: '', text: '', collectText: true };
    const events = fixtureEvents('openai-chat.sse');
    expect(verdicts(openaiInterpreter(settings(TERMINAL_DONE, full), true, NO_SINK, answer), events)).toEqual(verdicts(openaiStreamInterpreter(TERMINAL_DONE, full), events));
    const expected = events
      .filter((e) => e.data.startsWith('{'))
      .map((e) => (JSON.parse(e.data) as { choices?: { delta?: { content?: string } }[] }).choices?.[0]?.delta?.content ?? '')
      .join('');
    expect(expected.length).toBeGreaterThan(0);
    expect(answer.text).toBe(expected);
  });

  test('openai-chat without collectText: the default interpreter, nothing collected', () => {
    const answer = { conversationId: '', text: '', collectText: false };
    verdicts(openaiInterpreter(settings(TERMINAL_DONE), true, NO_SINK, answer), fixtureEvents('openai-chat.sse'));
    expect(answer.text).toBe('');
  });
});

const TERMINAL_DONE = ['[DONE]'];
