/**
 * k6's CSV sample output (`--out csv=<file>`), the source of the per-window latency charts
 * (latency-windows.ts): one line per sample k6 records, written by k6's Go side in batches,
 * so the script's VUs pay nothing for it. The bench CLI points it at a temporary file with
 * millisecond timestamps, reads back only the lines of the charted trends after the run
 * (the file also holds every `sse_event` and `http_req_*` sample) and deletes it.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { WINDOW_METRICS, type WindowCollector } from './latency-windows.ts';

/** k6's CSV output setting for the timestamp column (default `unix`: whole seconds). */
export const CSV_TIME_FORMAT_ENV = 'K6_CSV_TIME_FORMAT';

/** The `k6 run` flags and environment that write the sample stream to `path`. */
export function csvSampleOutput(path: string): { readonly args: readonly string[]; readonly env: Readonly<Record<string, string>> } {
  return { args: ['--out', `csv=${path}`], env: { [CSV_TIME_FORMAT_ENV]: 'unix_milli' } };
}

/** A CSV timestamp as epoch ms: unix (s), unix_milli, unix_micro, unix_nano by their digits, else RFC 3339. */
export function csvTimestampMs(text: string): number {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (text.length <= 11) return n * 1000;
    if (text.length <= 14) return n;
    if (text.length <= 17) return n / 1000;
    return n / 1e6;
  }
  return Date.parse(text);
}

const PREFIXES = WINDOW_METRICS.map((m) => `${m},`);

/** One CSV line → the collector, when it is a sample of a charted metric (`metric_name,timestamp,metric_value,…`). */
export function addCsvLine(line: string, into: WindowCollector): void {
  const prefix = PREFIXES.find((p) => line.startsWith(p));
  if (prefix === undefined) return;
  const second = line.indexOf(',', prefix.length);
  const third = line.indexOf(',', second + 1);
  if (second < 0) return;
  into.add({
    metric: prefix.slice(0, -1),
    atMs: csvTimestampMs(line.slice(prefix.length, second)),
    value: Number(line.slice(second + 1, third < 0 ? undefined : third)),
  });
}

/** Reads a CSV sample file line by line into the collector. */
export async function readCsvSamples(path: string, into: WindowCollector): Promise<void> {
  const rl = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of rl) addCsvLine(line, into);
}
