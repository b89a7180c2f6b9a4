/**
 * `build/bare.js`: the reference a client benchmark compares `build/sse.js` against.
 * It opens the same stream (same config, request and timeout) and does only what any
 * SSE script must: `JSON.parse` each event's data, plus one `sse_ttfe` sample per stream
 * (request start → first event with data) so both scripts report a TTFE. No other metrics,
 * no thresholds, no handleSummary. Run with `k6 run --vus N --iterations M build/bare.js`.
 */
import sse, { type Client, type SseEvent } from 'k6/x/sse';
import { loadConfig } from '../lib/config.ts';
import { createMetrics } from '../lib/metrics.ts';
import { createTarget } from '../lib/targets.ts';

const config = loadConfig(__ENV);
const target = createTarget(config);
const ttfe = createMetrics().ttfe;
export const options = { tags: { target: config.target } };

let start = 0;
let first = true;

function onEvent(event: SseEvent): void {
  const data = event.data;
  if (data === '') return;
  if (first) {
    first = false;
    ttfe.add(Date.now() - start);
  }
  try {
    JSON.parse(data);
  } catch {
    // `[DONE]` and non-JSON payloads: a bare script ignores them too
  }
}

function setup(client: Client): void {
  client.on('event', onEvent);
  client.on('error', () => client.close()); // a read error would otherwise block the VU forever
}

export default function bare(): void {
  const request = target.request('What is artificial intelligence?', `bare-${__VU}-${__ITER}`);
  first = true;
  start = Date.now();
  sse.open(request.url, request.params, setup);
}
