/**
 * `generic`: any SSE URL (METHOD, BODY). `data` is never parsed. Every non-keep-alive event
 * is a content event (so TTFT = TTFE and output tokens = events). The stream ends when the
 * server closes it (success after at least one event), when an event's name — or its whole
 * `data` — is listed in TERMINAL_EVENTS, or after MAX_EVENTS events (then the client closes).
 * Pure: no k6 import.
 */
import { Verdict, nameSet, type Interpreter, type NameSet } from './interpreter.ts';

/** Longest `data` compared against TERMINAL_EVENTS: hashing long payloads per event costs time. */
const MAX_TERMINAL_DATA = 64;

export const genericInterpreter = (terminalNames: readonly string[], maxEvents: number, content: boolean): Interpreter => {
  const listed = terminalNames.length > 0;
  const terminal = nameSet(terminalNames);
  // Each listed name also as CRLF streams deliver it (`name\r`): one lookup per event, no stripping.
  const withCr: string[] = [];
  for (let i = 0; i < terminalNames.length; i++) withCr.push(terminalNames[i] as string, `${terminalNames[i]}\r`);
  const names: NameSet = nameSet(withCr);
  const counted: Verdict = content ? Verdict.Content : Verdict.Other;
  return (data, event, events) => {
    if (listed && (names[event.name] === true || (data.length <= MAX_TERMINAL_DATA && terminal[data] === true))) return Verdict.End;
    if (maxEvents > 0 && events >= maxEvents) return Verdict.End;
    return counted;
  };
};
