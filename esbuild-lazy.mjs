// `import load from './module.ts?lazy'`: the module, bundled on its own, wrapped in a function that
// evaluates it when called and returns its exports. In k6 every VU evaluates the whole script; a
// module that only the init phase or handleSummary needs costs each VU every function and table it
// defines, for the whole test (function objects and tables are heavy in Sobek). Wrapped, it costs
// one function until called, and — since each call evaluates it afresh and nothing is cached — its
// functions are garbage once the caller drops what it returned. So a lazy module must return plain
// data (no closures of its own to keep), must not import k6 modules (they cannot be required from
// inside the wrapper), and is evaluated once per call: call it once.
import * as esbuild from 'esbuild';
import { dirname, relative, resolve } from 'node:path';

const SUFFIX = '?lazy';

export function lazyModules() {
  return {
    name: 'lazy-modules',
    setup(build) {
      build.onResolve({ filter: /\?lazy$/ }, (args) => {
        const file = resolve(args.resolveDir, args.path.slice(0, -SUFFIX.length));
        // A path relative to the project: it names the module in build/*.js, where absolute paths would leak the build machine's.
        return { path: relative('.', file), namespace: 'lazy', pluginData: { file } };
      });
      build.onLoad({ filter: /.*/, namespace: 'lazy' }, async (args) => {
        const file = args.pluginData.file;
        const inner = await esbuild.build({
          entryPoints: [file],
          bundle: true,
          write: false,
          format: 'cjs', // module.exports inside the wrapper function below
          external: ['k6', 'k6/*'], // left as require() calls, which the check below refuses with a clear message
          platform: 'neutral',
          target: build.initialOptions.target,
          mainFields: ['module', 'main'],
          legalComments: 'none',
          logLevel: 'silent',
          metafile: true, // its inputs: watched by `npm run build -- --watch`
        });
        const code = inner.outputFiles[0].text;
        if (/\brequire\(/.test(code)) {
          return { errors: [{ text: `${file}: a ?lazy module may not import anything outside the bundle (k6 modules): ${code.match(/require\([^)]*\)/)[0]}` }] };
        }
        return {
          contents:
            `// ${args.path}, evaluated on each call of its loader\n` +
            `export default () => {\n  const module = { exports: {} };\n  (function (module, exports) {\n${code}\n  })(module, module.exports);\n  return module.exports;\n};\n`,
          loader: 'js',
          resolveDir: dirname(file),
          watchFiles: Object.keys(inner.metafile.inputs).map((p) => resolve(p)),
        };
      });
    },
  };
}
