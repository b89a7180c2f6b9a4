import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveFigures } from './live-block.ts';
import { startLivePoller } from './live-poller.ts';

const t10 = readFileSync(new URL('../fixtures/rest-metrics-t10.json', import.meta.url));
const t15 = readFileSync(new URL('../fixtures/rest-metrics-t15.json', import.meta.url));
let server: Server;
let address = '';
let requests = 0;
beforeAll(async () => {
  // k6's API is not up at once: the first answer is an error, then t=10 s, then t=15 s.
  server = createServer((_req, res) => {
    requests++;
    if (requests === 1) res.writeHead(503).end();
    else res.writeHead(200, { 'content-type': 'application/json' }).end(requests === 2 ? t10 : t15);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('startLivePoller', () => {
  it('skips failed polls, derives rates over the injected clock, and keeps the series', async () => {
    let clock = 0;
    const seen: LiveFigures[] = [];
    let done: () => void = () => undefined;
    const twoFigures = new Promise<void>((r) => (done = r));
    const poller = startLivePoller({
      address,
      intervalMs: 5,
      now: () => (clock += 2_500), // every reading of the clock advances it 2.5 s
      cpu: null,
      onFigures: (f) => {
        seen.push(f);
        if (seen.length === 2) done();
      },
    });
    await twoFigures;
    await poller.stop();
    expect(poller.failures).toBe(1);
    expect(seen[0]?.connectionsPerSec).toBeNull();
    expect(seen[1]?.connectionsPerSec).toBeCloseTo((42 - 30) / 2.5, 10); // consecutive snapshots 2.5 s apart
    expect(seen[1]?.cpu).toBeNull();
    expect(poller.series.slice(0, 2).map((p) => p.activeStreams)).toEqual([8, 8]);
    expect(poller.saturation.samples).toBe(0);
    const after = requests;
    await new Promise((r) => setTimeout(r, 30));
    expect(requests).toBe(after); // stopped: no more polls
  });
});
