/**
 * The sweep's results from step runs, its table, answer and JSON. Besides synthetic steps,
 * `fixtures/sweep-recorded.json` is a recorded sweep: `npm run sweep --
 * --slo 'sse_ttfe:p(95)<200' --start 10 --max 80 --step-duration 10s --precision 5%` against
 * `npm run mock -- --max-concurrency 40 --ttfe-ms 50 --ttft-ms 50 --tokens 40
 * --token-interval-ms 50` on the 2-core development machine, each step run by a Node
 * closed-loop client standing in for k6 (no k6 can be installed there), through the real
 * search and report code.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readBlock } from '../../lib/docs-tables.ts';
import { reportSettings } from '../../lib/report/redact.ts';
import { buildReport, type ReportJson } from '../../lib/report/report-json.ts';
import { k6Summary, testConfig } from '../../lib/report/summary-data.fixture.ts';
import type { SummaryMetric } from '../../lib/report/summary-data.ts';
import {
  answerText,
  buildSweepReport,
  combineRuns,
  loadUnitOf,
  observedText,
  parseSweepJson,
  renderKneeBars,
  renderSweepJson,
  renderSweepTable,
  searchOutcomes,
  type StepRun,
  type SweepContext,
} from './sweep-report.ts';
import { nextLoad, type StepOutcome } from './sweep-search.ts';

const recordedText = readFileSync(new URL('../fixtures/sweep-recorded.json', import.meta.url), 'utf8');
const recorded = parseSweepJson(recordedText, 'sweep-recorded.json');

const SLO = [{ metric: 'sse_ttfe', expression: 'p(95)<200' }];

/** The lib fixture's report with TTFE p95 and k6's verdict on `p(95)<200` set. */
function report(p95: number, over: Partial<ReportJson> = {}): ReportJson {
  const s = k6Summary();
  const ttfe = s.metrics['sse_ttfe'] as SummaryMetric;
  const metrics = { ...s.metrics, sse_ttfe: { ...ttfe, values: { ...ttfe.values, 'p(95)': p95 }, thresholds: { 'p(95)<200': { ok: p95 < 200 } } } };
  return { ...buildReport({ ...s, metrics }, reportSettings(testConfig()), new Date(Date.UTC(2026, 10, 27))), ...over };
}

const run = (p95: number, over: Partial<StepRun> = {}): StepRun => ({
  code: 0,
  report: report(p95),
  reportPath: 'sweep_x/step/benchmark.json',
  saturated: false,
  cpuPeakShare: 0.25,
  cores: 2,
  timedOut: false,
  interrupted: false,
  ...over,
});

const ctx: SweepContext = {
  mode: 'vus',
  loadUnit: 'VUs',
  slo: SLO,
  streamSlo: { SLO_TTFE: '200ms' },
  settings: reportSettings(testConfig()),
  search: { start: 10, max: 80, precision: 0.1, factor: 2, stepDurationSec: 10, repeat: 1 },
};
const AT = new Date(Date.UTC(2026, 10, 27, 12));

