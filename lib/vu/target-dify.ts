/**
 * Dify targets (`dify-workflow`, `dify-chat`): request bodies and event interpretation.
 * Dify writes every event as `data: {"event": "<type>", …}` (docs/dify-sse-protocol.md), so the
 * type is read from that prefix (lib/vu/event-sniff.ts) and `JSON.parse` runs only where a field
 * decides something:
 *
 * - content events (`text_chunk`, `message`, `agent_message`: the bulk of a stream) are not
 *   parsed; JSON_CHECK=structural checks that the text ends like a JSON object, JSON_CHECK=full
 *   parses them too;
 * - `node_finished` (node time, LLM usage), `workflow_finished` (status, time), `message_end`
 *   (usage) are parsed — a few per stream;
 * - `error` → server_error_event, close; `workflow_finished` whose `data.status` is not
 *   `succeeded` → server_error_event, close;
 * - a type in TERMINAL_EVENTS ends the stream (close at once) — except `message_end` in a
 *   stream that began with `workflow_started` (a chatflow): the answer is complete, so the
 *   stream already counts as ended, but the client keeps reading for `workflow_finished`
 *   (its status and `dify_workflow_elapsed`), then closes;
 * - any other type is counted and structurally checked; text that does not start with the
 *   `"event"` key is parsed (and is invalid_json when it is not a JSON object).
 * The burst scenario reads only what decides the outcome: no content check, no node times.
 * Pure: no k6 import.
 */
import { hasEscape, sniffEventType } from './event-sniff.ts';
import { Verdict, endsLikeObject, parseObject, type AnswerNotes, type Interpreter, type NameSet, type StreamNotes } from './interpreter.ts';

export const difyWorkflowBody = (question: string, user: string): string => {
  return JSON.stringify({ inputs: { question }, response_mode: 'streaming', user });
};

export const difyChatBody = (question: string, user: string): string => {
  return JSON.stringify({ inputs: {}, query: question, response_mode: 'streaming', user });
};

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
  readonly conversation_id?: unknown;
}

/** Dify's interpreters: what `difyInterpreters()` returns. */
export interface DifyInterpreters {
  stream(terminal: NameSet, fullCheck: boolean): Interpreter;
  burst(terminal: NameSet): Interpreter;
}

/**
 * Dify's event interpretation, made only when a Dify target is chosen (lib/vu/targets.ts): its
 * helpers are created inside this factory, so a VU of another target never builds them (every
 * function object costs each VU memory in k6; see docs/metrics-and-faults.md#per-vu-work).
 * `answer` (TURNS > 1): `message_end`'s `conversation_id` is written there, for the next turn.
 */
