/**
 * `build/bare.js`: the reference `npm run perf:client` compares `build/sse.js` against — the
 * least any SSE script does. It opens the same stream as sse.js (the request, built in Node by
 * lib/vu/targets.ts from the same settings, arrives as BARE_REQUEST) and per event only reads
 * `data` and `JSON.parse`s it, plus one `sse_ttfe` sample per stream so both scripts report a
 * TTFE. It imports nothing else of the suite: its per-VU memory is the floor sse.js is held to.
 * No thresholds, no handleSummary. Run by `npm run perf:client` (perf/bare-request.ts builds the request).
 */
import { Trend } from 'k6/metrics';
import sse, { type Client, type Params } from 'k6/x/sse';
import { BARE_REQUEST_VAR, createBareHandler } from '../lib/vu/bare-reference.ts';

const raw = __ENV[BARE_REQUEST_VAR];
if (raw === undefined || raw === '') {
  throw new Error(`${BARE_REQUEST_VAR} is not set: it holds the request as JSON {"url", "params"}; run build/bare.js through npm run perf:client, which sets it`);
}
const request = JSON.parse(raw) as { url: string; params: Params };
const ttfe = new Trend('sse_ttfe', true);
export const options = {};

const handler = createBareHandler((ms) => ttfe.add(ms));

function setup(client: Client): void {
  client.on('event', handler.onEvent);
  client.on('error', () => client.close()); // a read error would otherwise block the VU forever
}

export default function bare(): void {
  handler.begin();
  sse.open(request.url, request.params, setup);
}
