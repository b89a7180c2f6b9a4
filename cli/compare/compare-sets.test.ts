import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseReportJson, type ReportJson } from '../../lib/report/report-json.ts';
import { REPORT_FIGURES, type FigureDef, type Figures } from '../../lib/report-fields.ts';
import { compareSets, renderSetTable, setRegressionsOver } from './compare-sets.ts';
import { runCompare } from './compare.ts';

const fixture = readFileSync(new URL('../fixtures/report-a.json', import.meta.url), 'utf8');
const reportA = parseReportJson(fixture, 'report-a.json');
const ttfe = REPORT_FIGURES.find((f) => f.key === 'ttfeP95Ms') as FigureDef;
const rps = REPORT_FIGURES.find((f) => f.key === 'connectionRate') as FigureDef;
const total = REPORT_FIGURES.find((f) => f.key === 'totalConnections') as FigureDef;

const runs = (ttfes: readonly number[], extra: Partial<Figures> = {}): Figures[] => ttfes.map((t) => ({ ...reportA.figures, ttfeP95Ms: t, ...extra }));

describe('compareSets', () => {
  it('the same configuration: intervals hold zero, "no significant difference"', () => {
    const rows = compareSets([ttfe, total], runs([101, 103, 99, 102]), runs([100, 104, 101, 102]));
    expect(rows[0]).toMatchObject({ a: 101.5, b: 101.5, nA: 4, nB: 4, verdict: 'none', regression: 0 });
    expect(rows[0]?.shift).toMatchObject({ lower: -3, upper: 5, confidence: expect.closeTo(68 / 70, 12) });
    expect(rows[1]).toMatchObject({ verdict: 'none', shift: { lower: 0, upper: 0 } }); // equal counts
  });

  it('TTFE 10 % higher: an interval above zero, worse, with its estimated regression', () => {
    const [row] = compareSets([ttfe], runs([100, 101, 99, 100]), runs([110, 111, 109, 110.5]));
    expect(row).toMatchObject({ verdict: 'worse', shift: { estimate: 10, lower: 8, upper: 12 } });
    expect(row?.regression).toBeCloseTo(0.1, 12);
    expect(setRegressionsOver([row!], 0.05).length).toBe(1);
    expect(setRegressionsOver([row!], 0.1)).toEqual([]); // significant, but not beyond the margin
  });

  it('a higher rate is better; a significant change of a figure without a direction "differs"; one run a side is n/a', () => {
    const [up] = compareSets([rps], runs([0, 0, 0], { connectionRate: 10 }).map((f, i) => ({ ...f, connectionRate: 10 + i * 0.1 })), runs([0, 0, 0]).map((f, i) => ({ ...f, connectionRate: 12 + i * 0.1 })));
    expect(up?.verdict).toBe('better');
    const [n] = compareSets([total], runs([0, 0, 0], { totalConnections: 10 }), runs([0, 0, 0], { totalConnections: 20 }));
    expect(n?.verdict).toBe('differs');
    expect(compareSets([ttfe], runs([100]), runs([110, 120]))[0]?.verdict).toBe('n/a');
  });

  it('renders medians, runs, the estimate, the interval at its confidence, and the verdict', () => {
    const rows = compareSets([ttfe], runs([100, 101, 99, 100]), runs([110, 111, 109, 110.5]));
    expect(renderSetTable(rows, { a: 'a.json', b: 'b.json' }, 0.05).split('\n')).toEqual([
      'A: a.json',
      'B: b.json',
      'Figure    A median (runs)  B median (runs)  Δ (HL)    Δ%      Interval, confidence',
      'TTFE p95  100 ms (4)       110 ms (4)       +10.0 ms  +10.0%  [+8.00 ms, +12.0 ms] 97.1%  ✗ worse (over 5%)',
    ]);
  });
});

describe('runCompare on repeat summaries', () => {
  /** An in-memory reports directory: two repeat summaries and their runs. */
  function files(a: readonly number[], b: readonly number[]): Record<string, string> {
    const out: Record<string, string> = {};
    const side = (name: string, ttfes: readonly number[]): void => {
      const reports = ttfes.map((t, i) => {
        const path = `reports/${name}/benchmark_2026120${i + 1}_000000.json`;
        const report: ReportJson = { ...reportA, figures: { ...reportA.figures, ttfeP95Ms: t } };
        out[path] = JSON.stringify(report);
        return path;
      });
      out[`reports/${name}/repeat_20261208_000000.json`] = JSON.stringify({ schema: 'sse-bench/repeat@1', reports });
    };
    side('a', a);
    side('b', b);
    return out;
  }
  const run = async (argv: string[], fs: Record<string, string>): Promise<{ code: number; out: string[]; err: string[] }> => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCompare(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, (p) => {
      const text = fs[p];
      if (text === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return text;
    });
    return { code, out, err };
  };
  const A = 'reports/a/repeat_20261208_000000.json';
  const B = 'reports/b/repeat_20261208_000000.json';

  it('the same configuration passes the gate: no significant difference', async () => {
    const r = await run(['--max-regression', '5%', A, B], files([101, 103, 99, 102], [100, 104, 101, 102]));
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(r.out[0]).toBe('Repeated runs: A 4, B 4');
    expect(r.out.join('\n').split('\n').find((l) => l.startsWith('TTFE p95'))).toMatch(/\[−3\.00 ms, \+5\.00 ms\] 97\.1%\s+no significant difference$/);
    expect(r.out.at(-1)).toBe('OK: no key figure significantly regressed by more than 5%.');
  });

  it('TTFE 10 % higher fails a 5 % gate, passes a 15 % one', async () => {
    const fs = files([100, 101, 99, 100], [110, 111, 109, 110.5]);
    const r = await run(['--max-regression', '5%', A, B], fs);
    expect(r.code).toBe(1);
    expect(r.out.at(-1)).toBe('FAIL: 1 key figure(s) significantly regressed by more than 5%: TTFE p95');
    expect((await run(['--max-regression', '15%', A, B], fs)).code).toBe(0);
  });

  it('finds the runs beside the summary when the listed paths do not resolve from here', async () => {
    const fs = files([100, 101, 99], [100, 101, 99]);
    const moved = Object.fromEntries(Object.entries(fs).map(([k, v]) => [`elsewhere/${k}`, v]));
    const r = await run([`elsewhere/${A}`, `elsewhere/${B}`], moved);
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(r.out.join('\n')).toContain('note: with 3 runs a side an exact interval reaches only 90 %');
  });

  it('a summary against a single report: medians on the noise floor, said so', async () => {
    const fs = { ...files([100, 101, 99], [100]), 'one.json': JSON.stringify(reportA) };
    const r = await run([A, 'one.json'], fs);
    expect(r.code).toBe(0);
    expect(r.out).toContain('note: a side with one run has no interval: medians judged against the noise floor (give both sides 2+ runs for an interval)');
  });
});
