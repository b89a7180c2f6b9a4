/**
 * Loads a bundled k6 script (build/*.js) in Node as k6 would run it, one VU at a time,
 * on the doubles in test/doubles (aliased by vitest.config.ts), with a virtual clock.
 *
 *   const run = startRun();                       // new test run: samples, metrics, clock
 *                                                 // (startRun({ throw: true }) = k6 --throw)
 *   setServer((req) => ({ kind: 'response', chunks: [...] }));
 *   const vu = await run.loadVu({ env: { TARGET: 'dify-workflow' } });
 *   vu.run('stream');                             // one iteration of scenario `stream`
 *   run.samples('sse_ttfe')                       // every recorded sample
 *
 * Each VU is a fresh module instance (vi.resetModules + re-import), so module state is
 * per VU as in k6. As in k6, the first loadVu of a run first evaluates the script in an instance
 * of its own with `__VU === 0` (the one k6 reads `options` from; its init error is the run's),
 * and handleSummary runs in another such instance (`run.handleSummary`). While the script runs (init and iterations), `open()` exists only in
 * init, `__ENV`/`__VU`/`__ITER` are set, and globals k6 lacks (performance, TextEncoder,
 * TextDecoder, structuredClone, fetch) are removed from globalThis.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { vi } from 'vitest';
import type { Chunk as BodyChunk } from './doubles/k6-x-sse.ts';
import encodingDouble from './doubles/k6-encoding.ts';
import * as k6Double from './doubles/k6.ts';
import httpDouble from './doubles/k6-http.ts';
import { resetRuntime, runtime, type Sample } from './doubles/runtime.ts';

/** The k6 modules `require()` returns in the init context (the doubles of those build/sse.js requires). */
const REQUIRABLE: Readonly<Record<string, unknown>> = { 'k6/encoding': encodingDouble, k6: k6Double, 'k6/http': httpDouble };

export { setServer, requests, type ServerScript, type SseRequest, type Chunk } from './doubles/k6-x-sse.ts';
export { setHttpHandler, httpRequests, type HttpRequest, type HttpAnswer } from './doubles/k6-http.ts';
export type { Sample } from './doubles/runtime.ts';

export const ROOT = resolve(import.meta.dirname, '..');

/** Globals the k6 runtime (Sobek) does not have. */
const ABSENT_GLOBALS = ['performance', 'TextEncoder', 'TextDecoder', 'structuredClone', 'fetch'] as const;

/** Virtual time at which every run starts (ms since the epoch; 2026-01-01T00:00:00Z). */
export const T0 = Date.UTC(2026, 0, 1);

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (/\.(ts|json|mjs)$/.test(entry.name) && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function isStale(script: string): boolean {
  if (!existsSync(script)) return true;
  const sources = Math.max(
    newestMtime(join(ROOT, 'scenarios')),
    newestMtime(join(ROOT, 'lib')),
    existsSync(join(ROOT, 'thresholds')) ? newestMtime(join(ROOT, 'thresholds')) : 0,
    statSync(join(ROOT, 'esbuild.mjs')).mtimeMs,
  );
  return statSync(script).mtimeMs < sources;
}

/** Builds build/*.js with `node esbuild.mjs` when missing or older than its sources (one builder at a time). */
export function ensureBuilt(name = 'sse'): string {
  const script = join(ROOT, 'build', `${name}.js`);
  if (!isStale(script)) return script;
  const lock = join(ROOT, 'build', '.building');
  mkdirSync(join(ROOT, 'build'), { recursive: true });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) break; // a stale lock: build anyway
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  try {
    if (isStale(script)) execFileSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'pipe' });
  } finally {
    try {
      rmdirSync(lock);
    } catch {
      // already gone
    }
  }
  return script;
}

type ScriptModule = Record<string, unknown> & { options?: { tags?: Record<string, string>; scenarios?: Record<string, { exec?: string }> } };

interface K6Globals {
  __ENV?: Record<string, string>;
  __VU?: number;
  __ITER?: number;
  open?: (path: string, mode?: string) => string;
  require?: (id: string) => unknown;
}

/** Removes the globals k6 lacks from globalThis; returns the function that puts them back. */
function removeAbsentGlobals(): () => void {
  const g = globalThis as Record<string, unknown>;
  const saved = new Map<string, PropertyDescriptor>();
  for (const name of ABSENT_GLOBALS) {
    const d = Object.getOwnPropertyDescriptor(g, name);
    if (d) {
      saved.set(name, d);
      delete g[name];
    }
  }
  return () => {
    for (const [name, d] of saved) Object.defineProperty(g, name, d);
  };
}

