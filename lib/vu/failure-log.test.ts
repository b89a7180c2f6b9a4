import { describe, expect, it } from 'vitest';
import { failureLogMessage, NO_BODY_NOTE, parseFailureLogMessage } from './failure-log.ts';
import { createStreamTracker, NO_SETTINGS } from './stream-tracker.ts';
import { Verdict } from './interpreter.ts';

/** A tracker of an HTTP failure: `lines` are what xk6-sse delivered of the body (each an event's data). */
function reason(status: number, lines: string[], headers: Record<string, string> = { 'Content-Type': 'application/json' }): string {
  const t = createStreamTracker({ interpret: () => Verdict.Other, detail: true, needsTerminal: true }, NO_SETTINGS, { add: () => {} });
  t.begin();
  for (const data of lines) t.onEvent({ id: '', name: '', data, comment: '' });
  return t.finish({ status, error: '', headers }).reason;
}

describe('failure reasons of HTTP answers without a body the script could read', () => {
  it('says so for a status without body, of an HTTP error or a non-SSE answer', () => {
    expect(reason(401, [])).toBe(`status 401 ${NO_BODY_NOTE}`);
    expect(reason(503, [])).toBe(`status 503 ${NO_BODY_NOTE}`);
    expect(reason(200, [])).toBe(`status 200, content type "application/json" ${NO_BODY_NOTE}`);
    expect(NO_BODY_NOTE).toBe('(body not readable through xk6-sse: empty, or no final newline)');
  });
  it('quotes the body when a line of it arrived', () => {
    expect(reason(401, ['{"code": "unauthorized"}'])).toBe('status 401: {"code": "unauthorized"}');
    expect(reason(200, ['<html>'], { 'Content-Type': 'text/html' })).toBe('status 200, content type "text/html": <html>');
  });
  it('logs the note, and the bench CLI reads it back as the reason', () => {
    const line = failureLogMessage('http_4xx', `status 401 ${NO_BODY_NOTE}`, '');
    expect(line).toBe(`sse-bench failure error_type=http_4xx: status 401 ${NO_BODY_NOTE}`);
    expect(parseFailureLogMessage(line)).toEqual({ errorType: 'http_4xx', reason: `status 401 ${NO_BODY_NOTE}` });
  });
});
