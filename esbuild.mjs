// Bundles each scenarios/*.ts into build/*.js, a script k6 v1.3 (Sobek) can run.
// Usage: node esbuild.mjs [--watch]
import * as esbuild from 'esbuild';
import { readdirSync } from 'node:fs';

const entryPoints = readdirSync('scenarios')
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => `scenarios/${f}`);

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
  sourcemap: 'inline', // k6 maps stack traces through inline source maps, so errors name TypeScript lines
  sourcesContent: true, // lets the map show the TypeScript source itself
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
