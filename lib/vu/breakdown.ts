/**
 * BREAKDOWN=true, the client's half of the time breakdown (the mock's half: mock/model-log.ts; the
 * join: lib/report/breakdown.ts). The `stream` scenario's question carries ` [sb-<iterationInTest>]`
 * (scenarios/sse.ts, lib/breakdown-marker.ts); this records, per stream, the request start, the
 * arrival of each content event (one more `Date.now()` per content event: why it is opt-in) and of
 * the end event, and logs them as one line when the stream is done:
 *
 *   sse-bench breakdown {"id":"sb-7","t0":1767225600000,"tok":[112,121,…],"end":260,"ok":true}
 *
 * (`tok` and `end` in ms after `t0`, epoch ms; `end` -1 without an end event). The bench CLI picks
 * these lines out of k6's log. Made only when BREAKDOWN=true (lib/vu/sse-session.ts). Pure: the
 * log function comes in.
 */
import { Verdict, type Interpreter } from './interpreter.ts';
import type { StreamOutcome, TrackerMode } from './stream-tracker.ts';

/** BREAKDOWN's settings of a session: its deps and `make` (createBreakdownRecorder, set by build/sse.js's top-level code only when on). */
export interface BreakdownSettings extends BreakdownDeps {
  readonly make: typeof createBreakdownRecorder;
}

export interface BreakdownDeps {
  /** The stream's number in the test (`iterationInTest`): the marker's number. */
  readonly streamKey: () => number;
  /** Where the per-stream line goes (console.log in k6). */
  readonly log: (line: string) => void;
}

export interface BreakdownRecorder {
  /** The scenario's mode, its interpreter wrapped to time content and end events. */
  readonly mode: TrackerMode;
  begin(): void;
  end(outcome: StreamOutcome): void;
}

export const createBreakdownRecorder = (mode: TrackerMode, deps: BreakdownDeps): BreakdownRecorder => {
  const inner = mode.interpret;
  let t0 = 0;
  let tokens: number[] = [];
  let endAt = -1;

  const interpret: Interpreter = (data, event, events, notes) => {
    const verdict = inner(data, event, events, notes);
    if (verdict === Verdict.Content) tokens.push(Date.now() - t0);
    else if (endAt < 0 && (verdict === Verdict.End || verdict === Verdict.EndWait || verdict === Verdict.Fail)) endAt = Date.now() - t0;
    return verdict;
  };

  return {
    mode: Object.freeze({ interpret, detail: mode.detail, needsTerminal: mode.needsTerminal }),
    begin() {
      t0 = Date.now();
      tokens = [];
      endAt = -1;
    },
    end(outcome) {
      const id = `sb-${deps.streamKey()}`;
      deps.log(`sse-bench breakdown ${JSON.stringify({ id, t0, tok: tokens, end: endAt, ok: outcome.success })}`);
    },
  };
};
