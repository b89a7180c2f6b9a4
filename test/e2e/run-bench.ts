/**
 * `npm run bench` in-process for the real-k6 tests: runBench with the real preflight, on the k6
 * the test is given, with no API key from the shell, its output collected.
 */
import { realPreflightDeps, runBench } from '../../cli/bench/bench.ts';
import type { FoundK6 } from './run-k6.ts';

export interface BenchRun {
  readonly code: number;
  readonly out: readonly string[];
  readonly err: readonly string[];
}

/** Runs `npm run bench -- <args>` with `env` over the shell's (K6_BIN = this k6; API_KEY and DIFY_API_KEY empty unless `env` sets them). */
export async function benchWith(k6: FoundK6, args: readonly string[], env: Readonly<Record<string, string>>): Promise<BenchRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runBench([...args], {
    env: { ...process.env, K6_BIN: k6.bin, API_KEY: '', DIFY_API_KEY: '', ...env },
    io: { out: (l) => out.push(l), err: (l) => err.push(l) },
    isTTY: false,
    preflight: realPreflightDeps,
    now: Date.now,
  });
  return { code, out, err };
}
