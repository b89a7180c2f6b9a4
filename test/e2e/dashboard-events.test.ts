/**
 * The helpers of the real-k6 dashboard test, against a stand-in `/events` server that writes
 * events the way k6's dashboard does (`data:` before `event:`), and a synthetic export. The
 * real check is test/e2e/web-dashboard.test.ts.
 */
import { createServer, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { freeAddress } from '../../cli/run/k6-run.ts';
import { announcedMetrics, exportedEvents, readDashboardEvents } from './dashboard-events.ts';

let server: Server | null = null;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = null;
});

describe('readDashboardEvents', () => {
  it('waits for the server, reads events until the condition holds, then hangs up', async () => {
    const address = await freeAddress();
    const [host, port] = address.split(':');
    let closed = false;
    setTimeout(() => {
      server = createServer((req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: {"title":"t","tabs":[]}\nevent: config\n\n');
        res.write('data: {"sse_ttfe":{"type":"trend"}}\nevent: metric\n\n');
        setTimeout(() => res.write('data: {"sse_errors{error_type:http_5xx}":{"type":"counter"}}\nevent: metric\n\n'), 100);
        req.on('close', () => (closed = true));
      });
      server.listen(Number(port), host);
    }, 300); // nothing listens at first
    const events = await readDashboardEvents(`http://${address}/events`, (es) => announcedMetrics(es).has('sse_errors{error_type:http_5xx}'), 5_000);
    expect(events.map((e) => e.event)).toEqual(['config', 'metric', 'metric']);
    expect(events[0]!.data).toEqual({ title: 't', tabs: [] });
    expect([...announcedMetrics(events)]).toEqual(['sse_ttfe', 'sse_errors{error_type:http_5xx}']);
    await new Promise((r) => setTimeout(r, 100));
    expect(closed).toBe(true);
  });

  it('says what it got when the condition is never met', async () => {
    const address = await freeAddress();
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('data: {}\nevent: config\n\n');
    });
    await new Promise<void>((r) => server!.listen(Number(address.split(':')[1]), '127.0.0.1', r));
    await expect(readDashboardEvents(`http://${address}/events`, () => false, 1_000)).rejects.toThrow(/condition not met within 1000 ms \(.*\); got config/);
  });
});

describe('exportedEvents', () => {
  it('decodes the gzipped, base64 NDJSON the export embeds', () => {
    const ndjson = '{"event":"config","data":{"title":"x"}}\n{"event":"param","data":{"period":1000}}\n';
    const html = `<html><script id="data" type="application/json; charset=utf-8; gzip; base64">${gzipSync(ndjson).toString('base64')}</script></html>`;
    expect(exportedEvents(html)).toEqual([
      { event: 'config', data: { title: 'x' } },
      { event: 'param', data: { period: 1000 } },
    ]);
    expect(() => exportedEvents('<html></html>')).toThrow('no <script id="data"');
  });
});
