import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REPORT_FIGURES, type FigureDef } from '../../lib/report-fields.ts';
import { compareFigures, formatRatio, isGated, noiseFloorOf, regressionsOver, renderCompareTable, renderErrorComparison } from './compare-table.ts';
import { runCompare } from './compare.ts';

const fixturePath = (name: string): string => new URL(`../fixtures/${name}`, import.meta.url).pathname;
const A = fixturePath('report-a.json');
const B = fixturePath('report-b.json');

const def = (key: string, unit: FigureDef['unit'], better: FigureDef['better']): FigureDef => ({
  key,
  label: key,
  unit,
  better,
  unitText: unit === '/s' ? 'events/sec' : unit,
  section: 'Latency',
  description: '',
  noise: { relative: 0, absolute: 0 }, // every change counts: the judging itself is under test
});

describe('compareFigures', () => {
  const figs = [def('ttfe', 'ms', 'lower'), def('tput', '/s', 'higher'), def('total', 'count', 'none'), def('fails', 'count', 'lower'), def('tokens', 'tokens/s', 'higher')];
  const rows = compareFigures(figs, { figures: { ttfe: 40, tput: 50, total: 100, fails: 0, tokens: null } }, { figures: { ttfe: 50, tput: 55, total: 90, fails: 2, tokens: 10 } });

  it('computes deltas and judges them by the figure\'s better direction', () => {
    expect(rows.map((r) => [r.def.key, r.delta, r.deltaRatio, r.verdict])).toEqual([
      ['ttfe', 10, 0.25, 'worse'],
      ['tput', 5, 0.1, 'better'],
      ['total', -10, -0.1, 'same'],
      ['fails', 2, null, 'worse'],
      ['tokens', null, null, 'n/a'],
    ]);
    expect(rows[0]?.regression).toBe(0.25);
    expect(rows[1]?.regression).toBe(0);
    expect(rows[3]?.regression).toBe(Infinity);
  });

  it('gates rates, latencies and percentages, not counts', () => {
    expect(rows.map((r) => isGated(r.def))).toEqual([true, true, false, false, true]);
    expect(regressionsOver(rows, 0.1).map((r) => r.def.key)).toEqual(['ttfe']);
    expect(regressionsOver(rows, 0.25)).toEqual([]); // exactly 25% is not more than 25%
  });

  it('formats relative deltas with a sign', () => {
    expect(formatRatio(0.2024)).toBe('+20.2%');
    expect(formatRatio(-0.05)).toBe('−5.0%');
    expect(formatRatio(0)).toBe('0.0%');
    expect(formatRatio(null)).toBe('');
  });
});

