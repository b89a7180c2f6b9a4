import { createParser, type EventSourceMessage, type ParseError } from 'eventsource-parser';

/**
 * Test helper: one HTTP request, its body parsed by eventsource-parser (a spec-compliant
 * SSE parser from npm, not ours).
 */
export interface SseResult {
  status: number;
  headers: Headers;
  text: string;
  events: EventSourceMessage[];
  /** Parser errors, e.g. `unknown-field`. */
  errors: ParseError[];
  /** How the body ended: `end` (clean), `error` (reset / read error) or `aborted` (by `abortAfterEvents`). */
  ending: 'end' | 'error' | 'aborted';
}

export interface SseRequest {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Abort the request once this many events arrived (or at once after the headers when 0). */
  abortAfterEvents?: number;
}

export async function sseRequest(url: string, req: SseRequest = {}): Promise<SseResult> {
  const ac = new AbortController();
  const events: EventSourceMessage[] = [];
  const errors: ParseError[] = [];
  const parser = createParser({
    onEvent: (e) => {
      events.push(e);
      if (req.abortAfterEvents !== undefined && events.length >= req.abortAfterEvents) ac.abort();
    },
    onError: (e) => errors.push(e),
  });
  const res = await fetch(url, {
    method: req.method ?? (req.body === undefined ? 'GET' : 'POST'),
    headers: { 'Content-Type': 'application/json', ...req.headers },
    body: req.body === undefined ? undefined : typeof req.body === 'string' ? req.body : JSON.stringify(req.body),
    signal: ac.signal,
  });
  let text = '';
  let ending: SseResult['ending'] = 'end';
  if (req.abortAfterEvents === 0) ac.abort();
  const decoder = new TextDecoder();
  try {
    for await (const chunk of res.body ?? []) {
      const s = decoder.decode(chunk as Uint8Array, { stream: true });
      text += s;
      parser.feed(s);
    }
  } catch {
    ending = ac.signal.aborted ? 'aborted' : 'error';
  }
  return { status: res.status, headers: res.headers, text, events, errors, ending };
}

/** The JSON payloads of the events that carry data (pings and `[DONE]` left out). */
export function payloads(r: SseResult): Record<string, unknown>[] {
  return r.events.filter((e) => e.data !== '' && e.data !== '[DONE]').map((e) => JSON.parse(e.data) as Record<string, unknown>);
}
