/** Counters behind `GET /stats` and `MockServer.stats()`. */
export interface MockStats {
  /** SSE streams open right now. */
  activeStreams: number;
  /** SSE streams whose headers were sent. */
  streamsStarted: number;
  /** Streams the server ended itself (normally, or by a fault that ends the response). */
  streamsFinished: number;
  /** Streams cut short: the client went away, or the `reset` fault destroyed the socket. */
  streamsAborted: number;
  /** SSE event blocks written, keep-alive pings included. */
  eventsSent: number;
  /** Streams ended by a Dify stop request (`…/stop`). */
  streamsStopped: number;
  /** Tokens generated after their client went away (`--after-client-left generate`; 0 with `stop`). */
  tokensAfterClientLeft: number;
}

export function createStats(): MockStats {
  return { activeStreams: 0, streamsStarted: 0, streamsFinished: 0, streamsAborted: 0, eventsSent: 0, streamsStopped: 0, tokensAfterClientLeft: 0 };
}