describe('the noise floor (lib/report-fields.ts NoiseFloor)', () => {
  const ttfe = REPORT_FIGURES.find((f) => f.key === 'ttfeP95Ms')!;
  const success = REPORT_FIGURES.find((f) => f.key === 'successRate')!;
  const rows = (a: number, b: number, def: FigureDef = ttfe, overrides?: Parameters<typeof compareFigures>[3]) =>
    compareFigures([def], { figures: { [def.key]: a } }, { figures: { [def.key]: b } }, overrides);

  it('does not mark +0.00 ms or +0.43 ms as worse (the issue: both were "✗ worse")', () => {
    expect(rows(150, 150.004)[0]?.verdict).toBe('same');
    expect(rows(150, 150.43)[0]?.verdict).toBe('same');
    const table = renderCompareTable(rows(150, 150.43), { a: 'a', b: 'b' }, null).split('\n')[1];
    expect(table).toMatch(/150 ms\s+150 ms\s+\+0\.43 ms\s+\+0\.3%$/);
  });

  it('marks a change only beyond both bounds: 5 % and 2 ms for a latency', () => {
    expect(rows(20, 21.5)[0]?.verdict).toBe('same'); // +7.5 %, but only 1.5 ms
    expect(rows(200, 209)[0]?.verdict).toBe('same'); // +9 ms, but only 4.5 %
    expect(rows(200, 211)[0]?.verdict).toBe('worse'); // +11 ms and 5.5 %
    expect(rows(200, 189)[0]?.verdict).toBe('better');
  });

  it('judges the success rate in percentage points', () => {
    expect(rows(1, 0.9995, success)[0]?.verdict).toBe('same'); // 0.05 point
    expect(rows(1, 0.998, success)[0]?.verdict).toBe('worse'); // 0.2 point
  });

  it('--max-regression uses the same rule: a change within the noise never fails the gate', () => {
    expect(regressionsOver(rows(150, 150.43), 0)).toEqual([]);
    expect(regressionsOver(rows(150, 170), 0.1).map((r) => r.def.key)).toEqual(['ttfeP95Ms']);
  });

  it('takes overrides: a relative floor for all, an absolute one by figure key or unit', () => {
    expect(rows(200, 211, ttfe, { relative: 0.1, absolute: {} })[0]?.verdict).toBe('same');
    expect(rows(200, 211, ttfe, { relative: null, absolute: { ms: 20 } })[0]?.verdict).toBe('same');
    expect(rows(200, 204, ttfe, { relative: 0, absolute: { ttfeP95Ms: 1, ms: 20 } })[0]?.verdict).toBe('worse'); // the figure's own wins
    expect(noiseFloorOf(ttfe)).toEqual({ relative: 0.05, absolute: 2 });
  });
});

describe('report comparison from report files', () => {
  const a = JSON.parse(readFileSync(A, 'utf8')) as { figures: Record<string, number | null>; errorsByType: Record<string, number> };
  const b = JSON.parse(readFileSync(B, 'utf8')) as typeof a;
  const rows = compareFigures(REPORT_FIGURES, a, b);
  const table = renderCompareTable(rows, { a: 'a.json', b: 'b.json' }, 0.1).split('\n');

  it('prints one row per report figure under a header', () => {
    expect(table).toHaveLength(REPORT_FIGURES.length + 1);
    expect(table[0]).toMatch(/^Figure\s+A: a\.json\s+B: b\.json\s+Δ\s+Δ%$/);
  });

  it('marks TTFE p95 55 → 77 ms as a regression over the limit and throughput as worse within it', () => {
    expect(table.find((l) => l.startsWith('TTFE p95 '))).toMatch(/55\.0 ms\s+77\.0 ms\s+\+22\.0 ms\s+\+40\.0%\s+✗ worse \(over 10%\)$/);
    expect(table.find((l) => l.startsWith('Event Throughput'))).toMatch(/49\.40 events\/sec\s+46\.87 events\/sec\s+−2\.53 events\/sec\s+−5\.1%\s+✗ worse$/);
    expect(table.find((l) => l.startsWith('Average Stream Duration'))).toMatch(/663 ms\s+640 ms\s+−23\.0 ms\s+−3\.5%$/); // within 5 %: noise
    expect(table.find((l) => l.startsWith('Success Rate'))).toMatch(/100\.00%\s+98\.00%\s+−2\.00 pt\s+−2\.0%\s+✗ worse$/);
    expect(table.find((l) => l.startsWith('Average Tokens per Second'))).toMatch(/n\/a\s+n\/a$/);
  });

  it('lists error types present in either run', () => {
    expect(renderErrorComparison(a.errorsByType, b.errorsByType)).toBe('Error type  A  B\ntimeout     0  1\nhttp_5xx    0  2');
    expect(renderErrorComparison(a.errorsByType, a.errorsByType)).toBe('Errors by type: none in either run');
  });
});

