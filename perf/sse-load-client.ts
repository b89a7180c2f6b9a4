import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * The small streaming client of `npm run perf:mock`: opens many SSE streams against the
 * mock server and, for every event, compares its arrival with its schedule. It does not
 * parse JSON: it counts `\n\n` block ends, and the mock's knobs say when block n is due,
 * counted from the arrival of the response headers (sent with the first events at TTFE 0):
 * lateness is the server's, not the time a new connection waited to be accepted, which is
 * reported apart (`headers`).
 */

export interface LoadSpec {
  /** Base URL of the server, e.g. http://127.0.0.1:5001 */
  url: string;
  path: string;
  body: string;
  streams: number;
  /** Stream starts are spread evenly over this many ms. */
  rampMs: number;
  /** Events before the first token (4 for a Dify workflow). */
  preambleEvents: number;
  tokens: number;
  ttftMs: number;
  intervalMs: number;
}

/** Lateness histogram: 0.1 ms buckets up to 10 s. */
export class Histogram {
  private readonly buckets = new Uint32Array(100_001);
  count = 0;
  max = 0;
  add(ms: number): void {
    const i = Math.min(this.buckets.length - 1, Math.max(0, Math.round(ms * 10)));
    this.buckets[i] = (this.buckets[i] ?? 0) + 1;
    this.count++;
    if (ms > this.max) this.max = ms;
  }
  percentile(p: number): number {
    const target = Math.ceil((p / 100) * this.count);
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i] ?? 0;
      if (seen >= target && seen > 0) return i / 10;
    }
    return NaN;
  }
}

export interface LoadResult {
  streamsOk: number;
  streamsFailed: number;
  events: number;
  lateness: Histogram;
  /** Lateness of the events that arrived on the plateau (every stream open, none ended): the steady state, without the ramp's connection set-ups. */
  plateauLateness: Histogram;
  /** Request sent → response headers. */
  headers: Histogram;
  /** Events per second received while every stream was open. */
  plateauEventsPerS: number;
  /** Streams open at once at the peak. */
  peakOpen: number;
  wallMs: number;
  /** CPU time of this client process over the run, as % of one core. */
  clientCpuPct: number;
  /**
   * This client's own event-loop delay (p99 and max, ms): a busy client timestamps events
   * late, so lateness below this is not the server's.
   */
  clientLoopDelay: { p99: number; max: number };
}

/**
 * Counts SSE block ends ("\n\n") in a byte stream read in pieces. Exact here: HTTP headers
 * and chunk framing use CRLF only, so a bare LF pair can only end an SSE block.
 */
export class BlockCounter {
  private lastWasLf = false;
  /** Block ends in the first `n` bytes of `buf`. */
  count(buf: Uint8Array, n: number): number {
    let blocks = 0;
    let lf = this.lastWasLf;
    for (let i = 0; i < n; i++) {
      if (buf[i] !== LF) lf = false;
      else if (lf) {
        blocks++;
        lf = false;
      } else lf = true;
    }
    this.lastWasLf = lf;
    return blocks;
  }
}

const LF = 10;
const BUCKET_MS = 100;
const HTTP_200 = Buffer.from('HTTP/1.1 200');
const LAST_CHUNK = Buffer.from('0\r\n\r\n');

/** True when the `n` bytes of `buf` end with `tail`. */
const endsWith = (buf: Uint8Array, n: number, tail: Uint8Array): boolean => {
  if (n < tail.length) return false;
  for (let i = 0; i < tail.length; i++) if (buf[n - tail.length + i] !== tail[i]) return false;
  return true;
};

/** When the last token is due, in ms from the response headers (the closing events come with it). */
const lastTokenDue = (spec: LoadSpec): number => spec.ttftMs + Math.max(0, spec.tokens - 1) * spec.intervalMs;

/**
 * The plateau, in ms from the start of runLoad: after the last stream started and got going,
 * before the first one ended (whole 100 ms buckets).
 */
