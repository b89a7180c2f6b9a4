/**
 * The glue between `k6/x/sse` and the StreamTracker: one call = one stream.
 * `sse_streams_opened` +1 right before `sse.open`, `sse_streams_closed` +1 right after
 * it returns (or throws), so opened − closed = streams in flight, summed over every VU
 * and machine. `client.close()` is called when the tracker says so: after the terminal
 * event (no waiting for the server to close), after a server error event, and — or the VU
 * would block forever — after a read error or the STREAM_TIMEOUT deadline mid-stream.
 * Handlers are created once per session (per VU and scenario), not per stream.
 */
import sse, { type Client, type Response, type SseError, type SseEvent } from 'k6/x/sse';
import { StreamTracker, type SampleSink, type StreamOutcome, type TrackerMode } from './stream-tracker.ts';
import type { StreamRequest } from './targets.ts';

export type StreamRunner = (request: StreamRequest) => StreamOutcome;

export function createSession(mode: TrackerMode, sink: SampleSink): StreamRunner {
  const tracker = new StreamTracker(mode, sink);
  let client: Client | null = null;

  const onOpen = (): void => tracker.headers(Date.now());
  const onEvent = (event: SseEvent): void => {
    if (tracker.event(Date.now(), event)) client?.close();
  };
  const onError = (error: SseError): void => {
    if (tracker.error(Date.now(), error.error())) client?.close();
  };
  const setup = (c: Client): void => {
    client = c;
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
    } finally {
      sink.add('streamsClosed', 1);
      client = null;
    }
    return tracker.finish(res);
  };
}