/** Runs `fn` with the globals k6 lacks removed from globalThis (restored afterwards). */
export async function withoutNodeGlobals<T>(fn: () => T | Promise<T>): Promise<T> {
  const restore = removeAbsentGlobals();
  try {
    return await fn();
  } finally {
    restore();
  }
}

function withoutNodeGlobalsSync<T>(fn: () => T): T {
  const restore = removeAbsentGlobals();
  try {
    return fn();
  } finally {
    restore();
  }
}

export interface LoadOptions {
  /** `__ENV` (k6 `-e` / environment). */
  readonly env?: Readonly<Record<string, string>>;
  /** Files `open()` can read, by the exact path the script asks for. */
  readonly files?: Readonly<Record<string, string>>;
  /** The bundle's name in build/ (default `sse`). */
  readonly script?: string;
}

export class Vu {
  private readonly iterations = new Map<string, number>();
  /** k6's `__ITER`: this VU's iterations over every scenario. */
  private vuIterations = 0;

  constructor(
    private readonly run: Run,
    readonly id: number,
    readonly module: ScriptModule,
  ) {}

  /** The options k6 uses: those of the run's `__VU === 0` instance (a VU's own export is not read). */
  get options(): ScriptModule['options'] {
    return this.run.options;
  }

  /** Runs `count` iterations of a scenario (its `exec` function; `default` for the default export). */
  iterate(scenario = 'default', count = 1): void {
    const execName = this.options?.scenarios?.[scenario]?.exec ?? 'default';
    const fn = this.module[execName];
    if (typeof fn !== 'function') throw new Error(`script has no exported function ${execName} for scenario ${scenario}`);
    for (let i = 0; i < count; i++) {
      const rt = runtime();
      const iter = this.iterations.get(scenario) ?? 0;
      this.iterations.set(scenario, iter + 1);
      rt.phase = 'vu';
      rt.vu = this.id;
      rt.scenario = scenario;
      rt.iterationInScenario = iter;
      rt.iterationInTest = this.run.nextIteration(scenario);
      rt.testTags = this.options?.tags ?? {};
      const g = globalThis as K6Globals;
      g.__VU = this.id;
      g.__ITER = this.vuIterations++; // as k6: the VU's iteration count over every scenario it ran (exec.vu.iterationInScenario is per scenario)
      withoutNodeGlobalsSync(() => (fn as () => void)());
    }
  }
}

export class Run {
  private readonly iterationsInTest = new Map<string, number>();
  private vus = 0;
  /** The `__VU === 0` instance k6 reads options from: evaluated by the first loadVu. */
  private optionsInstance: ScriptModule | null = null;

  nextIteration(scenario: string): number {
    const n = this.iterationsInTest.get(scenario) ?? 0;
    this.iterationsInTest.set(scenario, n + 1);
    return n;
  }

  /** The script's options as k6 reads them (from the `__VU === 0` instance); undefined before the first loadVu. */
  get options(): ScriptModule['options'] {
    return this.optionsInstance?.options;
  }

  /** Evaluates the bundle's init context in a fresh module instance as VU `id` (0: one of k6's own instances). */
  private async instantiate(id: number, options: LoadOptions): Promise<ScriptModule> {
    const script = ensureBuilt(options.script ?? 'sse');
    const rt = runtime();
    rt.phase = 'init';
    rt.vu = id;
    const g = globalThis as K6Globals;
    g.__ENV = { ...(options.env ?? {}) };
    g.__VU = id;
    g.__ITER = 0;
    const files = options.files ?? {};
    // k6's `require` of built-in modules, like `open` only in the init context (build/sse.js loads
    // k6/encoding this way, and only with DATA_BYTES=true; k6/http only with CANCEL_RATE and a Dify target).
    g.require = (id: string) => {
      if (runtime().phase !== 'init') throw new Error('the "require" function is only available in the init stage');
      const module = REQUIRABLE[id];
      if (module === undefined) throw new Error(`unknown module: ${id}`);
      return module;
    };
    g.open = (path: string) => {
      if (runtime().phase !== 'init') throw new Error('The "open()" function is only available in the init stage');
      const content = files[path];
      if (content === undefined) throw new Error(`open ${path}: no such file or directory`);
      return content;
    };
    vi.resetModules();
    try {
      return (await withoutNodeGlobals(() => import(pathToFileURL(script).href))) as ScriptModule;
    } finally {
      rt.phase = 'vu';
    }
  }

