/**
 * Collects the failure reasons k6 logs during a bench run (lib/vu/failure-log.ts lines, one per
 * VU and error type) from the lines of k6's output, into the failures table of the reports.
 * Every other line is ignored; the reason is scrubbed of the API key once more.
 */
import { FailureReasonTally, type FailureReasons } from '../../lib/report/failure-reasons.ts';
import { scrubText } from '../../lib/report/redact.ts';
import { failureFromLogLine } from './k6-log-line.ts';

export class FailureCollector {
  readonly #tally = new FailureReasonTally();

  constructor(private readonly apiKey: string) {}

  /** Looks at one line of k6's output. */
  line(text: string): void {
    const entry = failureFromLogLine(text);
    if (entry) this.#tally.add({ errorType: entry.errorType, reason: scrubText(entry.reason, this.apiKey) });
  }

  /** Failure lines seen so far. */
  get lines(): number {
    return this.#tally.lines;
  }

  get reasons(): FailureReasons {
    return this.#tally.result();
  }
}