describe('combineRuns', () => {
  it('one run: its figures, each SLO verdict from the report, CPU and where the report is', () => {
    const s = combineRuns(3, 40, 'vus', SLO, [run(150)], 'sweep_x/step-03-40vus');
    expect(s).toMatchObject({ index: 3, load: 40, runs: 1, pass: true, generatorSaturated: false, cpuPeakShare: 0.25, cores: 2, k6ExitCodes: [0], reportDir: 'sweep_x/step-03-40vus', reports: ['sweep_x/step/benchmark.json'] });
    expect(s.figures.ttfeP95Ms).toBe(150);
    expect(s.checks).toEqual([{ metric: 'sse_ttfe', expression: 'p(95)<200', ok: true, observed: 150 }]);
    expect(s.spread).toBeUndefined();
  });

  it('several runs: medians, spread, majority verdict, any saturation, the highest CPU', () => {
    const s = combineRuns(1, 40, 'vus', SLO, [run(150), run(250, { cpuPeakShare: 0.5 }), run(190, { saturated: true })], 'd');
    expect(s.runs).toBe(3);
    expect(s.figures.ttfeP95Ms).toBe(190);
    expect([s.spread?.min.ttfeP95Ms, s.spread?.max.ttfeP95Ms]).toEqual([150, 250]);
    expect(s.pass).toBe(true); // 2 of 3
    expect(s.checks[0]).toMatchObject({ ok: true, observed: 190 });
    expect(s.generatorSaturated).toBe(true);
    expect(s.cpuPeakShare).toBe(0.5);
    expect(combineRuns(1, 40, 'vus', SLO, [run(150), run(250)], 'd').pass).toBe(false); // a tie is not a majority
  });

  it('TURNS > 1: TTFT p50 by turn per step (the median over the runs), and a table column per turn', () => {
    const withTurns = (meds: number[]): StepRun => {
      const r = report(100);
      const byTurn = meds.map((m, i) => ({ turn: i < 3 ? String(i + 1) : '4+', streams: 10, ttftMed: m, ttftP95: m + 5, ttfeMed: 20, ttfeP95: 25 }));
      return run(100, { report: { ...r, workload: { dataset: null, turns: 4, thinkTime: '', promptChars: null, answerTokens: null, conversations: null, byTurn } } });
    };
    const s = combineRuns(1, 40, 'vus', SLO, [withTurns([200, 240, 280, 320]), withTurns([210, 250, 290, 330]), withTurns([190, 260, 270, 310])], 'd');
    expect(s.ttftByTurn).toEqual([
      { turn: '1', ttftMedMs: 200 },
      { turn: '2', ttftMedMs: 250 },
      { turn: '3', ttftMedMs: 280 },
      { turn: '4+', ttftMedMs: 320 },
    ]);
    expect(combineRuns(1, 40, 'vus', SLO, [run(100)], 'd').ttftByTurn).toBeUndefined();
    const table = renderSweepTable({ steps: [s], loadUnit: 'VUs', slo: SLO, maxSustainable: { vus: null, streamsPerSecond: null, goodputPerSecond: null, limitedBy: 'slo' } });
    const [head, row] = table.split('\n');
    expect(head).toContain('TTFT p50 turn 1');
    expect(head).toContain('TTFT p50 turn 4+');
    expect(row).toMatch(/200 ms.*250 ms.*280 ms.*320 ms/);
  });

  it('open model adds the dropped-iterations check; a run without a report gives a step without figures', () => {
    const dropped = report(100);
    const s = combineRuns(1, 20, 'rate', SLO, [run(100, { report: { ...dropped, figures: { ...dropped.figures, droppedIterations: 3 } } })], 'd');
    expect(s.checks.map((c) => [c.metric, c.ok, c.observed])).toEqual([['sse_ttfe', true, 100], ['dropped_iterations', false, 3]]);
    expect(s.pass).toBe(false);
    const none = combineRuns(1, 20, 'vus', SLO, [run(0, { report: null, code: 107 })], 'd');
    expect(none).toMatchObject({ runs: 0, pass: false, checks: [], k6ExitCodes: [107], reports: [] });
    expect(none.figures.ttfeP95Ms).toBeNull();
  });

  it('a step Ctrl-C cut short is left out of the search', () => {
    const steps = [combineRuns(1, 10, 'vus', SLO, [run(50)], 'a'), combineRuns(2, 20, 'vus', SLO, [run(50, { interrupted: true })], 'b')];
    expect(searchOutcomes(steps)).toEqual([{ load: 10, pass: true, saturated: false }]);
  });
});

