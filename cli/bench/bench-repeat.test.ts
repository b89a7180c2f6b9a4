import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseReportJson, type ReportJson } from '../../lib/report/report-json.ts';
import { renderRepeatBlock, repeatExitCode, runRepeated, summariseRuns, type RepeatedRun } from './bench-repeat.ts';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
const base = parseReportJson(fixture('report-a.json'), 'report-a.json');
const withTtfe = (p95: number, saturated = false): ReportJson => ({ ...base, generatorSaturated: saturated, figures: { ...base.figures, ttfeP95Ms: p95 } });
const AT = new Date(Date.UTC(2026, 10, 27, 12, 0, 0));
const dir = mkdtempSync(join(tmpdir(), 'bench-repeat-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('summariseRuns', () => {
  const runs: RepeatedRun[] = [
    { code: 0, report: withTtfe(50), jsonPath: 'r/1.json' },
    { code: 1, report: null, jsonPath: '' },
    { code: 99, report: withTtfe(70, true), jsonPath: 'r/3.json' },
    { code: 0, report: withTtfe(54), jsonPath: 'r/4.json' },
  ];
  const s = summariseRuns(4, runs, false, AT);

  it('summarises the runs that wrote a report, and keeps every exit code', () => {
    expect(s).toMatchObject({ schema: 'sse-bench/repeat@1', generatedAt: '2026-11-27T12:00:00.000Z', requested: 4, exitCodes: [0, 1, 99, 0], reports: ['r/1.json', 'r/3.json', 'r/4.json'], interrupted: false, generatorSaturated: true });
    expect(s.figures.ttfeP95Ms).toEqual({ median: 54, min: 50, max: 70, n: 3 });
  });

  it('exits with the first failing run code', () => {
    expect(repeatExitCode(s.exitCodes)).toBe(1);
    expect(repeatExitCode([0, 0])).toBe(0);
    expect(repeatExitCode([])).toBe(0);
  });

  it('renders the block with the saturation note and the file', () => {
    const block = renderRepeatBlock(s, 'reports/repeat_x.json');
    expect(block.split('\n')[0]).toBe('REPEATED RUNS: 3 of 4 with a report; median and spread of each figure');
    expect(block).toMatch(/\nTTFE p95 +54\.0 ms {2}50\.0 ms – 70\.0 ms \(±18\.5%\)\n/); // (70 − 50) / 2 / 54
    expect(block).toContain('note: the generator saturated in at least one run');
    expect(block.endsWith('Summary: reports/repeat_x.json')).toBe(true);
  });
});

describe('runRepeated', () => {
  it('runs N times, writes repeat_<stamp>.json and returns the combined exit code', async () => {
    const out: string[] = [];
    const seen: number[] = [];
    const code = await runRepeated(
      3,
      async (i) => {
        seen.push(i);
        return { code: i === 1 ? 99 : 0, report: withTtfe(40 + i), jsonPath: `r/${i}.json` };
      },
      dir,
      { out: (l) => out.push(l), err: () => undefined },
      () => AT.getTime(),
    );
    expect(seen).toEqual([0, 1, 2]);
    expect(code).toBe(99);
    expect(readdirSync(dir)).toEqual(['repeat_20261127_120000.json']);
    const written = JSON.parse(readFileSync(join(dir, 'repeat_20261127_120000.json'), 'utf8')) as { figures: { ttfeP95Ms: unknown } };
    expect(written.figures.ttfeP95Ms).toEqual({ median: 41, min: 40, max: 42, n: 3 });
    expect(out.slice(0, 3)).toEqual(['bench: run 1 of 3', 'bench: run 2 of 3', 'bench: run 3 of 3']);
  });

  it('stops after the run in progress on SIGINT and marks the summary interrupted', async () => {
    const out: string[] = [];
    let runs = 0;
    await runRepeated(
      5,
      async () => {
        runs++;
        if (runs === 2) process.emit('SIGINT', 'SIGINT');
        return { code: 0, report: withTtfe(40), jsonPath: `r/${runs}.json` };
      },
      dir,
      { out: (l) => out.push(l), err: () => undefined },
      () => AT.getTime() + 1000,
    );
    expect(runs).toBe(2);
    expect(out.join('\n')).toContain('REPEATED RUNS: 2 of 5 with a report (interrupted)');
  });
});
