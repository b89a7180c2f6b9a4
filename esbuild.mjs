// Bundles each scenarios/*.ts into build/*.js, a script k6 v1.3 (Sobek) can run.
// Usage: node esbuild.mjs [--watch] [--sourcemap]
import * as esbuild from 'esbuild';
import { readdirSync } from 'node:fs';
import { lazyModules } from './esbuild-lazy.mjs';

const entryPoints = readdirSync('scenarios')
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => `scenarios/${f}`);

const sourcemap = process.argv.includes('--sourcemap');

/** @type {import('esbuild').BuildOptions} */
const options = {
  entryPoints,
  outdir: 'build', // one build/<name>.js per scenarios/<name>.ts: `k6 run build/sse.js`
  bundle: true, // k6 cannot resolve node_modules or TypeScript: everything of ours goes in one file
  format: 'esm', // k6 loads ES modules natively; ESM keeps `export const options` visible to k6
  platform: 'neutral', // neither Node nor a browser: no Node built-ins, no browser shims
  target: 'es2020', // the syntax level the reference says Sobek in k6 v1.3 accepts
  mainFields: ['module', 'main'], // platform neutral has no default main fields
  external: ['k6', 'k6/*'], // k6's own modules (and extensions such as k6/x/sse) are resolved by k6 at run time
  plugins: [lazyModules()], // `import load from './x.ts?lazy'`: init-only and report code is not built per VU (esbuild-lazy.mjs)
  // Off by default: k6 keeps an inline map per VU (~50 kB each: 25 MB at 500 VUs, measured). `--sourcemap`
  // inlines one for debugging; without it stack traces name build/*.js lines, each under a `// lib/<file>.ts` marker.
  sourcemap: sourcemap ? 'inline' : false,
  sourcesContent: sourcemap, // with --sourcemap, the map shows the TypeScript source itself
  minify: false, // readable output: users read build/*.js when a run misbehaves
  legalComments: 'none', // no license banners in the script k6 parses on every VU start
  logLevel: 'info', // say what was built
};

if (process.argv.includes('--watch')) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
  console.log('watching scenarios/ and lib/ for changes…');
} else {
  await esbuild.build(options);
}
