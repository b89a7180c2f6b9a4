/**
 * `npm run bench -- --repeat N`: the same configuration run N times, one after another (the
 * seed's "run it 3 times" loop). Each run writes its own reports as usual; then every figure
 * is printed as the median and the min–max spread of the runs, and written to
 * `<REPORTS_DIR>/repeat_YYYYMMDD_HHMMSS.json` (schema `sse-bench/repeat@1`). Ctrl-C stops after
 * the run in progress and summarises the runs that finished.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { reportStamp } from '../../lib/report/report-names.ts';
import type { ReportJson } from '../../lib/report/report-json.ts';
import { figureSpreads, renderSpreadTable, type FigureSpreads } from '../figure-spread.ts';
import type { Io } from '../main-guard.ts';

export const REPEAT_SCHEMA = 'sse-bench/repeat@1';

/** What one run of the loop gives back: k6's exit code, the report (null when k6 wrote none) and its file. */
export interface RepeatedRun {
  readonly code: number;
  readonly report: ReportJson | null;
  readonly jsonPath: string;
}

export interface RepeatSummary {
  readonly schema: typeof REPEAT_SCHEMA;
  readonly generatedAt: string;
  /** Runs asked for (--repeat). */
  readonly requested: number;
  /** k6's exit code of each run that was started, in order. */
  readonly exitCodes: readonly number[];
  /** The JSON report of each run that wrote one. */
  readonly reports: readonly string[];
  /** True when Ctrl-C stopped the loop early. */
  readonly interrupted: boolean;
  /** Any run's generator saturated (its figures understate the target). */
  readonly generatorSaturated: boolean;
  /** Every report figure over the runs with a report. */
  readonly figures: FigureSpreads;
}

/** The summary of finished runs (pure). */
export function summariseRuns(requested: number, runs: readonly RepeatedRun[], interrupted: boolean, at: Date): RepeatSummary {
  const reports = runs.flatMap((r) => (r.report ? [r.report] : []));
  return {
    schema: REPEAT_SCHEMA,
    generatedAt: at.toISOString(),
    requested,
    exitCodes: runs.map((r) => r.code),
    reports: runs.filter((r) => r.report).map((r) => r.jsonPath),
    interrupted,
    generatorSaturated: reports.some((r) => r.generatorSaturated === true),
    figures: figureSpreads(reports.map((r) => r.figures)),
  };
}

/** The first non-zero exit code (a threshold failed in some run: 99), else 0. */
export function repeatExitCode(codes: readonly number[]): number {
  return codes.find((c) => c !== 0) ?? 0;
}

/** The block printed after the runs. */
export function renderRepeatBlock(s: RepeatSummary, path: string): string {
  const done = s.reports.length;
  const head = `REPEATED RUNS: ${done} of ${s.requested} with a report${s.interrupted ? ' (interrupted)' : ''}; median and spread of each figure`;
  const lines = [head, '', renderSpreadTable(s.figures, done), ''];
  if (s.generatorSaturated) lines.push('note: the generator saturated in at least one run: those figures understate the target');
  lines.push('A difference between two configurations smaller than the spread here is not a result.', `Summary: ${path}`);
  return lines.join('\n');
}

/**
 * Runs `runOnce` up to `times` times, stopping early after Ctrl-C, then prints and writes the
 * summary into `dir`. Returns the exit code of the whole.
 */
export async function runRepeated(times: number, runOnce: (index: number) => Promise<RepeatedRun>, dir: string, io: Io, now: () => number): Promise<number> {
  const runs: RepeatedRun[] = [];
  let interrupted = false;
  const onSigint = (): void => {
    interrupted = true;
  };
  process.on('SIGINT', onSigint);
  try {
    for (let i = 0; i < times && !interrupted; i++) {
      io.out(`bench: run ${i + 1} of ${times}`);
      runs.push(await runOnce(i));
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
  const at = new Date(now());
  const summary = summariseRuns(times, runs, interrupted, at);
  const path = join(dir, `repeat_${reportStamp(at)}.json`);
  writeFileSync(path, `${JSON.stringify(summary, null, 2)}\n`);
  io.out('');
  io.out(renderRepeatBlock(summary, path));
  return repeatExitCode(summary.exitCodes);
}
