import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer, type MockServer } from '../mock/server.ts';
import { BlockCounter, Histogram, runLoad } from './sse-load-client.ts';

describe('Histogram', () => {
  it('gives percentiles to 0.1 ms and the max', () => {
    const h = new Histogram();
    for (let i = 1; i <= 100; i++) h.add(i);
    expect([h.percentile(50), h.percentile(99), h.percentile(100), h.max, h.count]).toEqual([50, 99, 100, 100, 100]);
    h.add(-3); // early events count as on time
    expect(h.percentile(0.5)).toBe(0);
  });
});

describe('BlockCounter', () => {
  const text = 'HTTP/1.1 200 OK\r\nA: b\r\n\r\n1f\r\ndata: 1\n\ndata: 2\n\n\r\n9\r\nid: 3\ndata: 3\n\n\r\n0\r\n\r\n';
  it.each([1, 2, 3, 7, 1000])('counts SSE block ends, not CRLF framing, when read %i bytes at a time', (piece) => {
    const c = new BlockCounter();
    const bytes = Buffer.from(text);
    let blocks = 0;
    const buf = Buffer.alloc(1000, 10); // stale LFs past n must not count
    for (let i = 0; i < bytes.length; i += piece) {
      const n = bytes.copy(buf, 0, i, i + piece);
      blocks += c.count(buf, n);
    }
    expect(blocks).toBe(3);
  });
});

describe('runLoad', () => {
  let server: MockServer;
  beforeAll(async () => {
    server = await startMockServer({ port: 0, ttfeMs: 0, ttftMs: 0, tokenIntervalMs: 0, pingIntervalMs: 0 });
  });
  afterAll(() => server.close());

  it('counts every event of every stream, across chunk boundaries', async () => {
    const body = JSON.stringify({ inputs: {}, user: 'u', response_mode: 'streaming' });
    const r = await runLoad({ url: server.url, path: '/v1/workflows/run', body, streams: 20, rampMs: 0, preambleEvents: 4, tokens: 50, ttftMs: 0, intervalMs: 0 });
    expect(r.streamsOk).toBe(20);
    expect(r.streamsFailed).toBe(0);
    expect(r.events).toBe(20 * (4 + 50 + 4)); // preamble, tokens, closing events
    expect(r.lateness.count).toBe(r.events);
    expect(r.headers.count).toBe(20);
    expect(server.stats().eventsSent).toBe(r.events);
  });

  it('counts a non-200 answer as a failed stream', async () => {
    const r = await runLoad({ url: server.url, path: '/v1/nothing', body: '{}', streams: 3, rampMs: 0, preambleEvents: 0, tokens: 0, ttftMs: 0, intervalMs: 0 });
    expect([r.streamsOk, r.streamsFailed, r.events]).toEqual([0, 3, 0]);
  });
});
