import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';

/**
 * The small streaming client of `npm run bench:mock`: opens many SSE streams against the
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
  /** Request sent → response headers. */
  headers: Histogram;
  /** Events per second received while every stream was open. */
  plateauEventsPerS: number;
  /** Streams open at once at the peak. */
  peakOpen: number;
  wallMs: number;
  /** CPU time of this client process over the run, as % of one core. */
  clientCpuPct: number;
}

const LF = 10;
const LFLF = Buffer.from('\n\n');
const BUCKET_MS = 100;

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const target = new URL(spec.path, spec.url);
  const lateness = new Histogram();
  const headersAt = new Histogram();
  const perBucket: number[] = [];
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let events = 0;
  let ok = 0;
  let failed = 0;
  let open = 0;
  let peakOpen = 0;
  const lastTokenOffset = spec.ttftMs + Math.max(0, spec.tokens - 1) * spec.intervalMs;

  const request = Buffer.from(
    `POST ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(spec.body)}\r\nConnection: close\r\n\r\n${spec.body}`,
  );
  // Raw TCP instead of node:http: this client must stay cheaper than the server it measures.
  // Counting "\n\n" in the raw bytes is exact here: HTTP headers and chunk framing use CRLF only.
  const one = (startDelay: number): Promise<void> =>
    new Promise((resolve) => {
      setTimeout(() => {
        const sent = performance.now();
        let anchor = -1;
        let n = 0;
        let lastWasLf = false;
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
        const socket = connect(Number(target.port), target.hostname, () => socket.write(request));
        socket.setNoDelay(true);
        socket.on('data', (chunk: Buffer) => {
          const now = performance.now();
          if (anchor < 0) {
            if (chunk.toString('latin1', 0, 12) !== 'HTTP/1.1 200') return settle(false);
            anchor = now;
            headersAt.add(now - sent);
            open++;
            if (open > peakOpen) peakOpen = open;
          }
          let blocks = 0;
          if (lastWasLf && chunk[0] === LF) blocks++;
          for (let i = chunk.indexOf(LFLF); i >= 0; i = chunk.indexOf(LFLF, i + 2)) blocks++;
          lastWasLf = chunk[chunk.length - 1] === LF;
          for (let b = 0; b < blocks; b++, n++) {
            const k = n - spec.preambleEvents;
            const due = k < 0 ? 0 : k < spec.tokens ? spec.ttftMs + k * spec.intervalMs : lastTokenOffset;
            lateness.add(now - anchor - due);
          }
          events += blocks;
          const bucket = Math.floor((now - t0) / BUCKET_MS);
          perBucket[bucket] = (perBucket[bucket] ?? 0) + blocks;
          if (chunk.length >= 5 && chunk.toString('latin1', chunk.length - 5) === '0\r\n\r\n') settle(true); // last chunk
        });
        socket.on('error', () => settle(false));
        socket.on('close', () => settle(n > 0));
      }, startDelay);
    });

  await Promise.all(Array.from({ length: spec.streams }, (_, i) => one((i * spec.rampMs) / spec.streams)));
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  // Plateau: after the last stream started and got going, before the first one ended.
  const from = Math.ceil((spec.rampMs + spec.ttftMs + 200) / BUCKET_MS);
  const to = Math.floor((lastTokenOffset - 200) / BUCKET_MS);
  let plateauEvents = 0;
  for (let b = from; b < to; b++) plateauEvents += perBucket[b] ?? 0;
  const plateauEventsPerS = to > from ? plateauEvents / (((to - from) * BUCKET_MS) / 1000) : NaN;
  return {
    streamsOk: ok,
    streamsFailed: failed,
    events,
    lateness,
    headers: headersAt,
    plateauEventsPerS,
    peakOpen,
    wallMs,
    clientCpuPct: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
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
