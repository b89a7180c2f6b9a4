import { describe, expect, it } from 'vitest';
import { failureLogMessage, NO_BODY_NOTE, parseFailureLogMessage, withBodyNote } from './failure-log.ts';

describe('failure reasons of HTTP answers without a body the script could read', () => {
  it('says so for a status without body, of an HTTP error or a non-SSE answer', () => {
    expect(withBodyNote('http_4xx', 'status 401')).toBe(`status 401 ${NO_BODY_NOTE}`);
    expect(withBodyNote('http_5xx', 'status 503')).toBe(`status 503 ${NO_BODY_NOTE}`);
    expect(withBodyNote('invalid_response', 'status 200, content type "application/json"')).toBe(`status 200, content type "application/json" ${NO_BODY_NOTE}`);
    expect(NO_BODY_NOTE).toBe('(body not readable through xk6-sse: empty, or no final newline)');
  });
  it('leaves reasons with a body, and other error types, as they are', () => {
    expect(withBodyNote('http_4xx', 'status 401: {"code": "unauthorized"}')).toBe('status 401: {"code": "unauthorized"}');
    expect(withBodyNote('invalid_response', 'status 200, content type "text/html": <html>')).toBe('status 200, content type "text/html": <html>');
    expect(withBodyNote('connection_error', 'status 401')).toBe('status 401');
    expect(withBodyNote('timeout', '')).toBe('');
  });
  it('logs the note, and the bench CLI reads it back as the reason', () => {
    const line = failureLogMessage('http_4xx', 'status 401', '');
    expect(line).toBe(`sse-bench failure error_type=http_4xx: status 401 ${NO_BODY_NOTE}`);
    expect(parseFailureLogMessage(line)).toEqual({ errorType: 'http_4xx', reason: `status 401 ${NO_BODY_NOTE}` });
  });
});
