import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { againstGoal, clientFigures, measuredCommand, parseBashTimes, parseHwmKb, holdLinesOf, perVuCost, perVuLines, renderClientTable, spread, summarise, verdicts, type ClientFigures } from './client-bench-core.ts';

const summary = (events: number, rate: number, med: number, p95: number) => ({
  metrics: { sse_event: { count: events, rate }, sse_ttfe: { avg: med, med, 'p(95)': p95 } },
});

function run(script: 'bare' | 'sse', cpuSeconds: number, med = 52, p95 = 60): ClientFigures {
  return clientFigures({ script, vus: 100, cpuSeconds, maxRssKb: 204_800, summary: summary(40_000, 2000, med, p95) }, 50);
}

describe('clientFigures', () => {
  it('computes CPU per 1,000 events, TTFE errors against the mock, RSS in MB', () => {
    const f = clientFigures({ script: 'sse', vus: 100, cpuSeconds: 3, maxRssKb: 307_200, summary: summary(60_000, 3000, 52.5, 61) }, 50);
    expect(f).toMatchObject({ cpuMsPer1000Events: 50, ttfeP50ErrorMs: 2.5, ttfeP95ErrorMs: 11, eventsPerSecond: 3000, maxRssMb: 300 });
  });

  it('names the missing metric', () => {
    expect(() => clientFigures({ script: 'bare', vus: 1, cpuSeconds: 1, maxRssKb: 0, summary: { metrics: {} } }, 0)).toThrow('summary has no metric sse_event');
  });
});

