/**
 * `npm run compare` on recorded real runs (cli/fixtures/repeat/: `npm run bench -- --repeat 5`,
 * k6 v2.2.0 on this 2-core machine with other sessions running, against `npm run mock` with
 * TTFE 100 ms (sets a1, a2) and 110 ms (set b); PROFILE=open RATE=10 DURATION=10s, 20 tokens
 * 20 ms apart with uniform 10 ms jitter). Deterministic: the same measured runs every time.
 */
import { describe, expect, it } from 'vitest';
import { runCompare } from './compare.ts';

const A1 = 'cli/fixtures/repeat/a1/repeat_20261208_020501.json';
const A2 = 'cli/fixtures/repeat/a2/repeat_20261208_020558.json';
const B = 'cli/fixtures/repeat/b/repeat_20261208_020654.json';

async function compare(argv: string[]): Promise<{ code: number; lines: string[] }> {
  const out: string[] = [];
  const code = await runCompare(argv, { out: (l) => out.push(l), err: (l) => out.push(l) });
  return { code, lines: out.join('\n').split('\n') };
}

const row = (lines: readonly string[], label: string): string => lines.find((l) => l.startsWith(`${label}  `)) ?? '';
const FIGURE_ROW = /^[A-Z][A-Za-z0-9 -]+?  .*\(\d\)  /;

describe('two sets of 5 runs of the same configuration', () => {
  it('say "no significant difference" for every figure, and pass a 5 % gate', async () => {
    const { code, lines } = await compare(['--max-regression', '5%', A1, A2]);
    expect(lines[0]).toBe('Repeated runs: A 5, B 5');
    const rows = lines.filter((l) => FIGURE_ROW.test(l));
    expect(rows.length).toBeGreaterThanOrEqual(30);
    for (const r of rows) expect(r).toMatch(/96\.8%\s+no significant difference$/);
    // the spread is real: TTFE p95 medians 104 and 121 ms, and yet no result
    expect(row(lines, 'TTFE p95')).toMatch(/^TTFE p95\s+104 ms \(5\)\s+121 ms \(5\)\s+\+11\.0 ms\s+\+10\.6%\s+\[−44\.0 ms, \+63\.1 ms\] 96\.8%/);
    expect(code).toBe(0);
    expect(lines.at(-1)).toBe('OK: no key figure significantly regressed by more than 5%.');
  });
});

describe('runs whose mock TTFE differs by 10 % (100 → 110 ms)', () => {
  it('report the difference with an interval that excludes zero', async () => {
    const { code, lines } = await compare(['--max-regression', '5%', A1, B]);
    expect(row(lines, 'TTFE p50')).toMatch(/^TTFE p50\s+102 ms \(5\)\s+112 ms \(5\)\s+\+10\.0 ms\s+\+9\.8%\s+\[\+10\.0 ms, \+11\.0 ms\] 96\.8%\s+✗ worse \(over 5%\)$/);
    expect(row(lines, 'Average TTFE')).toMatch(/\[\+2\.51 ms, \+11\.0 ms\] 96\.8%\s+✗ worse/);
    expect(row(lines, 'TTFT p50')).toMatch(/\[\+10\.0 ms, \+11\.0 ms\] 96\.8%\s+✗ worse/);
    // one slow run of set a1 (TTFE p95 165 ms) keeps the p95's interval across zero
    expect(row(lines, 'TTFE p95')).toMatch(/\[−49\.0 ms, \+15\.0 ms\] 96\.8%\s+no significant difference$/);
    expect(code).toBe(1);
    expect(lines.at(-1)).toBe('FAIL: 4 key figure(s) significantly regressed by more than 5%: Average TTFE, TTFE p50, Average TTFT, TTFT p50');
  });

  it('pass a 15 % gate: significant, but within the margin', async () => {
    expect((await compare(['--max-regression', '15%', A1, B])).code).toBe(0);
  });
});
