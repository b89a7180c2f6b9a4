import { describe, expect, it } from 'vitest';
import { breakdownProblem, breakdownRows, joinBreakdown, parseClientLine, quantile, type ClientStream, type ModelStream } from './breakdown.ts';

/**
 * A virtual clock: a client stream starting at `t0`, a target that adds `pre` ms before the model
 * and `relay` ms to every event, a model with `ttft` and `gap` ms between 5 tokens, and the end
 * event `after` ms after the last token's write reached the client.
 */
function stream(n: number, t0: number, pre: number, ttft: number, gap: number, relay: number, after: number): { c: ClientStream; m: ModelStream } {
  const receivedAt = t0 + pre + 0.25;
  const tokens = [0, 1, 2, 3, 4].map((i) => receivedAt + ttft + i * gap);
  const tok = tokens.map((w) => w + relay - t0);
  return { c: { id: `sb-${n}`, t0, tok, end: (tokens.at(-1) as number) + after - t0, ok: true }, m: { id: `sb-${n}`, receivedAt, tokens, end: (tokens.at(-1) as number) + 0.1 } };
}

describe('joinBreakdown', () => {
  it('recovers injected delays exactly on a virtual clock', () => {
    const runs = [0, 1, 2, 3].map((n) => stream(n, 1_767_225_600_000 + n * 1000, 40, 200, 20, 7, 9));
    const b = joinBreakdown(
      runs.map((r) => r.c),
      runs.map((r) => r.m),
    );
    expect(b.streams).toBe(4);
    expect(b.unmatched).toBe(0);
    expect(b.parts.beforeModel).toEqual({ p50: 40.25, p95: 40.25, samples: 4 });
    expect(b.parts.modelTtft).toEqual({ p50: 200, p95: 200, samples: 4 });
    expect(b.parts.relayPerToken.samples).toBe(20);
    expect(b.parts.relayPerToken.p50).toBeCloseTo(7, 9);
    expect(b.parts.afterModel.p50).toBeCloseTo(9, 9);
  });

  it('over time: each part\'s p50 per window of request start, so a target that slows down mid-run shows when', () => {
    const T0 = 1_767_225_600_000;
    // Streams every second for 15 s; from second 10 the target takes 100 ms before the model instead of 40.
    const runs = Array.from({ length: 15 }, (_, n) => stream(n, T0 + n * 1000, n >= 10 ? 100 : 40, 200, 20, 7, 9));
    const b = joinBreakdown(
      runs.map((r) => r.c),
      runs.map((r) => r.m),
      5,
    );
    expect(b.overTime?.windowSec).toBe(5);
    expect(b.overTime?.tSec).toEqual([0, 5, 10]);
    expect(b.overTime?.p50.beforeModel).toEqual([40.25, 40.25, 100.25]);
    expect(b.overTime?.p50.modelTtft).toEqual([200, 200, 200]);
    expect(b.parts.beforeModel.p50).toBe(40.25); // the whole run's p50 hides the rise
    expect(breakdownProblem({ ...JSON.parse(JSON.stringify(b)), overTime: { windowSec: 5, tSec: [], p50: {} } })).toBe('overTime.p50.beforeModel: expected an array');
  });

  it('leaves out failed client streams and counts those without a model record', () => {
    const a = stream(1, 1000, 10, 5, 1, 1, 1);
    const failed = { ...stream(2, 2000, 10, 5, 1, 1, 1).c, ok: false };
    const lonely = stream(3, 3000, 10, 5, 1, 1, 1).c;
    const b = joinBreakdown([a.c, failed, lonely], [a.m, stream(2, 2000, 10, 5, 1, 1, 1).m]);
    expect([b.streams, b.unmatched, b.parts.beforeModel.samples]).toEqual([1, 1, 1]);
  });

  it('percentiles interpolate as k6 does', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 0.95)).toBe(95);
    expect(quantile([], 0.5)).toBeNull();
  });
});

describe('the client line, rows, the report field', () => {
  it('parses the line lib/vu/breakdown.ts logs', () => {
    expect(parseClientLine('sse-bench breakdown {"id":"sb-7","t0":5,"tok":[1,2],"end":3,"ok":true}')).toEqual({ id: 'sb-7', t0: 5, tok: [1, 2], end: 3, ok: true });
    expect(parseClientLine('sse-bench failure error_type=timeout: x')).toBeNull();
    expect(parseClientLine('sse-bench breakdown {bad')).toBeNull();
  });

  it('renders rows and checks a field read back', () => {
    const r = stream(1, 1000, 40, 200, 20, 7, 9);
    const b = joinBreakdown([r.c], [r.m]);
    expect(breakdownRows(b)[0]).toEqual(['Before the model', 'p50 40.3 ms, p95 40.3 ms (1 streams)']);
    expect(breakdownRows(b).at(-1)).toEqual(['Streams Joined', '1']);
    expect(breakdownProblem(JSON.parse(JSON.stringify(b)))).toBeNull();
    expect(breakdownProblem({ streams: 1 })).toBe('expected { streams, unmatched, parts }');
  });
});
