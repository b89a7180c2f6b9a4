import { describe, expect, test } from 'vitest';
import { contentType, createStreamFailures, isEventStream, type StreamResponse } from './stream-failure.ts';

const failures = createStreamFailures();
/** What the tracker's `finish` does: a 2xx event stream is no fault, anything else gets its type. */
const classifyResponse = (res: StreamResponse) => (isEventStream(res) ? null : failures.responseType(res));
const classifyReadError = failures.readErrorType;

const SSE = { 'Content-Type': 'text/event-stream' };

describe('classifyResponse, status 0 (no response)', () => {
  test.each([
    ['Post "http://127.0.0.1:1/v1/workflows/run": dial tcp 127.0.0.1:1: connect: connection refused', 'connection_error'],
    ['Post "http://nohost.invalid/x": dial tcp: lookup nohost.invalid: no such host', 'connection_error'],
    ['Post "http://127.0.0.1:5/x": context deadline exceeded (Client.Timeout exceeded while awaiting headers)', 'timeout'],
    ['Post "http://10.0.0.1/x": dial tcp 10.0.0.1:80: i/o timeout', 'timeout'],
    ['read: connection reset by peer', 'connection_error'],
  ])('%s → %s', (message, type) => expect(classifyResponse({ status: 0, error: message })).toBe(type));
});

describe('classifyReadError (inside the stream)', () => {
  test('unknown field line: not a failure', () => expect(classifyReadError('unknown event: foo: bar\n')).toBeNull());
  test('unexpected EOF → protocol_error', () => expect(classifyReadError('unexpected EOF')).toBe('protocol_error'));
  test('connection reset → protocol_error', () => expect(classifyReadError('read tcp 127.0.0.1:5->127.0.0.1:6: read: connection reset by peer')).toBe('protocol_error'));
  test('body deadline → timeout', () =>
    expect(classifyReadError('context deadline exceeded (Client.Timeout or context cancellation while reading body)')).toBe('timeout'));
});

describe('classifyResponse', () => {
  test.each([
    [{ status: 0, error: 'connect: connection refused', headers: null }, 'connection_error'],
    [{ status: 200, error: '', headers: SSE }, null],
    [{ status: 204, error: '', headers: SSE }, null],
    [{ status: 200, error: '', headers: { 'content-type': 'text/event-stream; charset=utf-8' } }, null],
    [{ status: 200, error: '', headers: { 'Content-Type': 'application/json' } }, 'invalid_response'],
    [{ status: 200, error: '', headers: {} }, 'invalid_response'],
    [{ status: 400, error: '', headers: SSE }, 'http_4xx'],
    [{ status: 401, error: '', headers: SSE }, 'http_4xx'],
    [{ status: 429, error: '', headers: SSE }, 'http_4xx'],
    [{ status: 499, error: '', headers: SSE }, 'http_4xx'],
    [{ status: 500, error: '', headers: SSE }, 'http_5xx'],
    [{ status: 302, error: '', headers: SSE }, 'http_5xx'], // any other non-2xx
  ])('%j → %s', (res, type) => expect(classifyResponse(res)).toBe(type));
});

test('contentType finds the header in any case; the event-stream test trims and ignores case', () => {
  expect(contentType({ 'CONTENT-TYPE': 'x' })).toBe('x');
  expect(contentType(null)).toBe('');
  expect(classifyResponse({ status: 200, error: '', headers: { 'content-type': ' Text/Event-Stream ' } })).toBeNull();
  expect(classifyResponse({ status: 200, error: '', headers: { 'content-type': 'text/plain' } })).toBe('invalid_response');
});

test('docs/metrics-and-faults.md has one fault row per error type', async () => {
  const { readFileSync } = await import('node:fs');
  const { ERROR_TYPES } = await import('../error-types.ts');
  const doc = readFileSync(new URL('../../docs/metrics-and-faults.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('## Faults'), doc.indexOf('## Per-event work'));
  const rows = section.split('\n').filter((l) => /^\| `[a-z_0-9]+` \|/.test(l));
  expect(rows.map((r) => r.split('|')[1]!.trim().replace(/`/g, ''))).toEqual([...ERROR_TYPES]);
});

test('one frozen error_type tag object per type', () => {
  expect(failures.tag('timeout')).toBe(failures.tag('timeout'));
  expect(failures.tag('timeout')).toEqual({ error_type: 'timeout' });
  expect(Object.isFrozen(failures.tag('http_4xx'))).toBe(true);
});
