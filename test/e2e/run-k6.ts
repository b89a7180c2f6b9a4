/**
 * Runs a bundled script with a real k6 (found by cli/run/k6-locate.ts) and reads back the
 * JSON report it wrote. Shared by the end-to-end tests; loopback targets only.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCommand, type K6Location } from '../../cli/run/k6-locate.ts';
import { ENV_VARS } from '../../lib/env-vars.ts';
import { parseReportJson, type ReportJson } from '../../lib/report/report-json.ts';

export type FoundK6 = Extract<K6Location, { ok: true }>;

export interface K6Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The JSON report the script wrote, or null when it wrote none. */
  readonly report: ReportJson | null;
}

/** `k6 run --no-usage-report --quiet <k6Args> -e NAME=value… script` (with `k6Env` in its environment), reports in a fresh temp dir. */
export async function runK6(
  k6: FoundK6,
  script: string,
  vars: Readonly<Record<string, string>>,
  timeoutMs: number,
  k6Args: readonly string[] = [],
  /** k6's own settings (K6_* variables, e.g. an output's), added to its environment. */
  k6Env: Readonly<Record<string, string>> = {},
): Promise<K6Run> {
  const reportsDir = mkdtempSync(join(tmpdir(), 'sse-bench-e2e-'));
  try {
    const args = ['run', '--no-usage-report', '--quiet', ...k6Args];
    for (const [name, value] of Object.entries({ REPORTS_DIR: reportsDir, ...vars })) args.push('-e', `${name}=${value}`);
    args.push(resolve(script));
    // k6 copies its environment into __ENV: only `vars` may set the suite's variables (vitest itself
    // puts BASE_URL=/ into process.env, Vite's base path).
    const env: NodeJS.ProcessEnv = { ...process.env, ...k6.env, K6_NO_USAGE_REPORT: 'true', PWD: process.cwd(), ...k6Env };
    for (const v of ENV_VARS) delete env[v.name];
    const res = await runCommand(k6.bin, args, env, timeoutMs);
    const json = readdirSync(reportsDir).find((f) => /^benchmark_\d{8}_\d{6}\.json$/.test(f));
    const report = json ? parseReportJson(readFileSync(join(reportsDir, json), 'utf8'), json) : null;
    return { code: res.code, stdout: res.stdout, stderr: res.stderr + res.error, report };
  } finally {
    rmSync(reportsDir, { recursive: true, force: true });
  }
}
