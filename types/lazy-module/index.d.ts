/**
 * `import load from './module.ts?lazy'` (esbuild-lazy.mjs): a function that evaluates the module
 * when called and returns its exports. Give it the module's type at the call site:
 *   const init = (load as Lazy<typeof import('./module.ts')>)();
 */
declare module '*?lazy' {
  const load: () => unknown;
  export default load;
}
