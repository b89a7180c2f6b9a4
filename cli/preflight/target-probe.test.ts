/**
 * The probe request against small servers on 127.0.0.1: what it sends, what it reads, when
 * it stops, and how each failure comes back. One request per case; every server is closed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freeAddress } from '../run/k6-run.ts';
import { probeTarget, type ProbeObservation } from './target-probe.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** Resolves when the probe's connection is gone. */
  closed: Promise<void>;
}

async function withServer(
  handle: (req: IncomingMessage, res: ServerResponse) => void,
  run: (url: string, seen: Seen[]) => Promise<void>,
  make: (h: (req: IncomingMessage, res: ServerResponse) => void) => Server = (h) => createServer(h),
): Promise<void> {
  const seen: Seen[] = [];
  const server = make((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    const closed = new Promise<void>((resolve) => req.socket.once('close', () => resolve()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, closed });
      handle(req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const scheme = 'key' in server ? 'https' : 'http';
  try {
    await run(`${scheme}://127.0.0.1:${port}/v1/workflows/run`, seen);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

const SSE = { 'Content-Type': 'text/event-stream; charset=utf-8' };
const BODY = '{"inputs":{"question":"What is AI?"},"response_mode":"streaming","user":"sse-bench-0-0"}';
const HEADERS = { 'Content-Type': 'application/json', Authorization: 'Bearer test-key-not-real' };
const response = (o: ProbeObservation) => {
  if (o.kind !== 'response') throw new Error(`expected a response, got ${JSON.stringify(o)}`);
  return o;
};

describe('probeTarget', () => {
  it('sends the request as given, returns the first event that is not a keep-alive, and closes the connection', async () => {
    await withServer(
      (_req, res) => {
        res.writeHead(200, SSE);
        res.write(': a comment\n\nevent: ping\n\n'); // keep-alives: skipped
        res.write('data: {"event":"workflow_started","task_id":"t"}\n\n');
        // the stream stays open: the probe must close it
      },
      async (url, seen) => {
        const o = response(await probeTarget({ method: 'POST', url, headers: HEADERS, body: BODY }));
        expect(o).toEqual({ kind: 'response', status: 200, contentType: 'text/event-stream; charset=utf-8', location: '', excerpt: '', firstEvent: { name: '', data: '{"event":"workflow_started","task_id":"t"}' }, stop: 'event' });
        expect(seen).toHaveLength(1);
        const [req] = seen;
        expect([req?.method, req?.url, req?.body]).toEqual(['POST', '/v1/workflows/run', BODY]);
        expect(req?.headers).toMatchObject({ 'content-type': 'application/json', authorization: 'Bearer test-key-not-real', accept: 'text/event-stream', 'content-length': String(BODY.length) });
        await req?.closed; // resolves only when the probe has closed the connection
      },
    );
  });

  it('reads a named event split over writes', async () => {
    await withServer(
      (_req, res) => {
        res.writeHead(200, SSE);
        res.write('event: message\ndata: {"answ');
        setImmediate(() => res.end('er":"Hi"}\n\n'));
      },
      async (url) => {
        expect(response(await probeTarget({ method: 'POST', url, headers: {}, body: '{}' })).firstEvent).toEqual({ name: 'message', data: '{"answer":"Hi"}' });
      },
    );
  });

  it('keeps the status and the first 200 bytes of a body that is not an event stream', async () => {
    const long = `{"error":"${'e'.repeat(500)}"}`;
    await withServer(
      (_req, res) => res.writeHead(401, { 'Content-Type': 'application/json' }).end(long),
      async (url) => {
        const o = response(await probeTarget({ method: 'POST', url, headers: {}, body: '{}' }));
        expect([o.status, o.contentType, o.excerpt, o.firstEvent]).toEqual([401, 'application/json', long.slice(0, 200), null]);
      },
    );
    await withServer(
      (_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>hi</html>'),
      async (url) => {
        expect(response(await probeTarget({ method: 'GET', url, headers: {} })).excerpt).toBe('<html>hi</html>');
      },
    );
  });

  it('a stream that ends before any event, and one whose first event is later than the deadline', async () => {
    await withServer(
      (_req, res) => res.writeHead(200, SSE).end('event: ping\n\n'),
      async (url) => {
        expect(response(await probeTarget({ method: 'POST', url, headers: {}, body: '{}' }))).toMatchObject({ firstEvent: null, stop: 'end' });
      },
    );
    await withServer(
      (_req, res) => res.writeHead(200, SSE).write(': waiting\n\n'),
      async (url, seen) => {
        expect(response(await probeTarget({ method: 'POST', url, headers: {}, body: '{}', timeoutMs: 300 }))).toMatchObject({ firstEvent: null, stop: 'deadline' });
        await seen[0]?.closed;
      },
    );
  });

  it('no response before the deadline', async () => {
    await withServer(
      () => undefined, // never answers
      async (url, seen) => {
        expect(await probeTarget({ method: 'POST', url, headers: {}, body: '{}', timeoutMs: 300 })).toEqual({ kind: 'no-response', afterMs: 300 });
        await seen[0]?.closed;
      },
    );
  });

  it('a refused connection', async () => {
    const o = await probeTarget({ method: 'POST', url: `http://${await freeAddress()}/v1/workflows/run`, headers: {}, body: '{}' });
    expect(o).toMatchObject({ kind: 'network', code: 'ECONNREFUSED', message: expect.stringMatching(/^connect ECONNREFUSED 127\.0\.0\.1:\d+$/) });
  });

  it('TLS spoken to a plain HTTP server fails with an SSL error', async () => {
    await withServer(
      (_req, res) => res.end(),
      async (url) => {
        const o = await probeTarget({ method: 'POST', url: url.replace(/^http:/, 'https:'), headers: {}, body: '{}' });
        expect(o.kind).toBe('network');
        if (o.kind === 'network') expect(`${o.code} ${o.message}`).toMatch(/SSL|TLS|EPROTO/);
      },
    );
  });
});

// A self-signed certificate for 127.0.0.1, made with the openssl CLI when it is installed.
const certDir = mkdtempSync(join(tmpdir(), 'probe-tls-'));
afterAll(() => rmSync(certDir, { recursive: true, force: true }));
function selfSigned(): { key: string; cert: string } | null {
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem')], { stdio: 'ignore', timeout: 10_000 });
    return { key: readFileSync(join(certDir, 'key.pem'), 'utf8'), cert: readFileSync(join(certDir, 'cert.pem'), 'utf8') };
  } catch {
    return null;
  }
}
const tls = selfSigned();
if (tls === null) console.warn('SKIPPED: the private-CA TLS probe tests need the openssl CLI to make a test certificate');

describe.skipIf(tls === null)('probeTarget over TLS with a certificate of a private CA', () => {
  const https = (h: (req: IncomingMessage, res: ServerResponse) => void): Server => createHttpsServer({ key: tls?.key, cert: tls?.cert }, h);
  const stream = (_req: IncomingMessage, res: ServerResponse): void => void res.writeHead(200, SSE).end('data: {"event":"workflow_started"}\n\n');

  it('fails verification by default, with the reason', async () => {
    await withServer(stream, async (url) => {
      expect(await probeTarget({ method: 'POST', url, headers: {}, body: '{}' })).toMatchObject({ kind: 'network', code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'self-signed certificate' });
    }, https);
  });

  it('reads the stream when told to skip verification, or to trust the CA (SSL_CERT_FILE)', async () => {
    await withServer(stream, async (url) => {
      expect(response(await probeTarget({ method: 'POST', url, headers: {}, body: '{}', insecureSkipTlsVerify: true })).firstEvent?.data).toBe('{"event":"workflow_started"}');
      expect(response(await probeTarget({ method: 'POST', url, headers: {}, body: '{}', ca: tls?.cert })).firstEvent?.data).toBe('{"event":"workflow_started"}');
    }, https);
  });
});
