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
 *
 * Per VU this module defines one function, `difyInterpreter`, called when a scenario's session is
 * made; the default interpreter (`stream`, JSON_CHECK=full) makes two closures, the text sniffing
 * of the other modes is made only for them. The request bodies are built in lib/vu/targets.ts.
 * Pure: no k6 import.
 */
import { createEventSniffer } from './event-sniff.ts';
import { Verdict, Brace, nameSet, type InterpreterFactory, type NameSet, type StreamNotes } from './interpreter.ts';
import type { Tags } from './stream-tracker.ts';

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

/**
 * The interpreter of one scenario: `detail` (the `stream` scenario) or not (`burst`), JSON_CHECK
 * `full` (the default) or `structural`. Node and workflow times go to `sink` (node times only
 * with `detail`, tagged `node_type`). `answer` (TURNS > 1): `message_end`'s `conversation_id`, for the next turn.
 */
export const difyInterpreter: InterpreterFactory = (config, detail, sink, answer) => {
  const fullCheck = config.jsonCheck !== 'structural'; // absent = full, the default
  const terminal: NameSet = nameSet(config.terminalEvents);
  // node_type → its frozen tag object, made on first use (a plain object: no Map prototype per VU).
  const nodeTags: Record<string, Tags | undefined> = {};

  /** A non-content event, parsed: the fields that matter, then what its type means for the end of the stream. */
  const interpretParsed = (type: string, msg: DifyMessage, notes: StreamNotes): Verdict => {
    if (type === 'workflow_finished') {
      const d = msg.data;
      if (d && typeof d.elapsed_time === 'number') sink.add('difyWorkflowElapsed', d.elapsed_time * 1000);
      if (!d || d.status !== 'succeeded') return Verdict.Fail;
      if (notes.terminalSeen) return Verdict.End; // chatflow: message_end came first
    } else if (type === 'message_end') {
      const tokens = msg.metadata?.usage?.completion_tokens;
      if (typeof tokens === 'number') notes.usage = tokens;
      // TURNS > 1 (lib/vu/conversation.ts): the id the next turn of the conversation sends.
      if (answer !== undefined && typeof msg.conversation_id === 'string') answer.conversationId = msg.conversation_id;
    } else if (type === 'node_finished') {
      const d = msg.data;
      if (d) {
        const nodeType = typeof d.node_type === 'string' ? d.node_type : 'unknown';
        if (detail && typeof d.elapsed_time === 'number') {
          // `hasOwnProperty` guards the cache against Object.prototype's keys (`constructor`, `toString`).
          let tags = Object.prototype.hasOwnProperty.call(nodeTags, nodeType) ? nodeTags[nodeType] : undefined;
          if (tags === undefined) nodeTags[nodeType] = tags = Object.freeze({ node_type: nodeType });
          sink.add('difyNodeElapsed', d.elapsed_time * 1000, tags);
        }
        const tokens = d.outputs?.usage?.completion_tokens;
        if (nodeType === 'llm' && typeof tokens === 'number') notes.partUsage += tokens;
      }
    } else if (type === 'error') {
      return Verdict.Fail;
    } else if (type === 'workflow_started') {
      notes.workflowStarted = true;
    }
    if (terminal[type] !== true) return Verdict.Other;
    return type === 'message_end' && notes.workflowStarted ? Verdict.EndWait : Verdict.End;
  };

  // JSON.parse, read once: per event `JSON.parse(…)` is a global lookup and a property read in
  // Sobek before the call (k6's CPU profile); a closure variable is one slot read.
  const parse = JSON.parse;

  if (detail && fullCheck) {
    // The per-event path of the default: every event with data is parsed — exact: a payload cut
    // anywhere, even at its last character, is invalid_json — and its type read from the parsed
    // object: one `JSON.parse` and one property read per event, as the bare reference does. The
    // parse and the content test are written out here, not called (a call per event is a
    // measurable share of the per-event CPU in k6's interpreter).
    return (data, _event, _events, notes) => {
      if (data === '') return Verdict.Other; // a named event without data: counted, nothing to parse
      let msg: DifyMessage | null;
      try {
        msg = parse(data) as DifyMessage | null;
      } catch {
        return Verdict.BadJson;
      }
      if (msg === null || typeof msg !== 'object') return Verdict.BadJson;
      const type = msg.event;
      if (type === 'text_chunk' || type === 'message' || type === 'agent_message') return Verdict.Content;
      return interpretParsed(typeof type === 'string' ? type : '', msg, notes);
    };
  }

  // JSON_CHECK=structural and the burst scenario: the type is sniffed from the text's prefix.
  const sniff = createEventSniffer();
  // A message with no fields: what a type whose fields are not read is interpreted with.
  const EMPTY: DifyMessage = Object.freeze({});
  const isContent = (type: string): boolean => type === 'text_chunk' || type === 'message' || type === 'agent_message';
  /** A JSON object, or `undefined` for anything else (not JSON, or JSON but not an object). */
  const parseObject = (data: string): DifyMessage | undefined => {
    let value: unknown;
    try {
      value = JSON.parse(data);
    } catch {
      return undefined;
    }
    return value !== null && typeof value === 'object' ? (value as DifyMessage) : undefined;
  };
  /** Text that does not start with the `"event"` key (or whose type has an escape): parse it. */
  const interpretUnsniffed = (data: string, notes: StreamNotes, content: Verdict): Verdict => {
    const msg = parseObject(data);
    if (msg === undefined) return Verdict.BadJson;
    const type = typeof msg.event === 'string' ? msg.event : '';
    return isContent(type) ? content : interpretParsed(type, msg, notes);
  };

  if (detail) {
    // JSON_CHECK=structural: content events are only checked to end with `}` (cheaper, not exact);
    // the types whose fields the suite reads (node_finished, workflow_finished, message_end) are parsed.
    return (data, _event, _events, notes) => {
      if (data === '') return Verdict.Other;
      const type = sniff.type(data);
      if (isContent(type)) return data.charCodeAt(data.length - 1) === Brace.Close ? Verdict.Content : Verdict.BadJson;
      if (type === '' || sniff.hasEscape(type)) return interpretUnsniffed(data, notes, Verdict.Content);
      if (type === 'node_finished' || type === 'workflow_finished' || type === 'message_end') {
        const msg = parseObject(data);
        return msg === undefined ? Verdict.BadJson : interpretParsed(type, msg, notes);
      }
      return data.charCodeAt(data.length - 1) === Brace.Close ? interpretParsed(type, EMPTY, notes) : Verdict.BadJson;
    };
  }

  // The burst scenario: the type decides; `JSON.parse` only for `workflow_finished` (its status
  // decides success, once per stream) and text the sniff cannot read. Content is not tracked or checked.
  return (data, _event, _events, notes) => {
    if (data === '') return Verdict.Other;
    const type = sniff.type(data);
    if (isContent(type)) return Verdict.Other;
    if (type === '' || sniff.hasEscape(type)) return interpretUnsniffed(data, notes, Verdict.Other);
    if (type === 'workflow_finished') {
      const msg = parseObject(data);
      return msg === undefined ? Verdict.BadJson : interpretParsed(type, msg, notes);
    }
    return interpretParsed(type, EMPTY, notes);
  };
};
