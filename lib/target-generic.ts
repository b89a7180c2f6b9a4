/**
 * `generic`: any SSE URL (METHOD, BODY). `data` is never parsed. Every non-keep-alive event
 * is a content event (so TTFT = TTFE and output tokens = events). The stream ends when the
 * server closes it (success after at least one event), when an event's name — or its whole
 * `data` — is listed in TERMINAL_EVENTS, or after MAX_EVENTS events (then the client closes).
 * Pure: no k6 import.
 */
import { V_CONTENT, V_END, V_OTHER, type Interpreter, type Verdict } from './interpreter.ts';

/** Longest `data` compared against TERMINAL_EVENTS: hashing long payloads per event costs time. */
const MAX_TERMINAL_DATA = 64;

export function genericInterpreter(terminal: ReadonlySet<string>, maxEvents: number, content: boolean): Interpreter {
  const listed = terminal.size > 0;
  // Each listed name also as CRLF streams deliver it (`name\r`): one lookup per event, no stripping.
  const names: ReadonlySet<string> = new Set([...terminal].flatMap((name) => [name, `${name}\r`]));
  const counted: Verdict = content ? V_CONTENT : V_OTHER;
  return (data, event, events) => {
    if (listed && (names.has(event.name) || (data.length <= MAX_TERMINAL_DATA && terminal.has(data)))) return V_END;
    if (maxEvents > 0 && events >= maxEvents) return V_END;
    return counted;
  };
}
