/** The loader of a `?lazy` import (esbuild-lazy.mjs), typed: `(load as Lazy<typeof import('./m.ts')>)()`. */
export type Lazy<T> = () => T;
