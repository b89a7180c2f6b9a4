/**
 * `--model-log on`: the mock's half of the time breakdown (BREAKDOWN=true; the join is
 * lib/report/breakdown.ts). When the mock is the model behind the target (a Dify whose LLM node
 * calls it), each streamed request whose prompt carries the client's marker ` [sb-<n>]`
 * (lib/breakdown-marker.ts) gets a record: when the request arrived, when each token was written,
 * when the end was written — epoch milliseconds (`performance.timeOrigin + performance.now()`,
 * sub-millisecond), the clock the client's `Date.now()` shares on one machine. Served as
 * `GET /model-log` and `MockServer.modelLog()`. Off by default: then nothing is recorded.
 */
import { BREAKDOWN_MARKER } from '../lib/breakdown-marker.ts';

export interface ModelRecord {
  /** The client stream's id (`sb-<n>`) from the marker. */
  readonly id: string;
  /** The request arrived (its first byte was handled). */
  readonly receivedAt: number;
  /** Each token's write, in order. */
  readonly tokens: number[];
  /** The end events' write; -1 while the stream runs or when it never ended. */
  end: number;
}

/** The clock of every record: epoch ms with the sub-millisecond part of performance.now(). */
export const epochMs = (perfNow: number): number => performance.timeOrigin + perfNow;

export class ModelLog {
  readonly #records: ModelRecord[] = [];
  /** Requests with a marker not recorded because `max` records were kept already. */
  dropped = 0;

  constructor(private readonly max = 200_000) {}

  /** A record for a request whose prompt carries a marker; null for any other (or beyond `max`). */
  start(prompt: string, receivedAtPerf: number): ModelRecord | null {
    const m = BREAKDOWN_MARKER.exec(prompt);
    if (m === null) return null;
    if (this.#records.length >= this.max) {
      this.dropped++;
      return null;
    }
    const record: ModelRecord = { id: m[1] as string, receivedAt: epochMs(receivedAtPerf), tokens: [], end: -1 };
    this.#records.push(record);
    return record;
  }

  records(): readonly ModelRecord[] {
    return this.#records;
  }

  json(): string {
    return JSON.stringify({ records: this.#records, dropped: this.dropped });
  }
}