  /**
   * Initialises one more VU: a fresh module instance of the bundle. The first call first
   * evaluates the `__VU === 0` instance k6 reads options from. Rejects with the script's init error.
   */
  async loadVu(options: LoadOptions = {}): Promise<Vu> {
    this.optionsInstance ??= await this.instantiate(0, options);
    const id = ++this.vus;
    return new Vu(this, id, await this.instantiate(id, options));
  }

  /** k6's end of test: handleSummary in an instance of its own (`__VU === 0`), as k6 runs it. */
  async handleSummary(data: unknown, options: LoadOptions = {}): Promise<Record<string, string>> {
    const module = await this.instantiate(0, options);
    const fn = module['handleSummary'];
    if (typeof fn !== 'function') throw new Error('script exports no handleSummary');
    const rt = runtime();
    rt.vu = 0;
    (globalThis as K6Globals).__VU = 0;
    return withoutNodeGlobalsSync(() => (fn as (d: unknown) => Record<string, string>)(data));
  }

  /** Recorded samples, optionally of one metric and matching some tags. */
  samples(metric?: string, tags?: Readonly<Record<string, string>>): Sample[] {
    return runtime().samples.filter(
      (s) => (metric === undefined || s.metric === metric) && (tags === undefined || Object.entries(tags).every(([k, v]) => s.tags[k] === v)),
    );
  }

  /** The suite's samples by metric name, values in recording order (`sse_event` and `http_*` left out). */
  suiteValues(): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const s of runtime().samples) {
      if (s.metric === 'sse_event' || s.metric.startsWith('http_')) continue;
      (out[s.metric] ??= []).push(s.value);
    }
    return out;
  }

  values(metric: string, tags?: Readonly<Record<string, string>>): number[] {
    return this.samples(metric, tags).map((s) => s.value);
  }

  sum(metric: string, tags?: Readonly<Record<string, string>>): number {
    return this.values(metric, tags).reduce((a, b) => a + b, 0);
  }

  /** Moves the virtual clock (k6 time between iterations). */
  advance(ms: number): void {
    runtime().setTime(Date.now() + ms);
  }
}

export interface RunOptions {
  /** k6's `throw` option (`k6 run --throw`, `K6_THROW=true`): `sse.open` throws on a connection failure. */
  readonly throw?: boolean;
}

/** A new simulated test run: fake Date at T0, no samples, no metrics, no shared arrays. */
export function startRun(options: RunOptions = {}): Run {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
  const rt = resetRuntime();
  rt.throwErrors = options.throw ?? false;
  const now = Date.now.bind(Date); // the fake clock's own reader, kept for the doubles (runtime.ts `now`)
  rt.now = now;
  rt.setTime = (ms: number) => {
    if (ms < now()) throw new Error(`virtual clock would go back: ${ms} < ${now()}`);
    vi.setSystemTime(ms);
  };
  return new Run();
}

/** Ends the run: real timers again, k6 globals removed. */
export function endRun(): void {
  vi.useRealTimers();
  const g = globalThis as K6Globals;
  delete g.__ENV;
  delete g.__VU;
  delete g.__ITER;
  delete g.open;
  delete g.require;
}

// ---- recorded streams (test/fixtures/*.sse) ------------------------------------------

export function readFixture(name: string): string {
  return readFileSync(join(ROOT, 'test', 'fixtures', name), 'utf8');
}

/** Splits an SSE text into blocks, each ending with its blank line. */
export function splitBlocks(text: string): string[] {
  const out: string[] = [];
  const re = /[\s\S]*?(?:\r?\n)\r?\n/g;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(text)) !== null) {
    out.push(m[0]);
    end = re.lastIndex;
  }
  if (end < text.length) out.push(text.slice(end));
  return out;
}

/** One chunk per block: the first at `firstAt` ms, then every `step` ms (or at the given times). */
export function timedBlocks(blocks: readonly string[], times: readonly number[] | { readonly firstAt: number; readonly step: number }): BodyChunk[] {
  const at = (i: number): number => ('firstAt' in times ? times.firstAt + i * times.step : (times[i] as number));
  return blocks.map((text, i) => ({ text, at: at(i) }));
}

/** The events of an SSE text per the spec (eventsource-parser): an independent oracle. */
export function specEvents(text: string): EventSourceMessage[] {
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (e) => events.push(e) });
  parser.feed(text);
  return events;
}
