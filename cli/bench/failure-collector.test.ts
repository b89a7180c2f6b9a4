import { describe, expect, it } from 'vitest';
import { FailureCollector } from './failure-collector.ts';

const KEY = 'fixture-key-not-real-0123';

describe('FailureCollector', () => {
  it('tallies failure lines of k6 output, ignores the rest, scrubs the key', () => {
    const c = new FailureCollector(KEY);
    c.line('running (0m01.0s), 2/2 VUs, 0 complete and 0 interrupted iterations');
    c.line('time="2026-11-27T11:00:01Z" level=info msg="unrelated" source=console');
    c.line(`time="2026-11-27T11:00:01Z" level=warning msg="sse-bench failure error_type=http_4xx: status 401: bad key ${KEY}" source=console`);
    c.line('{"level":"warning","msg":"sse-bench failure error_type=http_4xx: status 401: bad key [REDACTED]","source":"console"}');
    expect(c.lines).toBe(2);
    expect(c.reasons).toEqual({ http_4xx: { reasons: [{ reason: 'status 401: bad key [REDACTED]', count: 2 }], more: 0 } });
  });
});
