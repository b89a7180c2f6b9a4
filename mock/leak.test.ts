import { connect } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startMockServer, type MockServer } from './server.ts';

// A real GC between measurements (vitest cannot pass --expose-gc to its workers).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const STREAMS = 10_000;
const PARALLEL = 100;

let server: MockServer;
beforeAll(async () => {
  // Long streams: every one is still waiting for its first event (headers sent, timer pending) when its client leaves.
  server = await startMockServer({ port: 0, ttfeMs: 5_000, ttftMs: 5_000, tokens: 1_000, tokenIntervalMs: 1_000, pingIntervalMs: 1_000 });
});
afterAll(() => server.close());

const body = JSON.stringify({ inputs: { q: 'leak' }, user: 'u', response_mode: 'streaming' });
const request = `POST /v1/workflows/run HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;

/** Opens a stream, waits for its first bytes (the headers), then drops the connection. */
function openAndAbort(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    socket.once('data', (d) => {
      if (!d.toString('latin1').startsWith('HTTP/1.1 200')) reject(new Error(`unexpected answer: ${d.toString().slice(0, 80)}`));
      socket.destroy();
      resolve();
    });
    socket.on('error', reject);
  });
}

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
}

it(`${STREAMS} aborted streams release everything: 0 active, heap back near its baseline`, async () => {
  for (let i = 0; i < 200; i++) await openAndAbort(server.port); // warm up code paths and pools before the baseline
  await until(() => server.stats().activeStreams === 0);
  const baseline = heapAfterGc();
  const before = server.stats();
  let next = 0;
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      while (next < STREAMS) {
        next++;
        await openAndAbort(server.port);
      }
    }),
  );
  await until(() => server.stats().streamsAborted - before.streamsAborted === STREAMS);
  const stats = server.stats();
  expect(stats.activeStreams).toBe(0);
  expect(stats.streamsStarted - before.streamsStarted).toBe(STREAMS);
  expect(stats.streamsAborted - before.streamsAborted).toBe(STREAMS);
  expect(stats.streamsFinished).toBe(before.streamsFinished);
  const grown = heapAfterGc() - baseline;
  // An open stream holds tens of kilobytes (socket, parser, response, script): 10,000 leaked ones would be hundreds of MB.
  expect(grown).toBeLessThan(8 * 1024 * 1024);
}, 30_000);
