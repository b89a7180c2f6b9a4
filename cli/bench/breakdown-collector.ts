/**
 * BREAKDOWN=true in a bench run: collects the per-stream lines build/sse.js logs
 * (lib/vu/breakdown.ts, `sse-bench breakdown {…}`) from k6's output, fetches the mock's model log
 * (`GET <mock>/model-log`, mock/model-log.ts) after k6 exits, and joins both
 * (lib/report/breakdown.ts) for the reports.
 */
import { BREAKDOWN_LOG_PREFIX } from '../../lib/breakdown-marker.ts';
import { joinBreakdown, parseClientLine, type Breakdown, type ClientStream, type ModelStream } from '../../lib/report/breakdown.ts';
import { isRecord } from '../../lib/report/summary-data.ts';
import { parseK6LogLine } from './k6-log-line.ts';

export class BreakdownCollector {
  readonly #streams: ClientStream[] = [];

  /** Looks at one line of k6's output (cheap for every other line); true when it was a breakdown line. */
  line(text: string): boolean {
    if (!text.includes(BREAKDOWN_LOG_PREFIX)) return false;
    const record = parseK6LogLine(text);
    const stream = parseClientLine(record ? record.msg : text);
    if (stream) this.#streams.push(stream);
    return stream !== null;
  }

  get streams(): readonly ClientStream[] {
    return this.#streams;
  }

  /** Forgets the streams (the next run of --repeat). */
  reset(): void {
    this.#streams.length = 0;
  }
}

/** The mock's model records from `GET <base>/model-log`; throws with the reason when it cannot. */
export async function fetchModelLog(base: string, fetchFn: typeof fetch = fetch): Promise<ModelStream[]> {
  const res = await fetchFn(`${base}/model-log`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET ${base}/model-log answered ${res.status}`);
  const body: unknown = await res.json();
  if (!isRecord(body) || !Array.isArray(body['records'])) throw new Error(`GET ${base}/model-log is not the mock's model log`);
  if (body['off'] === true) throw new Error(`the mock at ${base} records no model log: start it with --model-log on`);
  return body['records'].filter(isRecord).map((r) => ({
    id: String(r['id']),
    receivedAt: Number(r['receivedAt']),
    tokens: Array.isArray(r['tokens']) ? r['tokens'].map(Number) : [],
    end: Number(r['end']),
  }));
}

/** The breakdown of the collected streams against the mock at `base`. */
export async function collectBreakdown(streams: readonly ClientStream[], base: string, fetchFn: typeof fetch = fetch): Promise<Breakdown> {
  return joinBreakdown(streams, await fetchModelLog(base, fetchFn));
}