export const difyInterpreters = (answer?: AnswerNotes): DifyInterpreters => {
  /** Types whose fields the suite reads: the only ones JSON_CHECK=structural parses when their type is sniffed. */
  const isParsedType = (type: string): boolean => {
    return type === 'node_finished' || type === 'workflow_finished' || type === 'message_end';
  };

  const nodeFinished = (msg: DifyMessage, notes: StreamNotes): void => {
    const d = msg.data;
    if (!d) return;
    const nodeType = typeof d.node_type === 'string' ? d.node_type : 'unknown';
    if (typeof d.elapsed_time === 'number') notes.nodeElapsed(nodeType, d.elapsed_time);
    const tokens = d.outputs?.usage?.completion_tokens;
    if (nodeType === 'llm' && typeof tokens === 'number') notes.addUsage(tokens);
  };

  /** A non-content event, parsed (`msg`) when its fields matter. */
  const interpretParsed = (type: string, msg: DifyMessage, terminal: NameSet, notes: StreamNotes): Verdict => {
    if (type === 'workflow_finished') {
      const d = msg.data;
      if (d && typeof d.elapsed_time === 'number') notes.workflowElapsed(d.elapsed_time);
      if (!d || d.status !== 'succeeded') return Verdict.Fail;
      if (notes.terminalSeen) return Verdict.End; // chatflow: message_end came first
    } else if (type === 'message_end') {
      const tokens = msg.metadata?.usage?.completion_tokens;
      if (typeof tokens === 'number') notes.setUsage(tokens);
      if (answer !== undefined && typeof msg.conversation_id === 'string') answer.conversationId = msg.conversation_id;
    } else if (type === 'node_finished') {
      nodeFinished(msg, notes);
    }
    return endOf(type, terminal, notes);
  };

  /** What a non-content type means for the end of the stream. */
  const endOf = (type: string, terminal: NameSet, notes: StreamNotes): Verdict => {
    if (type === 'error') return Verdict.Fail;
    if (type === 'workflow_started') notes.workflowStarted = true;
    if (terminal[type] !== true) return Verdict.Other;
    return type === 'message_end' && notes.workflowStarted ? Verdict.EndWait : Verdict.End;
  };

  const isContent = (type: string): boolean => {
    return type === 'text_chunk' || type === 'message' || type === 'agent_message';
  };

  /** Text that does not start with the `"event"` key (or whose type has an escape): parse it. */
  const interpretUnsniffed = (data: string, terminal: NameSet, notes: StreamNotes, content: Verdict): Verdict => {
    const msg = parseObject<DifyMessage>(data);
    if (msg === undefined) return Verdict.BadJson;
    const type = typeof msg.event === 'string' ? msg.event : '';
    return isContent(type) ? content : interpretParsed(type, msg, terminal, notes);
  };

  /**
   * The `stream` scenario's interpreter. By default (JSON_CHECK=full) every event with data is
   * parsed — exact: a payload cut anywhere, even at its last character, is invalid_json — and its
   * type read from the parsed object: one `JSON.parse` and one property read per event, as the
   * bare reference does. `fullCheck = false` (JSON_CHECK=structural): the type is sniffed from
   * the text's prefix and content events are only checked to end with `}` (cheaper, not exact).
   */
  const stream = (terminal: NameSet, fullCheck: boolean): Interpreter => {
    if (fullCheck) {
      // The per-event path of the default: the parse and the content test written out here, not
      // called (a call per event is a measurable share of the per-event CPU in k6's interpreter).
      return (data, _event, _events, notes) => {
        if (data === '') return Verdict.Other; // a named event without data: counted, nothing to parse
        let msg: DifyMessage | null;
        try {
          msg = JSON.parse(data) as DifyMessage | null;
        } catch {
          return Verdict.BadJson;
        }
        if (msg === null || typeof msg !== 'object') return Verdict.BadJson;
        const type = msg.event;
        if (type === 'text_chunk' || type === 'message' || type === 'agent_message') return Verdict.Content;
        return interpretParsed(typeof type === 'string' ? type : '', msg, terminal, notes);
      };
    }
    return (data, _event, _events, notes) => {
      if (data === '') return Verdict.Other;
      const type = sniffEventType(data);
      if (isContent(type)) return endsLikeObject(data) ? Verdict.Content : Verdict.BadJson;
      if (type === '' || hasEscape(type)) return interpretUnsniffed(data, terminal, notes, Verdict.Content);
      if (isParsedType(type)) {
        const msg = parseObject<DifyMessage>(data);
        return msg === undefined ? Verdict.BadJson : interpretParsed(type, msg, terminal, notes);
      }
      return endsLikeObject(data) ? endOf(type, terminal, notes) : Verdict.BadJson;
    };
  };

  /**
   * The `burst` scenario's interpreter: the type decides; `JSON.parse` only for `workflow_finished`
   * (its status decides success, once per stream) and text the sniff cannot read. Content is not
   * tracked and not checked.
   */
  const burst = (terminal: NameSet): Interpreter => {
    return (data, _event, _events, notes) => {
      if (data === '') return Verdict.Other;
      const type = sniffEventType(data);
      if (isContent(type)) return Verdict.Other;
      if (type === '' || hasEscape(type)) return interpretUnsniffed(data, terminal, notes, Verdict.Other);
      if (type === 'workflow_finished') {
        const msg = parseObject<DifyMessage>(data);
        return msg === undefined ? Verdict.BadJson : interpretParsed(type, msg, terminal, notes);
      }
      return endOf(type, terminal, notes);
    };
  };

  return { stream, burst };
};

/** The `stream` interpreter alone (tests, and code that needs one interpreter). */
export const difyStreamInterpreter = (terminal: NameSet, fullCheck: boolean): Interpreter => difyInterpreters().stream(terminal, fullCheck);

/** The `burst` interpreter alone. */
export const difyBurstInterpreter = (terminal: NameSet): Interpreter => difyInterpreters().burst(terminal);
