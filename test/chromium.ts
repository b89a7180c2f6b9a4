/**
 * Headless Chromium for the page tests (Debian package `chromium`, or CHROMIUM_BIN):
 * - `runChromium`: one command-line run (`--dump-dom`, `--screenshot`) for static pages;
 * - `openPage`: a DevTools Protocol session over `--remote-debugging-pipe` (fd 3 in, fd 4 out,
 *   NUL-terminated JSON), for live pages whose content arrives later, e.g. over an EventSource
 *   (the command-line modes dump too early, and `--virtual-time-budget` never ends while an
 *   EventSource is open). No dependency: the protocol is JSON over a pipe.
 * Pages are loaded from 127.0.0.1 or file:// only.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

/** The Chromium binary, or '' when none is installed. */
export function findChromium(): string {
  for (const c of [process.env.CHROMIUM_BIN ?? '', '/usr/bin/chromium', '/usr/bin/chromium-browser']) if (c !== '' && existsSync(c)) return c;
  return '';
}

const BASE_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** One command-line run of Chromium with its own profile directory; resolves with stdout. */
export function runChromium(bin: string, args: readonly string[], profileDir: string, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(bin, [...BASE_FLAGS, `--user-data-dir=${profileDir}`, ...args], { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    );
  });
}

export interface CdpPage {
  /** Evaluates an expression in the page; resolves with its (JSON) value. */
  evaluate<T>(expression: string): Promise<T>;
  /** Polls `expression` every 250 ms until it is truthy; rejects after `timeoutMs` with `what`. */
  waitFor(expression: string, what: string, timeoutMs: number): Promise<void>;
  /** A PNG of the viewport. */
  screenshot(): Promise<Buffer>;
  close(): Promise<void>;
}

interface CdpReply {
  id?: number;
  result?: Record<string, unknown>;
  error?: { message: string };
}

/** Opens `url` in a fresh headless Chromium (viewport width × height) driven over the DevTools pipe. */
export async function openPage(bin: string, url: string, width: number, height: number): Promise<CdpPage> {
  const profile = mkdtempSync(join(tmpdir(), 'chromium-cdp-'));
  const child = spawn(bin, [...BASE_FLAGS, `--user-data-dir=${profile}`, '--remote-debugging-pipe', `--window-size=${width},${height}`], {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'],
  });
  const toBrowser = child.stdio[3] as Writable;
  const fromBrowser = child.stdio[4] as Readable;
  const pending = new Map<number, { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let buffered = '';
  fromBrowser.setEncoding('utf8');
  fromBrowser.on('data', (chunk: string) => {
    buffered += chunk;
    let end: number;
    while ((end = buffered.indexOf('\0')) >= 0) {
      const reply = JSON.parse(buffered.slice(0, end)) as CdpReply;
      buffered = buffered.slice(end + 1);
      const waiter = reply.id === undefined ? undefined : pending.get(reply.id);
      if (!waiter) continue; // an event
      pending.delete(reply.id!);
      if (reply.error) waiter.reject(new Error(reply.error.message));
      else waiter.resolve(reply.result ?? {});
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => {
    for (const w of pending.values()) w.reject(new Error('chromium exited'));
    pending.clear();
  });
  const send = (method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      toBrowser.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });

  const { targetId } = (await send('Target.createTarget', { url: 'about:blank' })) as { targetId: string };
  const { sessionId } = (await send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
  await send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false }, sessionId);
  await send('Page.navigate', { url }, sessionId);

  const evaluate = async <T>(expression: string): Promise<T> => {
    const r = (await send('Runtime.evaluate', { expression, returnByValue: true }, sessionId)) as { result?: { value?: T }; exceptionDetails?: unknown };
    if (r.exceptionDetails) throw new Error(`page: ${JSON.stringify(r.exceptionDetails)}`);
    return r.result?.value as T;
  };
  return {
    evaluate,
    async waitFor(expression, what, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (await evaluate<boolean>(`Boolean(${expression})`).catch(() => false)) return;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    async screenshot() {
      const { data } = (await send('Page.captureScreenshot', { format: 'png' }, sessionId)) as { data: string };
      return Buffer.from(data, 'base64');
    },
    async close() {
      await send('Browser.close').catch(() => undefined);
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
