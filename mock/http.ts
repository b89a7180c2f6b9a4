import type { IncomingMessage, ServerResponse } from 'node:http';

/** Largest request body accepted (413 above). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Error-body dialects: Dify's `{code, message, status}` or OpenAI's `{error: {message, type, code}}`. */
export type Dialect = 'dify' | 'openai';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const OPENAI_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'invalid_request_error',
  404: 'invalid_request_error',
  405: 'invalid_request_error',
  413: 'invalid_request_error',
  429: 'rate_limit_error',
};

/**
 * As the real servers write it: Dify (Flask's jsonify) ends its JSON with a newline; OpenAI-compatible
 * servers (vLLM, FastAPI, most gateways) do not. xk6-sse reads an error body as SSE lines and drops
 * a last line without a newline, so a k6 script sees Dify's error body and not the others'.
 */
function errorBody(dialect: Dialect, e: HttpError): string {
  if (dialect === 'openai') {
    return JSON.stringify({ error: { message: e.message, type: OPENAI_TYPES[e.status] ?? 'server_error', code: e.code } });
  }
  return `${JSON.stringify({ code: e.code, message: e.message, status: e.status })}\n`;
}

export function sendJson(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

export function sendError(res: ServerResponse, dialect: Dialect, e: HttpError): void {
  sendJson(res, e.status, errorBody(dialect, e), e.headers);
}

/** A too-large body is drained (read and dropped) up to this size before the 413; past it the 413 goes out at once. */
export const MAX_DRAIN_BYTES = 16 * 1024 * 1024;
/** How long a too-large body is drained at most before the 413 is sent anyway. */
export const DRAIN_TIMEOUT_MS = 10_000;

/**
 * Reads the body as text, rejecting (413) past MAX_BODY_BYTES without buffering the excess.
 *
 * The 413 is only sent once the client has finished sending (the rest of the body is read and
 * dropped, up to MAX_DRAIN_BYTES or DRAIN_TIMEOUT_MS): a server that answers and closes while
 * the client is still writing resets the connection, and a client that reads its response after
 * sending its body (or whose reads lose the race) gets EPIPE/ECONNRESET instead of the 413.
 */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    const tooLarge = (): HttpError => new HttpError(413, 'payload_too_large', `Request body exceeds ${MAX_BODY_BYTES} bytes.`);
    let refused = false;
    const refuse = (): void => {
      refused = true;
      req.removeAllListeners('data');
      if (declared > MAX_DRAIN_BYTES) return reject(tooLarge());
      let drained = 0;
      const timer = setTimeout(() => reject(tooLarge()), DRAIN_TIMEOUT_MS);
      const answer = (): void => {
        clearTimeout(timer);
        reject(tooLarge());
      };
      req.on('data', (chunk: Buffer) => {
        drained += chunk.length;
        if (drained > MAX_DRAIN_BYTES) answer();
      });
      req.once('end', answer);
      req.resume();
    };
    if (declared > MAX_BODY_BYTES) return refuse();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        refuse();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!refused) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

/** Parses a JSON object body (400 `invalid_param` otherwise). */
export function parseJsonObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_param', 'Request body is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError(400, 'invalid_param', 'Request body must be a JSON object.');
  }
  return value as Record<string, unknown>; // checked just above: a non-null, non-array object
}

const bad = (message: string): HttpError => new HttpError(400, 'invalid_param', message);

export function requireString(body: Record<string, unknown>, field: string, optional = false): void {
  const v = body[field];
  if (v === undefined && optional) return;
  if (typeof v !== 'string') throw bad(`${field} is required and must be a string.`);
}

export function requireObject(body: Record<string, unknown>, field: string, optional = false): void {
  const v = body[field];
  if (v === undefined && optional) return;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(`${field} is required and must be an object.`);
}

/** Dify's `response_mode`: blocking when omitted. */
export function difyStreaming(body: Record<string, unknown>): boolean {
  const mode = body.response_mode ?? 'blocking';
  if (mode !== 'streaming' && mode !== 'blocking') throw bad('response_mode must be "streaming" or "blocking".');
  return mode === 'streaming';
}
