/**
 * Dify targets (`dify-workflow`, `dify-chat`): request bodies and event interpretation.
 * Dify writes every event as `data: {"event": "<type>", …}` (docs/dify-sse-protocol.md).
 *
 * - content events: `text_chunk`, `message`, `agent_message` (the same for both targets,
 *   so a chatflow app works with either);
 * - `error` → server_error_event, close; `workflow_finished` whose `data.status` is not
 *   `succeeded` → server_error_event, close;
 * - a type in TERMINAL_EVENTS ends the stream (close at once) — except `message_end` in a
 *   stream that began with `workflow_started` (a chatflow): the answer is complete, so the
 *   stream already counts as ended, but the client keeps reading for `workflow_finished`
 *   (its status and `dify_workflow_elapsed`), then closes;
 * - `node_finished` → `dify_node_elapsed{node_type}`; an `llm` node's
 *   `outputs.usage.completion_tokens` is summed; `message_end`'s
 *   `metadata.usage.completion_tokens` wins over it.
 * Pure: no k6 import.
 */
import { sniffEventType } from './event-sniff.ts';
import {
  V_BAD_JSON,
  V_CONTENT,
  V_END,
  V_END_WAIT,
  V_FAIL,
  V_OTHER,
  type Interpreter,
  type StreamNotes,
  type Verdict,
} from './stream-tracker.ts';

export function difyWorkflowBody(question: string, user: string): string {
  return JSON.stringify({ inputs: { question }, response_mode: 'streaming', user });
}

export function difyChatBody(question: string, user: string): string {
  return JSON.stringify({ inputs: {}, query: question, response_mode: 'streaming', user });
}

/** The parts of a Dify event this suite reads (all optional: servers vary). */
interface DifyMessage {
  readonly event?: unknown;
  readonly data?: {
    readonly status?: unknown;
    readonly elapsed_time?: unknown;
    readonly node_type?: unknown;
    readonly outputs?: { readonly usage?: { readonly completion_tokens?: unknown } } | null;
  } | null;
  readonly metadata?: { readonly usage?: { readonly completion_tokens?: unknown } } | null;
}

/** A JSON object, or `undefined` for anything else (not JSON, or JSON but not an object). */
function parseObject(data: string): DifyMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return undefined;
  }
  return value !== null && typeof value === 'object' ? (value as DifyMessage) : undefined;
}

function isContent(type: string): boolean {
  return type === 'text_chunk' || type === 'message' || type === 'agent_message';
}

function nodeFinished(msg: DifyMessage, notes: StreamNotes): void {
  const d = msg.data;
  if (!d) return;
  const nodeType = typeof d.node_type === 'string' ? d.node_type : 'unknown';
  if (typeof d.elapsed_time === 'number') notes.nodeElapsed(nodeType, d.elapsed_time);
  const tokens = d.outputs?.usage?.completion_tokens;
  if (nodeType === 'llm' && typeof tokens === 'number') notes.addUsage(tokens);
}

/**
 * Everything after content: ends, failures, chatflow. `msg` is the parsed event when the
 * caller has it (stream scenario); the burst scenario passes `undefined` and the event is
 * parsed here only when its fields matter (`workflow_finished`: once per stream).
 */
function endOf(type: string, msg: DifyMessage | undefined, data: string, terminal: ReadonlySet<string>, notes: StreamNotes): Verdict {
  if (type === 'error') return V_FAIL;
  if (type === 'workflow_finished') {
    const m = msg ?? parseObject(data);
    if (m === undefined) return V_BAD_JSON;
    const d = m.data;
    if (d && typeof d.elapsed_time === 'number') notes.workflowElapsed(d.elapsed_time);
    if (!d || d.status !== 'succeeded') return V_FAIL;
    if (notes.terminalSeen) return V_END; // chatflow: message_end came first
  } else if (type === 'message_end' && msg !== undefined) {
    const tokens = msg.metadata?.usage?.completion_tokens;
    if (typeof tokens === 'number') notes.setUsage(tokens);
  } else if (type === 'workflow_started') {
    notes.workflowStarted = true;
  }
  if (!terminal.has(type)) return V_OTHER;
  return type === 'message_end' && notes.workflowStarted ? V_END_WAIT : V_END;
}

/** Stream scenario: one `JSON.parse` per event (invalid JSON is detected, fields are read). */
export function difyStreamInterpreter(terminal: ReadonlySet<string>): Interpreter {
  return (data, _event, notes) => {
    if (data === '') return V_OTHER; // a named event without data: counted, nothing to parse
    const msg = parseObject(data);
    if (msg === undefined) return V_BAD_JSON;
    const type = typeof msg.event === 'string' ? msg.event : '';
    if (isContent(type)) return V_CONTENT;
    if (type === 'node_finished') nodeFinished(msg, notes);
    return endOf(type, msg, data, terminal, notes);
  };
}

/**
 * Burst scenario: the type is sniffed from the text (no parse); `JSON.parse` only when the
 * sniff fails or the event's fields decide the outcome. Content is not tracked.
 */
export function difyBurstInterpreter(terminal: ReadonlySet<string>): Interpreter {
  return (data, _event, notes) => {
    if (data === '') return V_OTHER;
    let type = sniffEventType(data);
    let msg: DifyMessage | undefined;
    if (type === '') {
      msg = parseObject(data);
      if (msg === undefined) return V_BAD_JSON;
      type = typeof msg.event === 'string' ? msg.event : '';
    }
    if (isContent(type)) return V_OTHER;
    return endOf(type, msg, data, terminal, notes);
  };
}
