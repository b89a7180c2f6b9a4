/**
 * Report file names: `<REPORTS_DIR>/benchmark_YYYYMMDD_HHMMSS.{txt,json,xml}`, the seed's
 * naming. The stamp is **UTC**: names sort in run order across machines, time zones and
 * CI runners, and match the JSON report's `generatedAt` (ISO 8601, `Z`). The date is
 * injected, so names are testable.
 */

export interface ReportFileNames {
  readonly txt: string;
  readonly json: string;
  readonly xml: string;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `2026-11-27T23:09:33.456Z` → `20261127_230933`. */
export function reportStamp(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new Error('report time is not a valid date');
  const day = `${pad(date.getUTCFullYear(), 4)}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}`;
  return `${day}_${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`;
}

/**
 * The three report paths. `reportsDir` is used as given (relative paths are relative to
 * the directory k6 runs in), without trailing slashes; `''` means the current directory.
 */
export function reportFileNames(reportsDir: string, date: Date): ReportFileNames {
  const dir = reportsDir.replace(/[/\\]+$/, '');
  const base = `${dir === '' && reportsDir === '' ? '' : `${dir}/`}benchmark_${reportStamp(date)}`;
  return { txt: `${base}.txt`, json: `${base}.json`, xml: `${base}.xml` };
}