export function plateauWindow(spec: LoadSpec): { fromMs: number; toMs: number } {
  return {
    fromMs: Math.ceil((spec.rampMs + spec.ttftMs + 200) / BUCKET_MS) * BUCKET_MS,
    toMs: Math.floor((lastTokenDue(spec) - 200) / BUCKET_MS) * BUCKET_MS,
  };
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const target = new URL(spec.path, spec.url);
  const lateness = new Histogram();
  const plateauLateness = new Histogram();
  const headersAt = new Histogram();
  const window = plateauWindow(spec);
  const perBucket: number[] = [];
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  let events = 0;
  let ok = 0;
  let failed = 0;
  let open = 0;
  let peakOpen = 0;
  const lastTokenOffset = lastTokenDue(spec);

  const request = Buffer.from(
    `POST ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(spec.body)}\r\nConnection: close\r\n\r\n${spec.body}`,
  );
  // Raw TCP instead of node:http, and `onread` into one shared buffer (no Buffer and no
  // 'data' event per read): this client must stay cheaper than the server it measures.
  // Every read is handled synchronously, so one buffer serves all sockets.
  const readBuffer = Buffer.allocUnsafe(64 * 1024);
  const one = (startDelay: number): Promise<void> =>
    new Promise((resolve) => {
      setTimeout(() => {
        const sent = performance.now();
        const counter = new BlockCounter();
        let anchor = -1;
        let n = 0;
        let ended = false;
        const settle = (good: boolean): void => {
          if (ended) return;
          ended = true;
          if (anchor >= 0) open--;
          if (good) ok++;
          else failed++;
          socket.destroy();
          resolve();
        };
        const onRead = (size: number, buf: Buffer): boolean => {
          const now = performance.now();
          if (anchor < 0) {
            if (size < HTTP_200.length || buf.compare(HTTP_200, 0, HTTP_200.length, 0, HTTP_200.length) !== 0) {
              settle(false);
              return false;
            }
            anchor = now;
            headersAt.add(now - sent);
            open++;
            if (open > peakOpen) peakOpen = open;
          }
          const blocks = counter.count(buf, size);
          const onPlateau = now - t0 >= window.fromMs && now - t0 < window.toMs;
          for (let b = 0; b < blocks; b++, n++) {
            const k = n - spec.preambleEvents;
            const due = k < 0 ? 0 : k < spec.tokens ? spec.ttftMs + k * spec.intervalMs : lastTokenOffset;
            lateness.add(now - anchor - due);
            if (onPlateau) plateauLateness.add(now - anchor - due);
          }
          events += blocks;
          const bucket = Math.floor((now - t0) / BUCKET_MS);
          perBucket[bucket] = (perBucket[bucket] ?? 0) + blocks;
          if (endsWith(buf, size, LAST_CHUNK)) settle(true);
          return true;
        };
        const socket = connect({ port: Number(target.port), host: target.hostname, onread: { buffer: readBuffer, callback: onRead } }, () => socket.write(request));
        socket.setNoDelay(true);
        socket.on('error', () => settle(false));
        socket.on('close', () => settle(n > 0));
      }, startDelay);
    });

  await Promise.all(Array.from({ length: spec.streams }, (_, i) => one((i * spec.rampMs) / spec.streams)));
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  loopDelay.disable();
  const [from, to] = [window.fromMs / BUCKET_MS, window.toMs / BUCKET_MS];
  let plateauEvents = 0;
  for (let b = from; b < to; b++) plateauEvents += perBucket[b] ?? 0;
  const plateauEventsPerS = to > from ? plateauEvents / (((to - from) * BUCKET_MS) / 1000) : NaN;
  return {
    streamsOk: ok,
    streamsFailed: failed,
    events,
    lateness,
    plateauLateness,
    headers: headersAt,
    plateauEventsPerS,
    peakOpen,
    wallMs,
    clientCpuPct: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
    // The histogram counts in ns and includes the 1 ms resolution of its own timer.
    clientLoopDelay: { p99: Math.max(0, loopDelay.percentile(99) / 1e6 - 1), max: Math.max(0, loopDelay.max / 1e6 - 1) },
  };
}

/** Opens `streams` streams and keeps them open (reading) until `close()` destroys them. */
export async function holdStreams(url: string, path: string, body: string, streams: number): Promise<{ close(): void }> {
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  const target = new URL(path, url);
  const reqs = await Promise.all(
    Array.from(
      { length: streams },
      () =>
        new Promise<ReturnType<typeof httpRequest>>((resolve, reject) => {
          const req = httpRequest(target, { method: 'POST', agent, headers: { 'Content-Type': 'application/json' } }, (res) => {
            res.resume();
            resolve(req);
          });
          req.on('error', reject);
          req.end(body);
        }),
    ),
  );
  return {
    close() {
      for (const r of reqs) r.destroy();
      agent.destroy();
    },
  };
}
