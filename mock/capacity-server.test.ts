/**
 * The capacity model end to end over real HTTP on 127.0.0.1: requests past --max-concurrency
 * wait before their headers, a waiter that leaves frees nothing, and abandoned waiters leak
 * nothing. Assertions are on order and counts, never on elapsed time: a `stall` stream holds
 * its slot until the test lets it go.
 */
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { startMockServer, type MockServer } from './server.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const body = JSON.stringify({ inputs: { q: 'capacity' }, user: 'u', response_mode: 'streaming' });

interface Client {
  readonly req: ClientRequest;
  /** Resolves with the response once its headers arrive. */
  readonly headers: Promise<IncomingMessage>;
  /** True once the headers arrived. */
  hasHeaders(): boolean;
  /** Resolves with the body once it ended. */
  readonly done: Promise<string>;
}

/** One workflow request on its own connection. */
function open(server: MockServer, headers: Record<string, string> = {}): Client {
  let got = false;
  let bodyDone: (text: string) => void = () => undefined;
  const done = new Promise<string>((resolve) => (bodyDone = resolve));
  let req!: ClientRequest;
  const headersP = new Promise<IncomingMessage>((resolve, reject) => {
    req = request(
      `${server.url}/v1/workflows/run`,
      { method: 'POST', agent: false, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...headers } },
      (res) => {
        got = true;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => bodyDone(text));
        res.on('error', () => bodyDone(text));
        resolve(res);
      },
    );
    req.on('error', (err) => {
      if (!got) reject(err);
    });
    req.end(body);
  });
  headersP.catch(() => undefined); // a waiter the test destroys never gets headers
  return { req, headers: headersP, hasHeaders: () => got, done };
}

async function until(what: string, condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (condition()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for: ${what}`);
}

const STALL = { 'X-Mock-Fault': 'stall' };
let server: MockServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function start(maxConcurrency: number): Promise<MockServer> {
  server = await startMockServer({ port: 0, ttfeMs: 0, ttftMs: 0, tokens: 3, tokenIntervalMs: 0, pingIntervalMs: 0, maxConcurrency });
  return server;
}

/** A server with one slot, held by a stalled stream until the test destroys `holder`. */
async function oneSlotTaken(): Promise<{ s: MockServer; holder: Client }> {
  const s = await start(1);
  const holder = open(s, STALL);
  await holder.headers;
  return { s, holder };
}

describe('--max-concurrency', () => {
  it('a request past the limit gets no headers until a slot frees, then the whole stream', async () => {
    const { s, holder } = await oneSlotTaken();
    const queued = open(s);
    await until('the second request waits', () => s.stats().waitingForSlot === 1);
    expect(queued.hasHeaders()).toBe(false);
    expect(s.stats()).toMatchObject({ activeStreams: 1, streamsStarted: 1 });
    holder.req.destroy();
    const res = await queued.headers;
    expect(res.statusCode).toBe(200);
    expect(await queued.done).toContain('workflow_finished');
    expect(s.stats()).toMatchObject({ waitingForSlot: 0, streamsStarted: 2, streamsFinished: 1, streamsAborted: 1, activeStreams: 0 });
  });

  it('serves in arrival order', async () => {
    const { s, holder } = await oneSlotTaken();
    const order: number[] = [];
    const queued: Client[] = [];
    for (const i of [0, 1, 2]) {
      const c = open(s);
      void c.headers.then(() => order.push(i));
      queued.push(c);
      await until(`request ${i} waiting`, () => s.stats().waitingForSlot === i + 1); // arrival order fixed
    }
    holder.req.destroy();
    await Promise.all(queued.map((c) => c.done));
    expect(order).toEqual([0, 1, 2]);
    expect(s.stats()).toMatchObject({ streamsStarted: 4, waitingForSlot: 0 });
  });

  it('waiters that leave free nothing they did not hold: the holder keeps the only slot', async () => {
    const { s, holder } = await oneSlotTaken();
    const leavers = Array.from({ length: 20 }, () => open(s));
    await until('20 waiting', () => s.stats().waitingForSlot === 20);
    for (const l of leavers) l.req.destroy();
    await until('the queue empties', () => s.stats().waitingForSlot === 0);
    const next = open(s);
    await until('the next request waits too', () => s.stats().waitingForSlot === 1);
    expect(next.hasHeaders()).toBe(false); // had a leaver released a slot, it would be served now
    holder.req.destroy();
    expect(await next.done).toContain('workflow_finished');
    expect(s.stats()).toMatchObject({ streamsStarted: 2, activeStreams: 0, waitingForSlot: 0 });
  });

  it('X-Mock-Max-Concurrency sets the limit per request; requests without it are not held back', async () => {
    const s = await start(0);
    const limit1 = { 'X-Mock-Max-Concurrency': '1' };
    const holder = open(s, { ...limit1, ...STALL });
    await holder.headers;
    const limited = open(s, limit1);
    await until('the limited request waits', () => s.stats().waitingForSlot === 1);
    const free = open(s);
    expect(await free.done).toContain('workflow_finished');
    expect(limited.hasHeaders()).toBe(false);
    holder.req.destroy();
    expect(await limited.done).toContain('workflow_finished');
  });

  it('a bad X-Mock-Max-Concurrency is a 400 naming the header', async () => {
    const s = await start(0);
    const c = open(s, { 'X-Mock-Max-Concurrency': '-1' });
    const res = await c.headers;
    expect(res.statusCode).toBe(400);
    expect(await c.done).toContain('header X-Mock-Max-Concurrency: expected an integer from 0 to 1000000, got \\"-1\\"');
  });

  it('close() ends waiting requests too', async () => {
    const { s, holder } = await oneSlotTaken();
    const waiting = open(s);
    await until('one waiting', () => s.stats().waitingForSlot === 1);
    const closed = new Promise<void>((resolve) => waiting.req.once('close', () => resolve()));
    await s.close();
    await closed;
    expect(waiting.hasHeaders()).toBe(false);
    expect(s.stats().waitingForSlot).toBe(0);
  });
});

describe('abandoned waiters leak nothing', () => {
  const BATCH = 100;
  const BATCHES = 20;

  function heapAfterGc(): number {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  }

  /** BATCH requests that all wait, then all leave. */
  async function batch(s: MockServer): Promise<void> {
    const clients = Array.from({ length: BATCH }, () => open(s));
    await until(`${BATCH} waiting`, () => s.stats().waitingForSlot === BATCH);
    for (const c of clients) c.req.destroy();
    await until('queue empty', () => s.stats().waitingForSlot === 0);
  }

  it(`${BATCH * BATCHES} waiters that leave: queue empty, slot still held, heap back near its baseline`, { timeout: 60_000 }, async () => {
    const { s, holder } = await oneSlotTaken();
    await batch(s); // warm up code paths and pools before the baseline
    const baseline = heapAfterGc();
    for (let i = 0; i < BATCHES; i++) await batch(s);
    expect(s.stats()).toMatchObject({ activeStreams: 1, streamsStarted: 1, waitingForSlot: 0 });
    const grown = heapAfterGc() - baseline;
    // A waiting request holds a socket, parser, request and response (tens of kB): 2,000 leaked would be tens of MB.
    expect(grown).toBeLessThan(4 * 1024 * 1024);
    holder.req.destroy();
  });
});
