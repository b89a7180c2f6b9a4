/**
 * Reading k6's web dashboard from the outside, for the real-k6 tests:
 * - `readDashboardEvents`: its `/events` SSE stream (first `config`, then `param`, `start`,
 *   `metric`, `snapshot`, `cumulative` …), parsed by eventsource-parser, until a condition
 *   holds; the connection is then closed (k6 waits at the end while a client keeps it open);
 * - `exportedEvents`: the events embedded in its HTML export (K6_WEB_DASHBOARD_EXPORT): a
 *   `<script id="data">` holding gzipped, base64-encoded NDJSON envelopes `{event, data}`.
 */
import { gunzipSync } from 'node:zlib';
import { createParser } from 'eventsource-parser';

export interface DashboardEvent {
  readonly event: string;
  readonly data: unknown;
}

/**
 * Connects to `url` (retrying while nothing listens yet) and collects events until
 * `done(events)` is true; rejects after `timeoutMs` with what it saw.
 */
export async function readDashboardEvents(url: string, done: (events: readonly DashboardEvent[]) => boolean, timeoutMs: number): Promise<DashboardEvent[]> {
  const deadline = Date.now() + timeoutMs;
  const events: DashboardEvent[] = [];
  let lastError = '';
  while (Date.now() < deadline) {
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), Math.max(0, deadline - Date.now()));
    try {
      const res = await fetch(url, { signal: ac.signal, headers: { Accept: 'text/event-stream' } });
      if (res.status !== 200 || !res.body) throw new Error(`HTTP ${res.status}`);
      const parser = createParser({ onEvent: (e) => events.push({ event: e.event ?? 'message', data: JSON.parse(e.data) as unknown }) });
      const decoder = new TextDecoder();
      for await (const chunk of res.body) {
        parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
        if (done(events)) {
          ac.abort();
          return events;
        }
      }
      lastError = 'the stream ended';
    } catch (err) {
      if (done(events)) return events;
      lastError = (err as Error).message;
      if (events.length > 0) break; // connected and then failed: do not start over
      await new Promise((r) => setTimeout(r, 250));
    } finally {
      clearTimeout(timer);
      ac.abort();
    }
  }
  throw new Error(`dashboard events at ${url}: condition not met within ${timeoutMs} ms (${lastError}); got ${events.map((e) => e.event).join(', ') || 'nothing'}`);
}

/** Names of the metrics announced by `metric` events (sub-metrics as `name{tag:value}`). */
export function announcedMetrics(events: readonly DashboardEvent[]): Set<string> {
  const names = new Set<string>();
  for (const e of events) if (e.event === 'metric' && typeof e.data === 'object' && e.data !== null) for (const name of Object.keys(e.data)) names.add(name);
  return names;
}

const DATA_SCRIPT = /<script id="data" type="application\/json; charset=utf-8; gzip; base64">([^<]*)<\/script>/;

/** The events embedded in the dashboard's HTML export, in order. */
export function exportedEvents(html: string): DashboardEvent[] {
  const m = DATA_SCRIPT.exec(html);
  if (!m) throw new Error('no <script id="data" …gzip; base64> in the export');
  const ndjson = gunzipSync(Buffer.from(m[1]!.trim(), 'base64')).toString('utf8');
  return ndjson
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const envelope = JSON.parse(l) as { event?: string; name?: string; data?: unknown };
      return { event: envelope.event ?? envelope.name ?? '', data: envelope.data };
    });
}
