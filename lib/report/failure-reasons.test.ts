import { describe, expect, it } from 'vitest';
import { ERROR_TYPES, type ErrorType } from '../error-types.ts';
import { FailureReasonTally, failureReasonLines, failureReasonsProblem, MAX_REASONS_PER_TYPE } from './failure-reasons.ts';

const noErrors = Object.fromEntries(ERROR_TYPES.map((t) => [t, 0])) as Record<ErrorType, number>;

describe('FailureReasonTally', () => {
  it('counts lines per distinct reason, types in ERROR_TYPES order, most frequent first', () => {
    const tally = new FailureReasonTally();
    const add = (errorType: ErrorType, reason: string, times = 1): void => {
      for (let i = 0; i < times; i++) tally.add({ errorType, reason });
    };
    add('http_4xx', 'status 429: slow down', 2);
    add('connection_error', 'dial tcp 127.0.0.1:5001: connect: connection refused', 3);
    add('http_4xx', 'status 401: {"code": "unauthorized"}', 5);
    add('http_4xx', 'status 403: forbidden', 2);
    expect(tally.lines).toBe(12);
    const result = tally.result();
    expect(Object.keys(result)).toEqual(['connection_error', 'http_4xx']);
    expect(result.http_4xx).toEqual({
      reasons: [
        { reason: 'status 401: {"code": "unauthorized"}', count: 5 },
        { reason: 'status 403: forbidden', count: 2 }, // ties: code-point order
        { reason: 'status 429: slow down', count: 2 },
      ],
      more: 0,
    });
  });

  it(`keeps ${MAX_REASONS_PER_TYPE} distinct reasons per type and only counts the lines beyond`, () => {
    const tally = new FailureReasonTally();
    for (let i = 0; i < MAX_REASONS_PER_TYPE + 3; i++) tally.add({ errorType: 'timeout', reason: `reason ${String(i).padStart(2, '0')}` });
    tally.add({ errorType: 'timeout', reason: 'reason 00' }); // a kept reason still counts
    tally.add({ errorType: 'timeout', reason: 'reason 12' }); // one that was dropped stays dropped
    const group = tally.result().timeout!;
    expect(group.reasons).toHaveLength(MAX_REASONS_PER_TYPE);
    expect(group.reasons[0]).toEqual({ reason: 'reason 00', count: 2 });
    expect(group.more).toBe(4);
    expect(tally.lines).toBe(MAX_REASONS_PER_TYPE + 5);
  });
});

describe('failureReasonLines', () => {
  it('lists each failing type with its reasons, a note where the log gave none, and the overflow', () => {
    const lines = failureReasonLines(
      {
        http_4xx: { reasons: [{ reason: 'status 401: no key', count: 12 }, { reason: 'status 404: not found', count: 3 }], more: 0 },
        timeout: { reasons: [{ reason: 'context deadline exceeded', count: 1 }], more: 2 },
      },
      { ...noErrors, http_4xx: 40, timeout: 3, protocol_error: 1 },
    );
    expect(lines).toEqual([
      "🔎 Failure Reasons (from k6's log: the first failure of each type in each VU; count = log lines):",
      '  timeout (3 failed streams):',
      '    1 × context deadline exceeded',
      '    (+ 2 lines with other reasons)',
      '  http_4xx (40 failed streams):',
      '    12 × status 401: no key',
      '     3 × status 404: not found',
      '  protocol_error (1 failed stream):',
      "    (no reason in k6's log)",
      '',
    ]);
  });

  it('is empty when no stream failed', () => {
    expect(failureReasonLines({}, noErrors)).toEqual([]);
  });
});

describe('failureReasonsProblem', () => {
  it('accepts the stored shape and names what is wrong otherwise', () => {
    expect(failureReasonsProblem({ http_4xx: { reasons: [{ reason: 'x', count: 1 }], more: 0 } })).toBeNull();
    expect(failureReasonsProblem({})).toBeNull();
    expect(failureReasonsProblem([])).toEqual({ field: 'failureReasons', problem: 'expected an object' });
    expect(failureReasonsProblem({ http_999: { reasons: [], more: 0 } })?.field).toBe('failureReasons.http_999');
    expect(failureReasonsProblem({ timeout: { reasons: [] } })).toEqual({ field: 'failureReasons.timeout', problem: 'expected { reasons: [{ reason, count }], more: number }' });
    expect(failureReasonsProblem({ timeout: { reasons: [{ reason: 'x', count: '1' }], more: 0 } })?.field).toBe('failureReasons.timeout.reasons[0]');
  });
});
