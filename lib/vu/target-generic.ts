/**
 * `generic`: any SSE URL (METHOD, BODY). `data` is never parsed. Every non-keep-alive event
 * is a content event (so TTFT = TTFE and output tokens = events). The stream ends when the
 * server closes it (success after at least one event), when an event's name — or its whole
 * `data` — is listed in TERMINAL_EVENTS, or after MAX_EVENTS events (then the client closes).
 * Pure: no k6 import.
 */
import { Verdict, nameSet, type InterpreterFactory, type NameSet } from './interpreter.ts';

/** Every event counts as content in the `stream` scenario (`detail`), as a plain event in `burst`. */
export const genericInterpreter: InterpreterFactory = (config, content) => {
  const terminalNames = config.terminalEvents;
  const maxEvents = config.maxEvents;
  const listed = terminalNames.length > 0;
  const terminal = nameSet(terminalNames);
  // Each listed name also as CRLF streams deliver it (`name\r`): one lookup per event, no stripping.
  const withCr: string[] = [];
  for (let i = 0; i < terminalNames.length; i++) withCr.push(terminalNames[i] as string, `${terminalNames[i]}\r`);
  const names: NameSet = nameSet(withCr);
  const counted: Verdict = content ? Verdict.Content : Verdict.Other;
  // `data` is compared against TERMINAL_EVENTS only up to 64 characters: hashing long payloads per event costs time.
  return (data, event, events) => {
    if (listed && (names[event.name] === true || (data.length <= 64 && terminal[data] === true))) return Verdict.End;
    if (maxEvents > 0 && events >= maxEvents) return Verdict.End;
    return counted;
  };
};
