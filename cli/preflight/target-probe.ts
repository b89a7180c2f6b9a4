/**
 * The preflight's one probe request: sends one request exactly as the run's first
 * iteration will (method, URL, headers with the API key when set, body — built by the
 * suite's own lib/vu/targets.ts), reads the answer until the first event that is not a
 * keep-alive, the end of the body, or the deadline (10 s from the start), and closes
 * the connection. It only observes; cli/preflight/probe-verdict.ts judges what it saw.
 *
 * node:http(s) rather than fetch: TLS can be told to skip verification (k6's
 * `--insecure-skip-tls-verify`) or to trust SSL_CERT_FILE (what k6, a Go program, trusts),
 * redirects are not followed silently, and the socket is not pooled.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createParser } from 'eventsource-parser';

export const PROBE_TIMEOUT_MS = 10_000;
/** How much of a body that is not an event stream (or an error) is kept. */
export const EXCERPT_BYTES = 200;

export interface ProbeRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Absent: no body (generic target without BODY). */
  readonly body?: string;
  /** k6's `--insecure-skip-tls-verify` / K6_INSECURE_SKIP_TLS_VERIFY: do not verify the server's certificate. */
  readonly insecureSkipTlsVerify?: boolean;
  /** PEM certificates to trust instead of Node's bundle (the content of SSL_CERT_FILE). */
  readonly ca?: string;
  readonly timeoutMs?: number;
}

/** The first event that is not a keep-alive. */
export interface ProbeEvent {
  /** The `event:` field; '' when absent. */
  readonly name: string;
  readonly data: string;
}

export type ProbeObservation =
  /** No HTTP response: refused, DNS, TLS, reset… (`code` is Node's, e.g. ECONNREFUSED, DEPTH_ZERO_SELF_SIGNED_CERT). */
  | { readonly kind: 'network'; readonly code: string; readonly message: string }
  /** No response headers before the deadline. */
  | { readonly kind: 'no-response'; readonly afterMs: number }
  | {
      readonly kind: 'response';
      readonly status: number;
      readonly contentType: string;
      /** `Location` of a redirect, else ''. */
      readonly location: string;
      /** The first EXCERPT_BYTES of the body, unless it is a 2xx event stream. */
      readonly excerpt: string;
      /** A 2xx event stream's first event that is not a keep-alive; null if none came. */
      readonly firstEvent: ProbeEvent | null;
      /** Why reading stopped: an event came, the body ended, or the deadline passed. */
      readonly stop: 'event' | 'end' | 'deadline';
    };

export function isEventStreamType(contentType: string): boolean {
  return contentType.trim().toLowerCase().startsWith('text/event-stream');
}

/** Sends the probe and resolves with what came back; never rejects. */
export function probeTarget(req: ProbeRequest): Promise<ProbeObservation> {
  const timeoutMs = req.timeoutMs ?? PROBE_TIMEOUT_MS;
  return new Promise((resolve) => {
    const url = new URL(req.url);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const headers: Record<string, string> = { Accept: 'text/event-stream', ...req.headers };
    if (req.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(req.body));
    const tls = url.protocol === 'https:' ? { rejectUnauthorized: req.insecureSkipTlsVerify !== true, ...(req.ca !== undefined ? { ca: req.ca } : {}) } : {};
    let settled = false;
    /** What the deadline reports: replaced by the response reader once headers are in. */
    let atDeadline = (): ProbeObservation => ({ kind: 'no-response', afterMs: timeoutMs });
    const finish = (o: ProbeObservation): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(o);
      client.destroy(); // closes the connection: the probe leaves nothing open
    };
    const client = send(url, { method: req.method, headers, agent: false, ...tls }, (res) => {
      atDeadline = readResponse(res, finish);
    });
    const timer = setTimeout(() => finish(atDeadline()), timeoutMs);
    client.on('error', (err: NodeJS.ErrnoException) => finish({ kind: 'network', code: err.code ?? err.name, message: err.message }));
    client.end(req.body);
  });
}

type Finish = (o: ProbeObservation) => void;

/** Reads one response for `finish`; returns what to report if the deadline comes first. */
function readResponse(res: IncomingMessage, finish: Finish): () => ProbeObservation {
  const status = res.statusCode ?? 0;
  const contentType = String(res.headers['content-type'] ?? '');
  const location = String(res.headers['location'] ?? '');
  const base = { kind: 'response' as const, status, contentType, location };
  if (status >= 200 && status < 300 && isEventStreamType(contentType)) {
    let first: ProbeEvent | null = null;
    const seen = (stop: 'event' | 'end' | 'deadline'): ProbeObservation => ({ ...base, excerpt: '', firstEvent: first, stop });
    const parser = createParser({
      onEvent: (e) => {
        // eventsource-parser dispatches no event without data (comment lines, a bare `event: ping`).
        if (first === null && e.event !== 'ping') first = { name: e.event ?? '', data: e.data };
      },
    });
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      parser.feed(chunk);
      if (first !== null) finish(seen('event'));
    });
    res.on('end', () => finish(seen('end')));
    res.on('error', () => finish(seen('end')));
    return () => seen('deadline');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const read = (stop: 'end' | 'deadline'): ProbeObservation => ({
    ...base,
    excerpt: Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString('utf8'),
    firstEvent: null,
    stop,
  });
  res.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= EXCERPT_BYTES) finish(read('end'));
  });
  res.on('end', () => finish(read('end')));
  res.on('error', () => finish(read('end')));
  return () => read('deadline');
}
