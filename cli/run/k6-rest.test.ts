import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { counterCount, fetchMetrics, parseMetricsResponse, RestResponseError, sampleValue, subMetricCounts } from './k6-rest.ts';

const body = readFileSync(new URL('../fixtures/rest-metrics-t10.json', import.meta.url), 'utf8');

describe('parseMetricsResponse', () => {
  const snap = parseMetricsResponse(JSON.parse(body), 42);
  it('indexes metrics by id with their samples', () => {
    expect(snap.takenAtMs).toBe(42);
    expect(counterCount(snap, 'sse_streams_opened')).toBe(30);
    expect(sampleValue(snap, 'sse_ttfe', 'p(95)')).toBe(55.2);
    expect(snap.metrics.get('sse_ttfe')?.contains).toBe('time');
    expect(counterCount(snap, 'not_seen_yet')).toBe(0);
  });
  it('lists sub-metrics by tag value', () => {
    expect([...subMetricCounts(snap, 'sse_errors', 'error_type')].sort()).toEqual([
      ['http_5xx', 0],
      ['timeout', 1],
    ]);
  });
  it('rejects bodies that are not the JSON:API list', () => {
    expect(() => parseMetricsResponse({ errors: [] }, 0)).toThrow(RestResponseError);
    expect(() => parseMetricsResponse({ data: [{ id: 'x' }] }, 0)).toThrow(/attributes.sample/);
  });
});

describe('fetchMetrics against a local server', () => {
  let server: Server;
  let address = '';
  let status = 200;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url !== '/v1/metrics') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(status, { 'content-type': 'application/json' }).end(status === 200 ? body : '{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('returns a snapshot stamped by the injected clock', async () => {
    status = 200;
    const snap = await fetchMetrics(address, () => 7);
    expect(snap.takenAtMs).toBe(7);
    expect(counterCount(snap, 'sse_event')).toBe(400);
  });
  it('rejects a non-200 answer', async () => {
    status = 503;
    await expect(fetchMetrics(address, () => 0)).rejects.toThrow(/HTTP 503/);
  });
});
