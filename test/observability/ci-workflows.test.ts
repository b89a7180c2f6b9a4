import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MAX_K6_MAJOR, MIN_K6 } from '../../cli/run/k6-locate.ts';
import { REQUIRE_K6_ENV } from '../e2e/real-k6.ts';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  id?: string;
  with?: Record<string, string>;
}
interface Job {
  env?: Record<string, string>;
  strategy?: { matrix?: { include?: Array<Record<string, string>> } };
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}
interface CompositeAction {
  inputs: Record<string, { required?: boolean }>;
  runs: { using: string; steps: Step[] };
}

const GATE = '.github/workflows/sse-bench.yml';
const K6_SSE_ACTION = './.github/actions/k6-sse';
const NIGHTLY = '.github/workflows/sse-bench-nightly.yml';
const load = (path: string): Workflow => parse(readFileSync(path, 'utf8')) as Workflow;
const steps = (w: Workflow): Step[] => Object.values(w.jobs).flatMap((j) => j.steps);
const runText = (w: Workflow): string => steps(w).map((s) => s.run ?? '').join('\n');

/** The commands docs/ci.md documents for any CI system; the workflows must run each. */
const SMOKE_COMMANDS = ['npm ci', 'npm run build', 'npm run mock', 'PROFILE=smoke THRESHOLDS=default k6 run --no-usage-report build/sse.js'];
const NIGHTLY_COMMAND = 'npm run compare -- --max-regression 10%';

describe.each([GATE, NIGHTLY])('%s', (path) => {
  const w = load(path);

  it('smoke-runs on k6 2.x built with xk6-sse main, with no usage report and no 1.x-only settings', () => {
    const job = w.jobs['smoke'] ?? w.jobs['nightly'];
    const setup = job?.steps.find((s) => s.uses === K6_SSE_ACTION);
    expect(Number((setup?.with?.['k6-version'] ?? '').split('.')[0]), `k6-version ${setup?.with?.['k6-version']}`).toBe(2);
    expect(setup?.with?.['xk6-sse']).toBe('main');
    expect(steps(w).some((s) => s.uses?.startsWith('grafana/setup-k6-action@')), 'stock k6 2.x cannot load k6/x/sse').toBe(false);
    expect(w.env?.K6_ENABLE_COMMUNITY_EXTENSIONS).toBeUndefined(); // removed in k6 2.0
    expect(w.env?.K6_NO_USAGE_REPORT).toBe('true');
  });

  it('runs the documented smoke commands, every k6 command with --no-usage-report', () => {
    const text = runText(w);
    for (const cmd of SMOKE_COMMANDS) expect(text, cmd).toContain(cmd);
    for (const line of text.split('\n').filter((l) => /(^|\s)k6 (run|cloud)/.test(l))) expect(line).toContain('--no-usage-report');
  });

  it('starts the mock only when no target URL comes from secrets, and waits for it', () => {
    const mock = steps(w).find((s) => s.run?.includes('npm run mock'));
    expect(mock?.if).toBe("env.BASE_URL == ''");
    expect(mock?.run).toContain('http://127.0.0.1:5001/stats');
    expect((w.jobs['smoke'] ?? w.jobs['nightly'])?.env?.BASE_URL).toBe('${{ secrets.SSE_BENCH_BASE_URL }}');
  });

  it('uploads reports/ and writes to the job summary even when k6 fails', () => {
    const upload = steps(w).find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.if).toBe('always()');
    expect(upload?.with?.path).toContain('reports/');
    expect(steps(w).some((s) => s.run?.includes('>> "$GITHUB_STEP_SUMMARY"') && (s.if ?? '').includes('always()'))).toBe(true);
  });

  it('fails the job on k6 exit code 99 (thresholds crossed) and on any other non-zero code', () => {
    const k6 = steps(w).find((s) => s.run?.includes('k6 run'));
    expect(k6?.id).toBe('k6');
    expect(k6?.run).toContain('echo "exit_code=$code" >> "$GITHUB_OUTPUT"');
    const verdict = steps(w).find((s) => s.name === 'Verdict');
    expect(verdict?.run).toContain('"$code" = "99"');
    expect(verdict?.run).toContain('"$code" != "0"');
    expect(verdict?.run?.match(/exit 1/g)?.length).toBe(2);
  });
});

