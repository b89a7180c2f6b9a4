/**
 * The glue between `k6/x/sse` and the StreamTracker: one call = one stream.
 * `sse_streams_opened` +1 right before `sse.open`, `sse_streams_closed` +1 right after
 * it returns (or throws), so opened − closed = streams in flight, summed over every VU
 * and machine. `client.close()` is called when the tracker says so: after the terminal
 * event (no waiting for the server to close), after a server error event, and — or the VU
 * would block forever — after a read error or the STREAM_TIMEOUT deadline mid-stream.
 * With k6's `throw` option a failed connection makes `sse.open` throw: it is counted as a
 * failed stream (like status 0), then rethrown. Handlers are created once per session (per
 * VU and scenario), not per stream.
 */
import sse, { type Client, type Response, type SseError, type SseEvent } from 'k6/x/sse';
import { StreamTracker, type SampleSink, type StreamOutcome, type TrackerMode } from './stream-tracker.ts';
import type { StreamRequest } from './targets.ts';

export type StreamRunner = (request: StreamRequest) => StreamOutcome;

/** The message of what `sse.open` threw (a Go error arrives as an Error whose message is its text). */
function thrownMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function createSession(mode: TrackerMode, sink: SampleSink): StreamRunner {
  const tracker = new StreamTracker(mode, sink);
  let client: Client | null = null;
  let closed = false;

  // Once per stream: a release of xk6-sse that drains the body inside close() may call the
  // 'error' handler from there; closing again from that handler must not re-enter close().
  const closeOnce = (): void => {
    if (closed) return;
    closed = true;
    client?.close();
  };
  const onOpen = (): void => tracker.headers(Date.now());
  const onEvent = (event: SseEvent): void => {
    if (tracker.event(Date.now(), event)) closeOnce();
  };
  const onError = (error: SseError): void => {
    if (tracker.error(Date.now(), error.error())) closeOnce();
  };
  const setup = (c: Client): void => {
    client = c;
    closed = false;
    c.on('open', onOpen);
    c.on('event', onEvent);
    c.on('error', onError);
  };

  return (request) => {
    sink.add('streamsOpened', 1);
    tracker.begin(Date.now());
    let res: Response;
    try {
      res = sse.open(request.url, request.params, setup);
    } catch (e) {
      // k6's `throw` option (`--throw`, K6_THROW=true): a failed connection throws instead of
      // returning status 0. Count it like status 0 (connection_error / timeout), then let k6
      // fail the iteration as it asked to. A throw after setup ran is a handler's, not the network's.
      if (client === null) tracker.finish({ status: 0, error: thrownMessage(e) });
      throw e;
    } finally {
      sink.add('streamsClosed', 1);
      client = null;
    }
    return tracker.finish(res);
  };
}
