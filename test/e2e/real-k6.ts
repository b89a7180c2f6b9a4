/**
 * The real k6 binaries a test file runs its suites against: every usable k6 that
 * cli/run/k6-locate.ts's locateAllK6 finds (each of K6_BIN's `:`-separated list, else every `k6` /
 * `k6-*` on PATH that prints a k6 version). Each suite runs once per k6, with its version in
 * the title; with none, the file shows one visible SKIPPED message and a skipped suite.
 */
import { describe, it } from 'vitest';
import { HOW_TO_GET, locateAllK6 } from '../../cli/run/k6-locate.ts';
import type { FoundK6 } from './run-k6.ts';

/** Set to `true` (CI): a test file that finds no usable k6 fails instead of skipping. */
export const REQUIRE_K6_ENV = 'SSE_BENCH_REQUIRE_K6';

/** Usable k6 binaries for the tests named `what`; says once why none (or which ones not). */
export async function realK6s(what: string, env: NodeJS.ProcessEnv = process.env): Promise<FoundK6[]> {
  const all = await locateAllK6(env);
  const found = all.filter((l): l is FoundK6 => l.ok);
  const unusable = all.flatMap((l) => (l.ok ? [] : [l]));
  if (found.length === 0) {
    const problem = unusable.length === 0 ? 'no k6 found (K6_BIN is unset and there is no k6 or k6-* on PATH)' : unusable.map((l) => l.problem).join('; ');
    const fix = unusable[0]?.fix ?? HOW_TO_GET;
    if (env[REQUIRE_K6_ENV] === 'true') throw new Error(`${REQUIRE_K6_ENV}=true, but the ${what} found no usable k6: ${problem}. ${fix}`);
    console.warn(`\n[e2e] SKIPPED ${what}: ${problem}\n[e2e] To run them: ${fix}\n`);
  } else if (unusable.length > 0) {
    console.warn(`\n[e2e] ${what}: not run under ${unusable.map((l) => l.problem).join('; ')}\n`);
  }
  return found;
}

/** `describe(`${title} under real k6 vX.Y.Z`)` once per k6; a skipped suite when there is none. */
export function describeEachK6(title: string, k6s: readonly FoundK6[], body: (k6: FoundK6) => void): void {
  if (k6s.length === 0) {
    describe.skip(title, () => it('needs a real k6 with k6/x/sse', () => undefined));
    return;
  }
  for (const k6 of k6s) {
    const twin = k6s.some((o) => o !== k6 && o.version === k6.version);
    describe(`${title} under real k6 ${k6.version}${twin ? ` (${k6.bin})` : ''}`, () => body(k6));
  }
}
