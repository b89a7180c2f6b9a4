/**
 * One measuring process of perf/handler-cost.ts (started twice by it: with V8's JIT and with
 * `--jitless`). Replays recorded streams through each handler of the BUNDLED core and prints
 * the best CPU time per event of each (JSON on stdout). Bounded by a time budget.
 *
 *   node [--jitless] --import tsx perf/handler-cost-run.ts <core.mjs> <streams.json> <budget-ms> <events-per-round>
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { SseEvent } from 'k6/x/sse';
import type { HandlerCostResult, RecordedStream } from './handler-cost-streams.ts';

type Core = typeof import('./handler-cost-core.ts');

const [corePath, streamsPath, budgetArg, perRoundArg] = process.argv.slice(2);
if (corePath === undefined || streamsPath === undefined || budgetArg === undefined || perRoundArg === undefined) {
  throw new Error('usage: handler-cost-run.ts <core.mjs> <streams.json> <budget-ms> <events-per-round>');
}
const core = (await import(pathToFileURL(corePath).href)) as Core;
const streams = JSON.parse(readFileSync(streamsPath, 'utf8')) as RecordedStream[];
const budgetMs = Number(budgetArg);

const OK = { status: 200, error: '', headers: { 'Content-Type': 'text/event-stream' } };
/** Events replayed per handler and round: enough that a round takes tens of milliseconds. */
const EVENTS_PER_ROUND = Number(perRoundArg);

type Replay = (events: readonly SseEvent[]) => void;

function handlers(stream: RecordedStream): Record<string, Replay> {
  const samples: number[] = [];
  const sink = {
    add(_metric: string, value: number): void {
      samples.push(value); // per stream (and per event with INTER_EVENT_SAMPLES): an array, far cheaper than k6's Trend.add
      if (samples.length > 10_000) samples.length = 0;
    },
  };
  const target = (env: Record<string, string>) => core.createTarget(core.loadConfig({ TARGET: stream.target, ...env }));
  const tracker = (mode: ReturnType<ReturnType<typeof target>['mode']>, gapSamples = false): Replay => {
    const t = core.createStreamTracker(mode, { ...core.NO_SETTINGS, gapSamples }, sink);
    const client = { on: () => undefined, close: () => undefined };
    return (events) => {
      t.begin();
      t.setup(client);
      for (const e of events) t.onEvent(e);
      t.finish(OK);
    };
  };
  const bare = core.createBareHandler((ms) => sink.add('ttfe', ms));
  return {
    bare: (events) => {
      bare.begin();
      for (const e of events) bare.onEvent(e);
    },
    stream: tracker(target({}).mode('stream', sink)),
    'stream, JSON_CHECK=structural': tracker(target({ JSON_CHECK: 'structural' }).mode('stream', sink)),
    'stream, INTER_EVENT_SAMPLES': tracker(target({}).mode('stream', sink), true),
    burst: tracker(target({}).mode('burst', sink)),
  };
}

function cpuNs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) * 1000;
}

const results: HandlerCostResult[] = [];
const perStreamMs = budgetMs / streams.length;
for (const stream of streams) {
  const events = stream.events as SseEvent[];
  const replays = Math.max(1, Math.round(EVENTS_PER_ROUND / events.length));
  const hs = handlers(stream);
  const best: Record<string, number> = {};
  const streamDeadline = Date.now() + perStreamMs;
  // Round 0 warms up; then at least 3 measured rounds, more while this stream's budget lasts (at most 7).
  for (let round = 0; round < 8 && (round < 4 || Date.now() < streamDeadline); round++) {
    for (const [name, replay] of Object.entries(hs)) {
      const c0 = cpuNs();
      for (let r = 0; r < replays; r++) replay(events);
      const ns = (cpuNs() - c0) / (replays * events.length);
      if (round > 0) best[name] = Math.min(best[name] ?? Infinity, ns); // the best round: interference only adds time
    }
  }
  for (const [handler, nsPerEvent] of Object.entries(best)) results.push({ stream: stream.name, handler, nsPerEvent });
}
process.stdout.write(JSON.stringify(results));