describe('answers, JSON, table', () => {
  const steps = [10, 20, 40, 80, 60, 50, 45, 42].map((load, i) => combineRuns(i + 1, load, 'vus', SLO, [run(load <= 42 ? 60 : 250)], `sweep_x/step-${i + 1}`));
  const done = nextLoad(ctx.search, searchOutcomes(steps));
  if (!done.done) throw new Error('the search should have ended');
  const r = buildSweepReport(ctx, steps, done.result, '', AT);

  it('builds the sweep@1 report with maxSustainable and the answer', () => {
    expect(r).toMatchObject({ schema: 'sse-bench/sweep@1', generatedAt: '2026-11-27T12:00:00.000Z', mode: 'vus', loadUnit: 'VUs', interrupted: false, saturatedAt: null });
    expect(r.maxSustainable).toEqual({ vus: 42, streamsPerSecond: 4, goodputPerSecond: 3.2, limitedBy: 'slo' });
    expect(r.answer).toBe('max sustainable: 42 VUs (4.0 streams/s)');
  });

  it('round-trips through renderSweepJson / parseSweepJson', () => {
    expect(parseSweepJson(renderSweepJson(r), 'x.json')).toEqual(JSON.parse(JSON.stringify(r)));
  });

  it('names the file and the field of a bad sweep file', () => {
    const bad = (mutate: (v: Record<string, unknown>) => void): string => {
      const v = JSON.parse(renderSweepJson(r)) as Record<string, unknown>;
      mutate(v);
      try {
        parseSweepJson(JSON.stringify(v), 'reports/sweep_x.json');
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error('expected a SweepFormatError');
    };
    expect(() => parseSweepJson('{', 'a.json')).toThrow(/^a\.json: not valid JSON/);
    expect(bad((v) => (v['schema'] = 'sse-bench/report@1'))).toBe('reports/sweep_x.json: schema: expected "sse-bench/sweep@1", got "sse-bench/report@1"');
    expect(bad((v) => (v['mode'] = 'closed'))).toBe('reports/sweep_x.json: mode: expected "vus" or "rate"');
    expect(bad((v) => ((v['steps'] as Record<string, unknown>[])[2]!['pass'] = 'yes'))).toBe('reports/sweep_x.json: steps[2].pass: expected a boolean');
    expect(bad((v) => delete ((v['steps'] as Record<string, Record<string, unknown>>[])[0]!['figures'] as Record<string, unknown>)['ttfeP95Ms'])).toBe(
      'reports/sweep_x.json: steps[0].figures.ttfeP95Ms: expected a number or null',
    );
    expect(bad((v) => ((v['maxSustainable'] as Record<string, unknown>)['limitedBy'] = 'luck'))).toBe('reports/sweep_x.json: maxSustainable.limitedBy: expected one of slo, max, generator, interrupted');
    expect(bad((v) => ((v['maxSustainable'] as Record<string, unknown>) = { rate: 5, streamsPerSecond: 1, limitedBy: 'slo' }))).toBe('reports/sweep_x.json: maxSustainable.vus: expected a number or null');
  });

  it('renders the table in load order with the answer marked', () => {
    const lines = renderSweepTable(r).split('\n');
    expect(lines[0]).toBe('VUs  streams/s  events/s  TTFE p50  TTFE p95  TTFT p50  TTFT p95  success      goodput  gen CPU  sse_ttfe p(95)<200  step');
    expect(lines.slice(1).map((l) => Number(l.trim().split(/\s+/)[0]))).toEqual([10, 20, 40, 42, 45, 50, 60, 80]);
    expect(lines[4]).toBe(' 42        4.0        80   41.0 ms   60.0 ms   85.0 ms    111 ms   97.60%  3.2/s (80%)      25%  ✓ 60.0 ms           pass  ◀ max sustainable');
    expect(lines[5]).toMatch(/ 45 .* ✗ 250 ms +FAIL$/);
  });

  it('draws the knee as text bars with the limit at a fixed column', () => {
    expect(renderKneeBars(r).split('\n').slice(0, 6)).toEqual([
      'VUs  sse_ttfe p(95)<200 (| = 200 ms)',
      ' 10  ███████                 |                 60.0 ms',
      ' 20  ███████                 |                 60.0 ms',
      ' 40  ███████                 |                 60.0 ms',
      ' 42  ███████                 |                 60.0 ms  ◀ max sustainable',
      ' 45  ██████████████████████████████            250 ms',
    ]);
    expect(renderKneeBars({ ...r, slo: [{ metric: 'sse_stream_success', expression: 'rate>0.99' }] })).toBe('');
  });

  it('words every ending', () => {
    const at = (limitedBy: 'slo' | 'max' | 'generator' | 'interrupted', best: number | null, saturatedAt: number | null = null) =>
      answerText({ steps, loadUnit: 'VUs' }, { best, lowestFail: null, saturatedAt, limitedBy }, 'interrupted (Ctrl-C)');
    expect(at('max', 42)).toBe('max sustainable: at least 42 VUs (4.0 streams/s) — every step up to --max passed; raise --max to find the limit');
    expect(at('generator', 20, 80)).toBe(
      "not found: the generator saturated at 80 VUs (CPU peak 25% of 2 cores); up to 20 VUs (4.0 streams/s) the target met the SLO. This limit is the generator's, not the server's: run the sweep from several generators (docs/distributed.md)",
    );
    expect(at('generator', null, 10)).toMatch(/^not found: the generator saturated at 10 VUs \(CPU peak 25% of 2 cores\)\. This limit/);
    expect(at('interrupted', 20)).toBe('interrupted (Ctrl-C): best so far 20 VUs (4.0 streams/s) within the SLO');
    expect(at('interrupted', null)).toBe('interrupted (Ctrl-C): no step passed so far');
    expect(answerText({ steps, loadUnit: 'streams/s' }, { best: 42, lowestFail: 45, saturatedAt: null, limitedBy: 'slo' }, '')).toBe('max sustainable: 42 streams/s (achieved 4.0 streams/s)');
  });

  it('units and observed values', () => {
    expect(loadUnitOf('vus', ['stream'])).toBe('VUs');
    expect(loadUnitOf('rate', ['stream'])).toBe('streams/s');
    expect(loadUnitOf('rate', ['stream', 'burst'])).toBe('iterations/s');
    expect(observedText('sse_ttfe', 2021.4)).toBe('2021 ms');
    expect(observedText('sse_ttfe{scenario:stream}', 12_500)).toBe('12.50 s');
    expect(observedText('sse_stream_success', 0.98765)).toBe('0.9877');
    expect(observedText('sse_ttft', null)).toBe('n/a');
  });
});

describe('the recorded sweep (fixtures/sweep-recorded.json)', () => {
  it('replaying its step results through the search gives the same steps, in the same order, and the same answer', () => {
    const outcomes: StepOutcome[] = [];
    for (const step of recorded.steps) {
      const next = nextLoad(recorded.search, outcomes);
      expect(next).toEqual({ done: false, load: step.load });
      outcomes.push({ load: step.load, pass: step.pass, saturated: step.generatorSaturated });
    }
    const end = nextLoad(recorded.search, outcomes);
    expect(end.done && end.result).toEqual({ best: 42, lowestFail: 43, saturatedAt: null, limitedBy: 'slo' });
    expect(recorded.maxSustainable).toMatchObject({ vus: 42, limitedBy: 'slo' });
  });

  it('its knee: TTFE p95 under 200 ms up to 42 VUs, about one stream (2 s) over it from 43 on', () => {
    const p95 = (load: number): number => recorded.steps.find((s) => s.load === load)?.figures.ttfeP95Ms ?? NaN;
    for (const load of [10, 20, 40, 42]) expect(p95(load)).toBeLessThan(200);
    for (const load of [43, 45, 50, 60, 80]) expect(p95(load)).toBeGreaterThan(1900);
  });

  it("is the README's sample, as the sweep prints it (table, knee bars, answer)", () => {
    const sample = [renderSweepTable(recorded), '', renderKneeBars(recorded), '', recorded.answer].join('\n');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    // To update: paste the expected text below between the sweep-sample markers in README.md.
    expect(readBlock(readme, 'sweep-sample')).toBe(`\`\`\`text\n${sample}\n\`\`\``);
    expect(renderKneeBars(recorded).split('\n')).toHaveLength(recorded.steps.length + 1);
  });
});
