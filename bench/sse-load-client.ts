import { Agent, request } from 'node:http';

/**
 * The small streaming client of `npm run bench:mock`: opens many SSE streams against the
 * mock server and, for every event, compares its arrival with its schedule. It does not
 * parse JSON: it counts `\n\n` block ends, and the mock's knobs say when block n is due.
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
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
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

  const one = (startDelay: number): Promise<void> =>
    new Promise((resolve) => {
      setTimeout(() => {
        const sent = performance.now();
        let n = 0;
        let lastWasLf = false;
        const req = request(
          target,
          { method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(spec.body) } },
          (res) => {
            if (res.statusCode !== 200) {
              failed++;
              res.resume();
              resolve();
              return;
            }
            headersAt.add(performance.now() - sent);
            open++;
            if (open > peakOpen) peakOpen = open;
            res.on('data', (chunk: Buffer) => {
              const now = performance.now();
              let blocks = 0;
              if (lastWasLf && chunk[0] === LF) blocks++;
              for (let i = chunk.indexOf(LFLF); i >= 0; i = chunk.indexOf(LFLF, i + 2)) blocks++;
              lastWasLf = chunk[chunk.length - 1] === LF;
              for (let b = 0; b < blocks; b++, n++) {
                const k = n - spec.preambleEvents;
                const due = k < 0 ? 0 : k < spec.tokens ? spec.ttftMs + k * spec.intervalMs : lastTokenOffset;
                lateness.add(now - sent - due);
              }
              events += blocks;
              const bucket = Math.floor((now - t0) / BUCKET_MS);
              perBucket[bucket] = (perBucket[bucket] ?? 0) + blocks;
            });
            res.on('end', () => {
              open--;
              ok++;
              resolve();
            });
            res.on('error', () => {
              open--;
              failed++;
              resolve();
            });
          },
        );
        req.on('error', () => {
          failed++;
          resolve();
        });
        req.end(spec.body);
      }, startDelay);
    });

  await Promise.all(Array.from({ length: spec.streams }, (_, i) => one((i * spec.rampMs) / spec.streams)));
  agent.destroy();
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
        new Promise<ReturnType<typeof request>>((resolve, reject) => {
          const req = request(target, { method: 'POST', agent, headers: { 'Content-Type': 'application/json' } }, (res) => {
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