describe('spread and summarise', () => {
  it('median of odd and even counts, min and max', () => {
    expect(spread([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3 });
    expect(spread([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4 });
    expect(() => spread([])).toThrow();
  });

  it('pairs the alternating runs: sse run i against bare run i', () => {
    // bare 50, 60, 40 ms/1000 events; sse 45, 66, 40 → ratios 0.9, 1.1, 1.0
    const rows = [run('bare', 2), run('sse', 1.8), run('bare', 2.4), run('sse', 2.64), run('bare', 1.6), run('sse', 1.6)];
    const [bare, sse] = summarise(rows);
    expect(bare).toMatchObject({ script: 'bare', runs: 3, costVsBare: null });
    expect(bare!.figures.cpuMsPer1000Events).toEqual({ median: 50, min: 40, max: 60 });
    expect(sse!.costVsBare!.median).toBeCloseTo(1.0, 10);
    expect(sse!.costVsBare!.min).toBeCloseTo(0.9, 10);
    expect(sse!.costVsBare!.max).toBeCloseTo(1.1, 10);
    const table = renderClientTable([bare!, sse!]).split('\n');
    expect(table[2]).toBe('| 100 | bare | 3 | 50.0 (40.0…60.0) |  | 2000 | +2.0 ms | +10.0 ms | 200 |');
    expect(table[3]).toContain('| 1.00 (0.90…1.10)× |');
  });

  it('verdicts: the CPU goal on the median ratio; TTFE no worse than the top of bare\'s range', () => {
    const ok = summarise([run('bare', 2, 52, 60), run('sse', 1.9, 53, 61), run('bare', 2, 54, 62), run('sse', 1.9, 53, 61)]);
    expect(verdicts(ok)).toEqual([
      '100 VUs: CPU per event vs bare 0.95× (goal ≤ 1×): met',
      '100 VUs: TTFE error p50 3.0 / p95 11.0 ms vs bare 3.0 / 11.0 ms (goal: no worse than bare\'s range): met',
    ]);
    const bad = summarise([run('bare', 2, 52, 60), run('sse', 2.2, 70, 90)]);
    expect(verdicts(bad).map((v) => v.endsWith('MISSED'))).toEqual([true, true]);
  });
});

describe('parsers', () => {
  it('bash times: the children line', () => {
    expect(parseBashTimes('0m0.010s 0m0.002s\n1m2.500s 0m0.250s\n')).toBeCloseTo(62.75, 10);
    expect(() => parseBashTimes('nonsense')).toThrow('cannot read CPU time');
  });
  it('the peak RSS line, 0 when absent', () => {
    expect(parseHwmKb('hwm_kb 123456\n0m0s 0m0s\n1m0s 0m0s')).toBe(123_456);
    expect(parseHwmKb('')).toBe(0);
  });
  it('a figure against its goal, judged as shown', () => {
    expect(againstGoal(1.0996, 1.1, 2, '×')).toBe('1.10× (goal ≤ 1.1×): met');
    expect(againstGoal(1.106, 1.1, 2, '×')).toBe('1.11× (goal ≤ 1.1×): MISSED');
    expect(againstGoal(0.137, 0.1, 3, ' MB', true)).toBe('+0.137 MB (goal ≤ 0.1 MB): MISSED');
  });
});

describe('measuredCommand (bash, /proc)', () => {
  it('reports the peak RSS and the CPU of the command, and passes its exit code', () => {
    // node holding ~60 MB for 0.6 s, burning some CPU
    const script = "const b = Buffer.alloc(60 * 1024 * 1024, 1); const t = Date.now(); while (Date.now() - t < 600) b[0]++;";
    const out = execFileSync('bash', ['-c', measuredCommand([process.execPath, '-e', script])], { encoding: 'utf8' });
    expect(parseHwmKb(out)).toBeGreaterThan(60 * 1024);
    expect(parseBashTimes(out)).toBeGreaterThan(0); // the child's CPU, whatever the machine's load
    expect(spawnSync('bash', ['-c', measuredCommand(['sh', '-c', "exit 3"])]).status).toBe(3);
  });
  it.runIf(existsSync('/usr/bin/time'))('with GNU time: the exact peak of a run too short to poll, the CPU, the exit code', () => {
    const script = 'Buffer.alloc(80 * 1024 * 1024, 1);'; // ~80 MB, then exit at once
    const out = execFileSync('bash', ['-c', measuredCommand([process.execPath, '-e', script], '/usr/bin/time')], { encoding: 'utf8' });
    expect(parseHwmKb(out)).toBeGreaterThan(80 * 1024);
    expect(parseBashTimes(out)).toBeGreaterThan(0);
    expect(spawnSync('bash', ['-c', measuredCommand(['sh', '-c', 'exit 3'], '/usr/bin/time')]).status).toBe(3);
  });
  it('quotes arguments with quotes and spaces', () => {
    const out = execFileSync('bash', ['-c', measuredCommand(['sh', '-c', "test \"$0\" = \"it's here\"", "it's here"])], { encoding: 'utf8' });
    expect(out).toMatch(/^hwm_kb \d+$/m);
  });

  it('per-VU cost: the slope between two VU counts (what a test pays once drops out), sse minus bare, median of the sets', () => {
    const kb = (mb: number): number => mb * 1024;
    const r = (script: 'bare' | 'sse', vus: number, mb: number, cpu: number) => ({ script, vus, maxRssKb: kb(mb), cpuSeconds: cpu });
    const c = perVuCost([
      // set 1: bare 0.2 MB and 0.5 ms per VU; sse 0.3 MB and 1.0 ms per VU (with 60 MB and 0.4 s paid once)
      r('bare', 100, 80, 0.1), r('sse', 100, 150, 0.5), r('bare', 500, 160, 0.3), r('sse', 500, 270, 0.9),
      // set 2: sse 0.35 MB and 0.9 ms per VU
      r('bare', 100, 80, 0.1), r('sse', 100, 150, 0.5), r('bare', 500, 160, 0.3), r('sse', 500, 290, 0.86),
      // set 3: sse 0.3 MB and 0.9 ms per VU
      r('bare', 100, 82, 0.1), r('sse', 100, 152, 0.5), r('bare', 500, 162, 0.3), r('sse', 500, 272, 0.86),
    ]);
    expect(c.vus).toEqual([100, 500]);
    expect(c.pairs).toBe(3);
    expect(c.bareMbPerVu.median).toBeCloseTo(0.2, 6);
    expect(c.memoryMbPerVu.median).toBeCloseTo(0.1, 6); // 0.1, 0.15, 0.1
    expect(c.memoryMbPerVu.max).toBeCloseTo(0.15, 6);
    expect(c.initCpuMsPerVu.median).toBeCloseTo(0.4, 6); // 0.5, 0.4, 0.4
    const [, verdict] = perVuLines(c);
    expect(verdict).toContain('memory +0.100 MB (goal ≤ 0.1 MB): met, range +0.100 (+0.100…+0.150)');
    expect(verdict).toContain('init CPU +0.40 ms (goal ≤ 0.5 ms): met, range +0.40 (+0.40…+0.50)');
    expect(() => perVuCost([r('bare', 100, 1, 1), r('sse', 100, 1, 1)])).toThrow(/two VU counts/);
  });

  it('held streams: peak RSS and CPU per event of sse against bare', () => {
    const [rss, cpu] = holdLinesOf(2000, { bare: { cpuSeconds: 30, maxRssKb: 500 * 1024, events: 600_000 }, sse: { cpuSeconds: 36, maxRssKb: 600 * 1024, events: 600_000 } });
    expect(rss).toContain('peak RSS bare 500 MB, sse 600 MB → 1.20× (goal ≤ 1.25×): met');
    expect(cpu).toContain('bare 50.0 µs, sse 60.0 µs → 1.20× (goal ≤ 1.1×): MISSED');
  });
});