describe('the suite’s own tests in CI', () => {
  const job = load(GATE).jobs['suite-tests'];
  const lines = job?.strategy?.matrix?.include ?? [];

  it('run npm test under each k6 line the suite supports, each with its own xk6-sse', () => {
    const majors = lines.map((l) => Number((l['k6'] ?? '').split('.')[0]));
    const supported = Array.from({ length: MAX_K6_MAJOR - MIN_K6.major + 1 }, (_, i) => MIN_K6.major + i);
    expect([...new Set(majors)].sort()).toEqual(supported);
    for (const l of lines) {
      const [major = 0, minor = 0] = (l['k6'] ?? '').split('.').map(Number);
      if (major === MIN_K6.major) expect(minor, l['k6']).toBeGreaterThanOrEqual(MIN_K6.minor);
      // v0.1.x releases are built against go.k6.io/k6 (1.x); main against go.k6.io/k6/v2
      expect(l['xk6-sse'], `xk6-sse for k6 ${l['k6']}`).toMatch(major === 1 ? /^v0\.1\.\d+$/ : /^main$/);
    }
    const setup = job?.steps.find((s) => s.uses === K6_SSE_ACTION);
    expect(setup?.with).toEqual({ 'k6-version': '${{ matrix.k6 }}', 'xk6-sse': '${{ matrix.xk6-sse }}' });
    expect(job?.steps.some((s) => s.run?.trim() === 'npm test')).toBe(true);
  });

  it('fail rather than skip the real-k6 tests when no k6 is found, and give k6 on PATH (not K6_BIN)', () => {
    expect(job?.env?.[REQUIRE_K6_ENV]).toBe('true');
    expect(JSON.stringify(job)).not.toContain('K6_BIN');
  });

  it('build k6 with xk6 from the matrix versions and check that it lists k6/x/sse', () => {
    const action = parse(readFileSync(`${K6_SSE_ACTION.slice(2)}/action.yml`, 'utf8')) as CompositeAction;
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs).sort()).toEqual(['k6-version', 'xk6-sse']);
    const run = action.runs.steps.map((s) => s.run ?? '').join('\n');
    expect(run).toContain('xk6 build "v${{ inputs.k6-version }}"');
    expect(run).toContain('--with "github.com/phymbert/xk6-sse@${{ inputs.xk6-sse }}"');
    expect(run).toContain('>> "$GITHUB_PATH"');
    expect(run).toContain("grep -q 'k6/x/sse \\[js\\]'");
  });
});

describe('nightly', () => {
  const w = load(NIGHTLY);
  it('runs on a schedule and compares with the last stored report', () => {
    expect(w.on.schedule).toBeDefined();
    const compare = steps(w).find((s) => s.run?.includes(NIGHTLY_COMMAND));
    expect(compare?.run).toContain(`${NIGHTLY_COMMAND} baseline/report.json`);
    const restore = steps(w).find((s) => s.uses?.startsWith('actions/cache/restore@'));
    const save = steps(w).find((s) => s.uses?.startsWith('actions/cache/save@'));
    expect(restore?.with?.['restore-keys']).toBe('sse-bench-baseline-');
    expect(save?.with?.key?.startsWith('sse-bench-baseline-')).toBe(true);
    // a regressed or failed run never becomes the baseline
    expect(save?.if).toContain("steps.compare.outcome != 'failure'");
    expect(save?.if).toContain("steps.k6.outputs.exit_code == '0'");
  });
});

describe('docs/ci.md', () => {
  const doc = readFileSync('docs/ci.md', 'utf8');
  it('documents exactly the commands the workflows run', () => {
    for (const cmd of [...SMOKE_COMMANDS, NIGHTLY_COMMAND]) expect(doc, cmd).toContain(cmd);
    expect(doc).toContain(GATE);
    expect(doc).toContain(NIGHTLY);
    expect(doc).toContain('99');
  });
});
