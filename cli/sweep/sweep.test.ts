/**
 * runSweep end to end without k6: the real preflight (with a found k6 and a target that answers
 * like the mock), the real search, reports and files, and a stand-in for each step's k6 run
 * that answers from a table of step results (TTFE p95, saturation, dropped iterations by load).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reportSettings } from '../../lib/report/redact.ts';
import { buildReport } from '../../lib/report/report-json.ts';
import { k6Summary, testConfig } from '../../lib/report/summary-data.fixture.ts';
import type { SummaryMetric } from '../../lib/report/summary-data.ts';
import type { PreflightDeps } from '../preflight/preflight.ts';
import { parseSweepJson, type StepRun } from './sweep-report.ts';
import { EXIT_INTERRUPTED, runSweep } from './sweep.ts';
import type { StepDeps, StepPlan } from './sweep-step.ts';

const root = mkdtempSync(join(tmpdir(), 'sweep-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const SECRET = 'sweep-secret-token-42';

/** A k6 that was found, a script that exists, a target whose answer to the probe request is a Dify workflow stream. */
const preflightDeps: PreflightDeps = {
  locateK6: async () => ({ ok: true, bin: '/opt/k6', version: 'v1.3.0', major: 1, env: { K6_NO_USAGE_REPORT: 'true' } }),
  fileExists: () => true,
  sendProbe: async () => ({
    kind: 'response',
    status: 200,
    contentType: 'text/event-stream',
    location: '',
    excerpt: '',
    firstEvent: { name: '', data: '{"event":"workflow_started","task_id":"t","data":{}}' },
    stop: 'event',
  }),
  startMock: async () => {
    throw new Error('not used');
  },
};

interface Truth {
  readonly p95: number;
  readonly saturated?: boolean;
  readonly dropped?: number;
  readonly noReport?: boolean;
}

/** A step's k6 run as the stand-in gives it: the lib fixture's summary with TTFE p95 and k6's verdict on each threshold. */
function fakeRun(plan: StepPlan, deps: StepDeps, t: Truth): StepRun {
  const base = { code: 0, saturated: t.saturated ?? false, cpuPeakShare: t.saturated ? 0.97 : 0.3, cores: 2, timedOut: false, interrupted: deps.stopRequested() };
  if (t.noReport) return { ...base, code: 107, report: null, reportPath: '' };
  const thresholds = JSON.parse(readFileSync(plan.thresholdsPath, 'utf8')) as Record<string, string[]>;
  const s = k6Summary();
  const ttfe = s.metrics['sse_ttfe'] as SummaryMetric;
  const verdict = (e: string): boolean => (e === 'p(95)<200' ? t.p95 < 200 : e === 'p(95)<500' ? t.p95 < 500 : true);
  const metrics: Record<string, SummaryMetric> = {
    ...s.metrics,
    sse_ttfe: { ...ttfe, values: { ...ttfe.values, 'p(95)': t.p95 } },
    sse_stream_success: { type: 'rate', contains: 'default', values: { rate: 1, passes: 250, fails: 0 } },
    dropped_iterations: { type: 'counter', contains: 'default', values: { count: t.dropped ?? 0, rate: 0 } },
  };
  // k6's verdict on each threshold of the run (only TTFE bounds can fail here).
  for (const [name, exprs] of Object.entries(thresholds)) {
    const m = metrics[name] as SummaryMetric;
    metrics[name] = { ...m, thresholds: Object.fromEntries(exprs.map((e) => [e, { ok: name !== 'sse_ttfe' || verdict(e) }])) };
  }
  const report = buildReport({ ...s, metrics }, reportSettings(testConfig()), new Date(Date.UTC(2026, 10, 27)));
  return { ...base, report, reportPath: join(plan.reportsDir, 'benchmark_20261127_000000.json') };
}

interface Result {
  code: number;
  out: string;
  err: string;
  plans: StepPlan[];
  dir: string;
}

let n = 0;
async function sweep(
  argv: string[],
  truth: (load: number, run: number) => Truth,
  env: Record<string, string> = {},
  onStep?: (plan: StepPlan) => void,
  onDeps?: (deps: StepDeps) => void,
): Promise<Result> {
  const dir = join(root, `r${++n}`);
  const out: string[] = [];
  const err: string[] = [];
  const plans: StepPlan[] = [];
  const code = await runSweep(argv, {
    env: { PATH: process.env.PATH, BASE_URL: 'http://127.0.0.1:9', API_KEY: SECRET, REPORTS_DIR: dir, ...env },
    io: { out: (l) => out.push(l), err: (l) => err.push(l) },
    preflight: preflightDeps,
    now: () => Date.UTC(2026, 10, 27, 12, 0, 0),
    runStep: async (plan, deps) => {
      plans.push(plan);
      onStep?.(plan);
      onDeps?.(deps);
      return fakeRun(plan, deps, truth(plan.load, plans.filter((p) => p.load === plan.load).length));
    },
    chartJs: () => '/* chart.js */',
  });
  return { code, out: out.join('\n'), err: err.join('\n'), plans, dir };
}

