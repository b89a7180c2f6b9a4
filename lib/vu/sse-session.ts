/**
 * The glue between `k6/x/sse` and the stream tracker: one call = one stream.
 * `sse_streams_opened` +1 right before `sse.open`, `sse_streams_closed` +1 right after
 * it returns (or throws), so opened − closed = streams in flight, summed over every VU
 * and machine. The tracker's own handlers are registered with the client (no wrapper per
 * event); it calls `client.close()` through `closeOnce` when the stream must end.
 * With k6's `throw` option a failed connection makes `sse.open` throw: it is counted as a
 * failed stream (like status 0), then rethrown. A failed stream's reason goes to `onFailure`
 * (the failure log: once per error type and VU).
 * With CANCEL_RATE (`settings.cancel`), the `stream` scenario's session stops a share of its
 * streams (lib/vu/cancel.ts); with BREAKDOWN (`settings.breakdown`) it logs each stream's times
 * (lib/vu/breakdown.ts). Each is made here only then, so no VU without it wraps its per-event path.
 */
import sse, { type Client, type Response, type SseError } from 'k6/x/sse';
import type { ErrorType } from '../error-types.ts';
import { createBreakdownRecorder, type BreakdownDeps } from './breakdown.ts';
import { createCanceller, type CancelSettings } from './cancel.ts';
import { createStreamTracker, type SampleSink, type StreamOutcome, type TrackerMode, type TrackerSettings } from './stream-tracker.ts';
import type { StreamRequest } from './targets.ts';

export type StreamRunner = (request: StreamRequest) => StreamOutcome;
export type FailureListener = (type: ErrorType, reason: string) => void;
/** The tracker's settings, CANCEL_RATE's (`null` or absent: no stream is stopped) and BREAKDOWN's (`null` or absent: off). */
export type SessionSettings = TrackerSettings & { readonly cancel?: CancelSettings | null; readonly breakdown?: BreakdownDeps | null };

/** The message of what `sse.open` threw (a Go error arrives as an Error whose message is its text). */
const thrownMessage = (e: unknown): string => {
  return e instanceof Error ? e.message : String(e);
};

export const createSession = (mode: TrackerMode, settings: SessionSettings, sink: SampleSink, onFailure: FailureListener): StreamRunner => {
  let client: Client | null = null;
  let closed = false;
  // Once per stream: a release of xk6-sse that drains the body inside close() may call the
  // 'error' handler from there; closing again from that handler must not re-enter close().
  const closeOnce = (): void => {
    if (closed) return;
    closed = true;
    client?.close();
  };
  const cancel = mode.detail && settings.cancel != null ? createCanceller(settings.cancel.plan, mode, sink, settings.cancel.deps) : null;
  const cancelled = cancel === null ? mode : cancel.mode;
  const breakdown = mode.detail && settings.breakdown != null ? createBreakdownRecorder(cancelled, settings.breakdown) : null;
  const tracker = createStreamTracker(breakdown === null ? cancelled : breakdown.mode, settings, sink, closeOnce);
  const onError = (error: SseError): void => tracker.onError(error.error());
  const setup = (c: Client): void => {
    client = c;
    closed = false;
    c.on('open', tracker.onOpen);
    c.on('event', tracker.onEvent);
    c.on('error', onError);
  };
  const report = (outcome: StreamOutcome): StreamOutcome => {
    if (outcome.errorType !== null) onFailure(outcome.errorType, outcome.reason);
    return outcome;
  };

  return (request) => {
    sink.add('streamsOpened', 1);
    if (cancel !== null) cancel.begin(request);
    if (breakdown !== null) breakdown.begin();
    tracker.begin();
    let res: Response;
    try {
      res = sse.open(request.url, request.params, setup);
    } catch (e) {
      // k6's `throw` option (`--throw`, K6_THROW=true): a failed connection throws instead of
      // returning status 0. Count it like status 0 (connection_error / timeout), then let k6
      // fail the iteration as it asked to. A throw after setup ran is a handler's, not the network's.
      if (client === null) report(tracker.finish({ status: 0, error: thrownMessage(e) }));
      throw e;
    } finally {
      sink.add('streamsClosed', 1);
      client = null;
    }
    const outcome = tracker.finish(res);
    if (cancel !== null) cancel.end(outcome);
    if (breakdown !== null) breakdown.end(outcome);
    return report(outcome);
  };
};
