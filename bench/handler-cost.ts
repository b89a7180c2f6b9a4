/**
 * Per-event cost of the suite's event handlers, in Node (V8), on the BUNDLED core
 * (lib/ bundled by esbuild with the k6 build's target, no k6 doubles): a replayed
 * Dify workflow stream of 100,000 text_chunk events (a ping every 1,000, 5 % non-ASCII
 * chunks) fed through
 *   - bare:        `JSON.parse(data)` per event (what build/bare.js does),
 *   - stream:      the `stream` scenario's tracker (parse once, bytes, gaps, tokens),
 *   - stream-nogap: the same without the per-event `sse_inter_event_time` sample,
 *   - stream-nobytes: the same without `sse_data_bytes` counting (the UTF-8 scan),
 *   - burst:       the `burst` scenario's tracker (type sniff, count, terminal only).
 * Each handler call includes its `Date.now()`, as in lib/sse-session.ts. The sink stores
 * samples in an array (a lower bound for k6's Trend.add, which also allocates a sample and
 * sends it to the metrics engine). Bounded: a few rounds, a few seconds in all.
 *
 *   npx tsx bench/handler-cost.ts [--events N] [--rounds R]
 *
 * V8 is not Sobek: absolute numbers differ in k6 (an interpreter, ~10–50× slower);
 * the ratios between handlers are what this measures. bench/client-bench.ts measures k6.
 */
import * as esbuild from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SseEvent } from 'k6/x/sse';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${name}: expected a positive integer`);
  return v;
}

const EVENTS = arg('--events', 100_000);
const ROUNDS = arg('--rounds', 5);
/** Stop after this long (at least one measured round): the bench stays bounded on a busy machine. */
const BUDGET_MS = 5_000;
const ROOT = resolve(import.meta.dirname, '..');

/** The core as k6 gets it: bundled with the same target as esbuild.mjs. */
async function loadBundledCore(): Promise<{ dir: string; core: typeof import('./handler-cost-core.ts') }> {
  const dir = mkdtempSync(join(tmpdir(), 'sse-bench-handler-cost-'));
  const out = join(dir, 'core.mjs');
  await esbuild.build({
    entryPoints: [join(ROOT, 'bench', 'handler-cost-core.ts')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2020',
    outfile: out,
    logLevel: 'silent',
  });
  return { dir, core: (await import(pathToFileURL(out).href)) as typeof import('./handler-cost-core.ts') };
}

function difyStream(n: number): SseEvent[] {
  const run = '9c5e3d1a-6b2f-4f7e-8a51-0d2c7b9e4f13';
  const task = '3f0b7c2e-1d4a-4e8b-9c6f-5a2d8e7b1c40';
  const ev = (event: string, data: unknown): SseEvent => ({ id: '', name: '', comment: '', data: JSON.stringify({ event, workflow_run_id: run, task_id: task, data }).replace(/","/g, '", "').replace(/":/g, '": ') });
  const out: SseEvent[] = [ev('workflow_started', { id: run, workflow_id: 'wf', inputs: { question: 'q' }, created_at: 1767225600 })];
  out.push(ev('node_started', { id: 'n1', node_id: 'llm', node_type: 'llm', title: 'LLM', index: 1, created_at: 1767225600 }));
  for (let i = 0; i < n; i++) {
    if (i % 1000 === 999) out.push({ id: '', name: 'ping', data: '', comment: '' });
    out.push(ev('text_chunk', { text: i % 20 === 0 ? ' 机器学习' : ` token${i % 97}`, from_variable_selector: ['llm', 'text'] }));
  }
  out.push(ev('node_finished', { id: 'n1', node_id: 'llm', node_type: 'llm', status: 'succeeded', elapsed_time: 1.5, outputs: { usage: { completion_tokens: n } } }));
  out.push(ev('workflow_finished', { id: run, status: 'succeeded', elapsed_time: 2.5, total_tokens: n }));
  return out;
}

/** The best round: interference (other processes, GC of earlier rounds) only ever adds time. */
function best(xs: number[]): number {
  return Math.min(...xs);
}

async function main(): Promise<void> {
  const { dir, core } = await loadBundledCore();
  try {
    const stream = difyStream(EVENTS);
    const ok = { status: 200, error: '', headers: { 'Content-Type': 'text/event-stream' } };
    const samples: number[] = [];
    const sink = {
      add(_k: string, v: number): void {
        samples.push(v);
      },
    };
    const target = core.createTarget(core.loadConfig({ TARGET: 'dify-workflow' }));
    /** A tracker fed like lib/sse-session.ts does: one Date.now() per event. */
    const replay = (mode: typeof target.stream) => {
      const t = new core.StreamTracker(mode, sink);
      return (events: readonly SseEvent[]): void => {
        t.begin(Date.now());
        t.headers(Date.now());
        for (const e of events) t.event(Date.now(), e);
        t.finish(ok);
      };
    };
    const handlers: Record<string, (events: readonly SseEvent[]) => void> = {
      bare: (events) => {
        for (const e of events) {
          const d = e.data;
          if (d === '') continue;
          try {
            JSON.parse(d);
          } catch {
            // as build/bare.js
          }
        }
      },
      stream: replay(target.stream),
      'stream-nogap': replay({ ...target.stream, perEventGaps: false }),
      'stream-nobytes': replay({ ...target.stream, countBytes: false }),
      burst: replay(target.burst),
    };
    const times: Record<string, number[]> = {};
    const budgetEnd = Date.now() + BUDGET_MS;
    for (let r = 0; r < ROUNDS + 1 && (r < 2 || Date.now() < budgetEnd); r++) {
      for (const [name, fn] of Object.entries(handlers)) {
        samples.length = 0;
        const c0 = process.cpuUsage();
        fn(stream);
        const c = process.cpuUsage(c0);
        const ns = ((c.user + c.system) * 1000) / stream.length; // CPU time: less disturbed by a busy machine than wall time
        if (r > 0) (times[name] ??= []).push(ns); // round 0 warms up
      }
    }
    const bare = best(times['bare'] ?? [1]);
    console.log(`handler cost per event (node ${process.version}, ${stream.length} events, best of ${times['bare']?.length ?? 0} rounds, CPU time)`);
    for (const [name, xs] of Object.entries(times)) {
      const m = best(xs);
      console.log(`  ${name.padEnd(15)} ${m.toFixed(0).padStart(6)} ns/event   ${(m / bare).toFixed(2)}× bare`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
