/**
 * The glue between `k6/x/sse` and the stream tracker: one call = one stream.
 * `sse_streams_opened` +1 right before `sse.open`, `sse_streams_closed` +1 right after
 * it returns (or throws), so opened − closed = streams in flight, summed over every VU
 * and machine. The tracker's own setup function is `sse.open`'s (it registers the tracker's
 * handlers with the client: no wrapper per event) and closes the client when the stream must end.
 * With k6's `throw` option a failed connection makes `sse.open` throw: it is counted as a
 * failed stream (like status 0), then rethrown. A failed stream's reason goes to `onFailure`
 * (the failure log: once per error type and VU).
 * With CANCEL_RATE (`settings.cancel`), the `stream` scenario's session stops a share of its
 * streams (lib/vu/cancel.ts); with BREAKDOWN (`settings.breakdown`) it logs each stream's times
 * (lib/vu/breakdown.ts). Each is made here only then, so no VU without it wraps its per-event path.
 */
import sse, { type Response } from 'k6/x/sse';
import type { ErrorType } from '../error-types.ts';
import type { BreakdownSettings } from './breakdown.ts';
import type { CancelSettings } from './cancel.ts';
import { createStreamTracker, type SampleSink, type StreamOutcome, type TrackerMode, type TrackerSettings } from './stream-tracker.ts';
import type { StreamRequest } from './targets.ts';

export type StreamRunner = (request: StreamRequest) => StreamOutcome;
export type FailureListener = (type: ErrorType, reason: string) => void;
/** The tracker's settings, CANCEL_RATE's (`null` or absent: no stream is stopped) and BREAKDOWN's (`null` or absent: off). */
export type SessionSettings = TrackerSettings & { readonly cancel?: CancelSettings | null; readonly breakdown?: BreakdownSettings | null };

/** A VU's runner of one scenario's streams, made on that scenario's first iteration: one closure and the tracker's five. */
export const createSession = (mode: TrackerMode, settings: SessionSettings, sink: SampleSink, onFailure: FailureListener): StreamRunner => {
  // CANCEL_RATE and BREAKDOWN wrap the `stream` scenario's interpreter, made only when set (lib/vu/cancel.ts, lib/vu/breakdown.ts).
  const c = settings.cancel;
  const cancel = mode.detail && c != null ? c.make(c.plan, mode, sink, c.deps) : null;
  const cancelled = cancel === null ? mode : cancel.mode;
  const b = settings.breakdown;
  const breakdown = mode.detail && b != null ? b.make(cancelled, b) : null;
  const tracker = createStreamTracker(breakdown === null ? cancelled : breakdown.mode, settings, sink);
  return (request) => {
    sink.add('streamsOpened', 1);
    if (cancel !== null) cancel.begin(request);
    if (breakdown !== null) breakdown.begin();
    tracker.begin();
    let res: Response;
    try {
      res = sse.open(request.url, request.params, tracker.setup);
    } catch (e) {
      // k6's `throw` option (`--throw`, K6_THROW=true): a failed connection throws instead of
      // returning status 0. Count it like status 0 (connection_error / timeout), then let k6
      // fail the iteration as it asked to. A throw after setup ran is a handler's, not the network's.
      // (A Go error arrives as an Error whose message is its text.)
      if (!tracker.opened) {
        const outcome = tracker.finish({ status: 0, error: e instanceof Error ? e.message : String(e) });
        if (outcome.errorType !== null) onFailure(outcome.errorType, outcome.reason);
      }
      throw e;
    } finally {
      sink.add('streamsClosed', 1);
    }
    const outcome = tracker.finish(res);
    if (cancel !== null) cancel.end(outcome);
    if (breakdown !== null) breakdown.end(outcome);
    if (outcome.errorType !== null) onFailure(outcome.errorType, outcome.reason);
    return outcome;
  };
};
