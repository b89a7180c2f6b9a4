import { describe, expect, it } from 'vitest';
import { clientFigures, costRatio, parseBashTimes, renderClientTable } from './client-bench-core.ts';

const summary = (events: number, rate: number, med: number, p95: number) => ({
  metrics: { sse_event: { count: events, rate }, sse_ttfe: { avg: med, med, 'p(95)': p95 } },
});

describe('clientFigures', () => {
  it('computes CPU per 1,000 events and TTFE error against the mock', () => {
    const f = clientFigures({ script: 'sse', vus: 100, cpuSeconds: 3, summary: summary(60_000, 3000, 52.5, 61) }, 50);
    expect(f.cpuMsPer1000Events).toBe(50);
    expect(f.ttfeErrorMs).toBe(2.5);
    expect(f.eventsPerSecond).toBe(3000);
  });

  it('names the missing metric', () => {
    expect(() => clientFigures({ script: 'bare', vus: 1, cpuSeconds: 1, summary: { metrics: {} } }, 0)).toThrow('summary has no metric sse_event');
  });

  it('compares sse to bare at the same VUs', () => {
    const bare = clientFigures({ script: 'bare', vus: 100, cpuSeconds: 2, summary: summary(40_000, 1, 50, 50) }, 50);
    const sse = clientFigures({ script: 'sse', vus: 100, cpuSeconds: 2.4, summary: summary(40_000, 1, 50, 50) }, 50);
    expect(costRatio(sse, bare)).toBeCloseTo(1.2, 10);
    expect(renderClientTable([bare, sse]).split('\n')[3]).toContain('| 1.20× |');
  });
});

describe('parseBashTimes', () => {
  it('reads the children line', () => {
    expect(parseBashTimes('0m0.010s 0m0.002s\n1m2.500s 0m0.250s\n')).toBeCloseTo(62.75, 10);
  });
  it('rejects anything else', () => {
    expect(() => parseBashTimes('nonsense')).toThrow('cannot read CPU time');
  });
});
