import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  id?: string;
  with?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown>;
  env?: Record<string, string>;
  jobs: Record<string, { env?: Record<string, string>; steps: Step[] }>;
}

const GATE = '.github/workflows/sse-bench.yml';
const NIGHTLY = '.github/workflows/sse-bench-nightly.yml';
const load = (path: string): Workflow => parse(readFileSync(path, 'utf8')) as Workflow;
const steps = (w: Workflow): Step[] => Object.values(w.jobs).flatMap((j) => j.steps);
const runText = (w: Workflow): string => steps(w).map((s) => s.run ?? '').join('\n');

/** The commands docs/ci.md documents for any CI system; the workflows must run each. */
const SMOKE_COMMANDS = ['npm ci', 'npm run build', 'npm run mock', 'PROFILE=smoke THRESHOLDS=default k6 run --no-usage-report build/sse.js'];
const NIGHTLY_COMMAND = 'npm run compare -- --max-regression 10%';

describe.each([GATE, NIGHTLY])('%s', (path) => {
  const w = load(path);

  it('installs k6 ≥ 1.2 with community extensions on (k6/x/sse) and no usage report', () => {
    const setup = steps(w).find((s) => s.uses?.startsWith('grafana/setup-k6-action@'));
    const [major = 0, minor = 0] = (setup?.with?.['k6-version'] ?? '').split('.').map(Number);
    expect(major === 1 && minor >= 2, `k6-version ${setup?.with?.['k6-version']}`).toBe(true);
    expect(w.env?.K6_ENABLE_COMMUNITY_EXTENSIONS).toBe('true');
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
    expect(Object.values(w.jobs)[0]?.env?.BASE_URL).toBe('${{ secrets.SSE_BENCH_BASE_URL }}');
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
