/** Types of esbuild-lazy.mjs (the build's plugin, plain JavaScript so esbuild.mjs can import it without a loader). */
import type { Plugin } from 'esbuild';

/** `import load from './module.ts?lazy'`: the module bundled on its own, evaluated when `load()` is called. */
export function lazyModules(): Plugin;
