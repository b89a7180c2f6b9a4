/**
 * `npm run bench:vu-memory`: what each script builds per VU and keeps, measured in Node (V8) —
 * a proxy: k6 evaluates the whole script once per VU in its own Sobek runtime, whose objects
 * and functions are several times larger than V8's, so read the counts and the ratios, not the
 * bytes. The k6 figure is `npm run bench:client`'s idle-VU line (real k6 only).
 *
 * Each script is bundled as esbuild.mjs bundles it (with tiny stand-ins for the k6 modules),
 * evaluated N times like N VUs' init code, and what stays reachable is counted: heap bytes after
 * GC, and closures and objects from a heap snapshot. Compared in one run:
 *   - build/bare.js (the reference of bench:client),
 *   - build/sse.js as built (init-only and report code loaded with `?lazy`, esbuild-lazy.mjs),
 *   - build/sse.js with those modules evaluated eagerly (what `?lazy` saves).
 *
 *   npm run bench:vu-memory [-- --vus 200]
 */
import { readFileSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import * as esbuild from 'esbuild';
import { eagerModules, lazyModules } from '../esbuild-lazy.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { vus: { type: 'string', default: '200' }, help: { type: 'boolean', default: false } } });
if (values.help) {
  console.log('npm run bench:vu-memory -- [--vus 200]');
  process.exit(0);
}
const VUS = Number(values.vus);
if (!Number.isInteger(VUS) || VUS < 10 || VUS > 5000) throw new Error(`--vus: expected an integer 10..5000, got ${values.vus}`);

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** k6 modules, reduced to what the scripts' init code touches. A SharedArray is shared, as in k6. */
const K6_STUBS = `
class Metric { constructor(name) { this.name = name; } add() {} }
export class Trend extends Metric {}
export class Counter extends Metric {}
export class Rate extends Metric {}
const shared = new Map();
export class SharedArray { constructor(name, fn) { if (!shared.has(name)) shared.set(name, fn()); return shared.get(name); } }
export const b64encode = (s) => s;
export default { open() { return { status: 0 }; }, b64encode, vu: { idInTest: 1, iterationInScenario: 0 }, scenario: { iterationInTest: 0 } };
`;
const k6Stubs = {
  name: 'k6-stubs',
  setup(build: esbuild.PluginBuild) {
    build.onResolve({ filter: /^k6(\/.*)?$/ }, () => ({ path: 'k6', namespace: 'k6-stub' }));
    build.onLoad({ filter: /.*/, namespace: 'k6-stub' }, () => ({ contents: K6_STUBS, loader: 'js' }));
  },
};

async function instanceFactory(entry: string, plugin: esbuild.Plugin): Promise<() => unknown> {
  const out = await esbuild.build({
    entryPoints: [join(ROOT, entry)],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: '__script',
    platform: 'neutral',
    target: 'es2020',
    mainFields: ['module', 'main'],
    plugins: [plugin, k6Stubs],
    logLevel: 'silent',
  });
  const evaluate = new Function('__ENV', '__VU', 'open', `${out.outputFiles[0]!.text}\nreturn __script;`) as (env: object, vu: number, open: (p: string) => string) => unknown;
  const env = { BARE_REQUEST: JSON.stringify({ url: 'http://127.0.0.1:9/', params: {} }) };
  let vu = 0;
  return () =>
    evaluate(env, ++vu, () => {
      throw new Error('no file'); // the state file setup:dify writes is absent, as on a fresh machine
    });
}

/** Heap-snapshot node counts by type (closure, object, …). */
function nodeCounts(): Map<string, number> {
  gc();
  const file = v8.writeHeapSnapshot();
  const snap = JSON.parse(readFileSync(file, 'utf8')) as { snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }; nodes: number[] };
  unlinkSync(file);
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const typeAt = fields.indexOf('type');
  const counts = new Map<string, number>();
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const t = types[snap.nodes[i + typeAt]!]!;
    counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  return counts;
}

interface Row {
  readonly name: string;
  readonly bytes: number;
  readonly closures: number;
  readonly objects: number;
}

async function measure(name: string, entry: string, plugin: esbuild.Plugin): Promise<Row> {
  const make = await instanceFactory(entry, plugin);
  make(); // the first evaluation compiles: k6 compiles once and shares the program too
  const keep: unknown[] = [];
  gc();
  const before = v8.getHeapStatistics().used_heap_size;
  for (let i = 0; i < VUS; i++) keep.push(make());
  gc();
  const bytes = (v8.getHeapStatistics().used_heap_size - before) / VUS;
  const snapshotVus = Math.min(VUS, 50);
  const a = nodeCounts();
  for (let i = 0; i < snapshotVus; i++) keep.push(make());
  const b = nodeCounts();
  const per = (t: string): number => ((b.get(t) ?? 0) - (a.get(t) ?? 0)) / snapshotVus;
  keep.length = 0;
  return { name, bytes, closures: per('closure'), objects: per('object') };
}

const rows = [
  await measure('build/bare.js', 'scenarios/bare.ts', lazyModules()),
  await measure('build/sse.js (as built: ?lazy)', 'scenarios/sse.ts', lazyModules()),
  await measure('build/sse.js, everything eager', 'scenarios/sse.ts', eagerModules()),
];
const bare = rows[0]!;
console.log(`per-VU memory proxy: ${VUS} evaluations of each script in Node ${process.version} (V8, not Sobek), kept alive; ${new Date().toISOString().slice(0, 10)}\n`);
console.log('| script | heap bytes / VU | above bare | closures / VU | objects / VU |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  console.log(`| ${r.name} | ${r.bytes.toFixed(0)} | ${(r.bytes - bare.bytes).toFixed(0)} | ${r.closures.toFixed(0)} | ${r.objects.toFixed(0)} |`);
}