const json = (r: Result) => parseSweepJson(readFileSync(join(r.dir, 'sweep_20261127_120000.json'), 'utf8'), 'sweep.json');
const knee = (limit: number) => (load: number): Truth => ({ p95: load <= limit ? 60 : 250 });

describe('npm run sweep (k6 runs stood in)', () => {
  it('normal knee: grows, bisects, prints the table and the answer, writes JSON, HTML and each step into its own directory', async () => {
    const r = await sweep(['--slo', 'sse_ttfe:p(95)<200', '--step-duration', '5s'], knee(42));
    if (process.env.SHOW_SWEEP_OUTPUT) console.log([r.out, '--- stderr ---', r.err].join('\n'));
    expect(r.code).toBe(0);
    expect(r.plans.map((p) => p.load)).toEqual([10, 20, 40, 80, 60, 50, 45, 42]);
    expect(r.plans[0]).toMatchObject({ mode: 'vus', stepSec: 5, streamSlo: { SLO_TTFE: '200ms' }, scenarios: 'stream', reportsDir: join(r.dir, 'sweep_20261127_120000', 'step-01-10vus') });
    expect(JSON.parse(readFileSync(r.plans[0]?.thresholdsPath ?? '', 'utf8'))).toEqual({ sse_ttfe: ['p(95)<200'] });
    expect(r.out).toContain('sweep: target: dify-workflow at http://127.0.0.1:9');
    expect(r.out).toContain('step 4: 80 VUs — 4.0 streams/s, TTFE p95 250 ms, CPU 30% — FAIL (sse_ttfe p(95)<200: 250 ms)');
    expect(r.out).toMatch(/\n 42 +4\.0 .* ✓ 60\.0 ms +pass +◀ max sustainable\n/);
    expect(r.out).toContain('\nmax sustainable: 42 VUs (4.0 streams/s)\n');
    const report = json(r);
    expect(report.maxSustainable).toEqual({ vus: 42, streamsPerSecond: 4, goodputPerSecond: 3.2, limitedBy: 'slo' });
    expect(report.steps.map((s) => [s.load, s.pass])).toEqual([[10, true], [20, true], [40, true], [80, false], [60, false], [50, false], [45, false], [42, true]]);
    expect(report.steps[7]?.reportDir).toBe('sweep_20261127_120000/step-08-42vus');
    expect(report.settings).toMatchObject({ profile: 'k6 --vus/--duration', scenarios: ['stream'], apiKey: 'set' });
    const html = readFileSync(join(r.dir, 'sweep_20261127_120000.html'), 'utf8');
    expect(html).toContain('<canvas id="chart-knee">');
    for (const text of [r.out, r.err, html, readFileSync(join(r.dir, 'sweep_20261127_120000.json'), 'utf8')]) expect(text).not.toContain(SECRET);
  });

  it('the default SLO is the default threshold set', async () => {
    const r = await sweep([], knee(10_000), {}, undefined);
    expect(JSON.parse(readFileSync(r.plans[0]?.thresholdsPath ?? '', 'utf8'))).toEqual({ sse_ttfe: ['p(95)<500'], sse_stream_success: ['rate>0.99'], sse_streams_closed: ['count>0'] });
    expect(r.plans[0]?.streamSlo).toEqual({ SLO_TTFE: '500ms' });
    expect(r.code).toBe(0);
    expect(r.out).toContain('max sustainable: at least 1000 VUs (4.0 streams/s) — every step up to --max passed; raise --max to find the limit');
  });

  it('saturated generator: the search stops, the answer says whose limit it is and exits 1', async () => {
    const r = await sweep(['--slo', 'sse_ttfe:p(95)<200'], (load) => ({ p95: 60, saturated: load >= 160 }));
    expect(r.code).toBe(1);
    expect(r.plans.map((p) => p.load)).toEqual([10, 20, 40, 80, 160]);
    expect(r.out).toContain(
      "not found: the generator saturated at 160 VUs (CPU peak 97% of 2 cores); up to 80 VUs (4.0 streams/s) the target met the SLO. This limit is the generator's, not the server's: run the sweep from several generators (docs/distributed.md)",
    );
    expect(r.out).toMatch(/\n160 .* pass, generator saturated\n/);
    const report = json(r);
    expect(report.maxSustainable).toMatchObject({ vus: 80, limitedBy: 'generator' });
    expect(report.saturatedAt).toBe(160);
    expect(report.steps.at(-1)?.generatorSaturated).toBe(true);
  });

  it('SLO never met: one step, no answer, exit 1', async () => {
    const r = await sweep(['--slo', 'sse_ttfe:p(95)<200'], () => ({ p95: 250 }));
    expect(r.code).toBe(1);
    expect(r.plans).toHaveLength(1);
    expect(r.out).toContain('not found: the first step (10 VUs) already failed the SLO (sse_ttfe p(95)<200: 250 ms); lower --start');
    expect(json(r).maxSustainable).toEqual({ vus: null, streamsPerSecond: null, goodputPerSecond: null, limitedBy: 'slo' });
  });

  it('SLO met at --max: "at least --max", exit 0', async () => {
    const r = await sweep(['--slo', 'sse_ttfe:p(95)<200', '--max', '100'], knee(500));
    expect(r.plans.map((p) => p.load)).toEqual([10, 20, 40, 80, 100]);
    expect(r.code).toBe(0);
    expect(json(r).maxSustainable).toMatchObject({ vus: 100, limitedBy: 'max' });
  });

  it('Ctrl-C: the step in progress ends, the sweep writes what it knows and exits 130', async () => {
    const r = await sweep(['--slo', 'sse_ttfe:p(95)<200'], knee(42), {}, (plan) => {
      if (plan.load === 40) process.emit('SIGINT', 'SIGINT');
    });
    expect(r.code).toBe(EXIT_INTERRUPTED);
    expect(r.plans.map((p) => p.load)).toEqual([10, 20, 40]);
    expect(r.err).toContain('sweep: Ctrl-C — stopping after this step');
    expect(r.out).toContain('interrupted (Ctrl-C): best so far 20 VUs (4.0 streams/s) within the SLO');
    const report = json(r);
    expect(report.interrupted).toBe(true);
    expect(report.steps.map((s) => s.interrupted)).toEqual([false, false, true]);
    expect(report.maxSustainable).toMatchObject({ vus: 20, limitedBy: 'interrupted' });
  });

  it('--repeat 3: three runs per step, medians as the figures, a step passes when most runs pass', async () => {
    // At 40 VUs the second run is slow: 2 of 3 pass. At 80 only the first passes.
    const r = await sweep(['--slo', 'sse_ttfe:p(95)<200', '--repeat', '3', '--max', '80', '--precision', '100%'], (load, run) => ({
      p95: load <= 40 ? (run === 2 ? 300 : 60 + run) : run === 1 ? 100 : 250,
    }));
    expect(r.plans.map((p) => p.load)).toEqual([10, 10, 10, 20, 20, 20, 40, 40, 40, 80, 80, 80]);
    expect(r.plans.slice(0, 3).map((p) => p.reportsDir.slice(r.dir.length + 1))).toEqual([1, 2, 3].map((i) => `sweep_20261127_120000/step-01-10vus/run-${i}`));
    const steps = json(r).steps;
    expect(steps.map((s) => [s.load, s.runs, s.pass])).toEqual([[10, 3, true], [20, 3, true], [40, 3, true], [80, 3, false]]);
    expect(steps[2]?.figures.ttfeP95Ms).toBe(63); // median of 61, 300, 63
    expect(steps[2]?.spread?.min.ttfeP95Ms).toBe(61);
    expect(steps[2]?.spread?.max.ttfeP95Ms).toBe(300);
    expect(steps[2]?.checks[0]).toEqual({ metric: 'sse_ttfe', expression: 'p(95)<200', ok: true, observed: 63 });
    expect(r.out).toContain('max sustainable: 40 VUs');
  });

  it('open model: RATE steps, load in streams/s, dropped iterations fail a step', async () => {
    const r = await sweep(['--mode', 'rate', '--slo', 'sse_ttfe:p(95)<200', '--precision', '30%'], (load) => ({ p95: 60, dropped: load >= 30 ? 12 : 0 }));
    expect(r.plans.map((p) => [p.mode, p.load, p.scenarios])).toEqual([['rate', 5, 'stream'], ['rate', 10, 'stream'], ['rate', 20, 'stream'], ['rate', 40, 'stream'], ['rate', 30, 'stream'], ['rate', 25, 'stream']]);
    expect(r.out).toContain('FAIL (dropped_iterations count==0: 12)');
    expect(r.out).toContain('max sustainable: 25 streams/s (achieved 4.0 streams/s)');
    const report = json(r);
    expect(report.loadUnit).toBe('streams/s');
    expect(report.maxSustainable).toMatchObject({ rate: 25, limitedBy: 'slo' });
    expect(report.steps[0]?.reportDir).toBe('sweep_20261127_120000/step-01-5per-s');
  });

  it('open model with SCENARIOS=stream,burst: the load is iterations/s', async () => {
    const r = await sweep(['--mode', 'rate', '--max', '5'], () => ({ p95: 60 }), { SCENARIOS: 'stream,burst' });
    expect(r.plans[0]?.scenarios).toBe('stream,burst');
    expect(json(r).loadUnit).toBe('iterations/s');
  });

  it('a step without a report stops the sweep with what is known, exit 1', async () => {
    const r = await sweep(['--slo', 'sse_ttfe:p(95)<200'], (load) => ({ p95: 60, noReport: load === 20 }));
    expect(r.code).toBe(1);
    expect(r.plans.map((p) => p.load)).toEqual([10, 20]);
    expect(r.out).toContain('stopped: step 2 wrote no report (see k6\'s messages above): best so far 10 VUs (4.0 streams/s) within the SLO');
    expect(r.out).toMatch(/\n 20 +n\/a .* n\/a +no report\n/); // no figures, no SLO verdict: the columns still line up
  });

  it('rejects SCENARIOS with burst for the closed model, bad flags, and shows --help', async () => {
    const burst = await sweep([], knee(10), { SCENARIOS: 'stream,burst' });
    expect(burst.code).toBe(2);
    expect(burst.err).toContain('sweep: SCENARIOS=stream,burst: the closed-model sweep (--mode vus) runs k6 --vus/--duration, whose one scenario is `stream`');
    expect(burst.plans).toEqual([]);
    const bad = await sweep(['--slo', 'sse_ttfe:p95<200'], knee(10));
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^sweep: --slo "sse_ttfe:p95<200": "sse_ttfe": "p95<200" is not a threshold expression/);
    const help = await sweep(['--help'], knee(10));
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^Usage: npm run sweep/);
    expect(existsSync(help.dir)).toBe(false);
  });

  it("takes setup:dify's key and BASE_URL when API_KEY is unset, as npm run bench does, the key only in k6's environment", async () => {
    const home = mkdtempSync(join(root, 'home-'));
    mkdirSync(join(home, '.sse-bench'));
    const stateKey = 'state-fixture-key-5e2a';
    writeFileSync(join(home, '.sse-bench', 'dify.json'), JSON.stringify({ schema: 'sse-bench/dify-state@1', complete: true, baseUrl: 'http://127.0.0.1:9', apiKey: stateKey, appMode: 'workflow' }));
    const seen: (string | undefined)[] = [];
    const r = await sweep(['--max', '10'], () => ({ p95: 60 }), { API_KEY: '', BASE_URL: '', PWD: home }, undefined, (deps) => seen.push(deps.env.API_KEY));
    expect(r.code).toBe(0);
    expect(r.out).toContain(`sweep: API key and BASE_URL http://127.0.0.1:9 from ${home}/.sse-bench/dify.json (npm run setup:dify)`);
    expect(seen).toEqual([stateKey]);
    for (const text of [r.out, r.err, readFileSync(join(r.dir, 'sweep_20261127_120000.json'), 'utf8'), readFileSync(join(r.dir, 'sweep_20261127_120000.html'), 'utf8')]) expect(text).not.toContain(stateKey);
  });

  it('stops at the preflight with exit code 2', async () => {
    const out: string[] = [];
    const code = await runSweep([], {
      env: { BASE_URL: 'http://127.0.0.1:9', REPORTS_DIR: join(root, 'pre'), DIFY_STATE: 'none' },
      io: { out: (l) => out.push(l), err: (l) => out.push(l) },
      preflight: { ...preflightDeps, locateK6: async () => ({ ok: false, problem: 'k6 was not found', fix: 'install it' }) },
      now: Date.now,
      runStep: async () => {
        throw new Error('no step may run');
      },
      chartJs: () => '',
    });
    expect(code).toBe(2);
    expect(out.join('\n')).toMatch(/^preflight failed: k6 was not found\n {2}fix: install it/);
  });
});
