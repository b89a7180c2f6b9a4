/**
 * The glue between `k6/x/sse` and the stream tracker: one call = one stream.
 * `sse_streams_opened` +1 right before `sse.open`, `sse_streams_closed` +1 right after
 * it returns (or throws), so opened − closed = streams in flight, summed over every VU
 * and machine. The tracker's own setup function is `sse.open`'s (it registers the tracker's
 * handlers with the client: no wrapper per event) and closes the client when the stream must end.
 * With k6's `throw` option a failed connection makes `sse.open` throw: it is counted as a
 * failed stream (like status 0), then rethrown. A failed stream's reason goes to `onFailure`
 * (the failure log: once per error type and VU).
 */
import sse, { type Response } from 'k6/x/sse';
import type { ErrorType } from '../error-types.ts';
import { createStreamTracker, type SampleSink, type StreamOutcome, type TrackerMode, type TrackerSettings } from './stream-tracker.ts';
import type { StreamRequest } from './targets.ts';

export type StreamRunner = (request: StreamRequest) => StreamOutcome;
export type FailureListener = (type: ErrorType, reason: string) => void;

/** A VU's runner of one scenario's streams, made on that scenario's first iteration: one closure and the tracker's five. */
export const createSession = (mode: TrackerMode, settings: TrackerSettings, sink: SampleSink, onFailure: FailureListener): StreamRunner => {
  const tracker = createStreamTracker(mode, settings, sink);
  return (request) => {
    sink.add('streamsOpened', 1);
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
    if (outcome.errorType !== null) onFailure(outcome.errorType, outcome.reason);
    return outcome;
  };
};