describe('runCompare', () => {
  function capture(): { out: string[]; err: string[]; io: { out: (l: string) => void; err: (l: string) => void } } {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { out: (l) => out.push(l), err: (l) => err.push(l) } };
  }

  it('exits 1 when a gated figure regresses more than --max-regression, naming them', async () => {
    const c = capture();
    expect(await runCompare(['--max-regression', '10%', A, B], c.io)).toBe(1);
    const last = c.out.at(-1) ?? '';
    expect(last).toBe(
      'FAIL: 8 key figure(s) regressed by more than 10%: Average TTFE, TTFE p50, TTFE p95, TTFE p99, Average TTFT, TTFT p50, TTFT p95, Open Time p95',
    );
    expect(c.out).toContain('note: B: generator saturated — results understate the target');
  });

  it('exits 0 under a looser limit, and without a limit', async () => {
    const c = capture();
    expect(await runCompare(['--max-regression=70', A, B], c.io)).toBe(0);
    expect(c.out.at(-1)).toBe('OK: no key figure regressed by more than 70%.');
    expect(await runCompare([A, B], capture().io)).toBe(0);
    expect(await runCompare([A, A, '--max-regression', '0%'], capture().io)).toBe(0); // identical runs
  });

  it('reads a sse-bench/report@1 baseline (success rate in percent) and says it converted it', async () => {
    const v1 = JSON.parse(readFileSync(A, 'utf8')) as { schema: string; figures: Record<string, number>; ratings: Record<string, { value: number }> };
    v1.schema = 'sse-bench/report@1';
    v1.figures['successRate'] = 100;
    v1.ratings['successRate']!.value = 100;
    const c = capture();
    expect(await runCompare(['old.json', B], c.io, (p) => (p === 'old.json' ? JSON.stringify(v1) : readFileSync(B, 'utf8')))).toBe(0);
    expect(c.out).toContain('note: old.json is a sse-bench/report@1 report: its success rate (percent) was read as a fraction, as in sse-bench/report@2');
    expect(c.out.join('\n')).toMatch(/^Success Rate\s+100\.00%\s+98\.00%\s/m);
  });

  it('--noise and --noise-abs reach the table and the gate', async () => {
    const c = capture();
    expect(await runCompare(['--max-regression', '10%', '--noise-abs', 'ms=100', A, B], c.io)).toBe(0); // every latency change is under 100 ms
    expect(c.out.at(-1)).toBe('OK: no key figure regressed by more than 10%.');
    const d = capture();
    expect(await runCompare(['--noise', '50%', A, B], d.io)).toBe(0);
    expect(d.out.join('\n')).not.toMatch(/TTFE p95 .*✗ worse/); // +40 % is within a 50 % floor
  });

  it('exits 2 with a clear message for a missing file, a file that is not a report, and bad flags', async () => {
    let c = capture();
    expect(await runCompare(['/nonexistent/a.json', B], c.io)).toBe(2);
    expect(c.err[0]).toBe('compare: /nonexistent/a.json: cannot read the report (ENOENT)');

    c = capture();
    expect(await runCompare([A, 'x.json'], c.io, (p) => (p === A ? readFileSync(A, 'utf8') : '{"schema":"other"}'))).toBe(2);
    expect(c.err[0]).toBe('compare: x.json: schema: expected "sse-bench/report@2" (or the older "sse-bench/report@1"), got "other" (is this a benchmark_*.json report from sse-bench?)');

    c = capture();
    expect(await runCompare([A, 'y.json'], c.io, (p) => (p === A ? readFileSync(A, 'utf8') : 'not json'))).toBe(2);
    expect(c.err[0]).toMatch(/^compare: y\.json: not valid JSON/);

    c = capture();
    expect(await runCompare([A], c.io)).toBe(2);
    expect(c.err[0]).toBe('compare: expected two report files (baseline and candidate), got 1');

    c = capture();
    expect(await runCompare(['--max-regression', 'ten', A, B], c.io)).toBe(2);
    expect(c.err[0]).toBe('compare: --max-regression: expected a percentage such as 10%, got "ten"');
  });

  it('prints usage for --help', async () => {
    const c = capture();
    expect(await runCompare(['--help'], c.io)).toBe(0);
    expect(c.out[0]).toMatch(/^Usage: npm run compare/);
  });
});
