/**
 * What perf/handler-cost.ts bundles (as esbuild.mjs bundles the k6 scripts) and replays:
 * the suite's own per-event code, nothing of the bench. Types come from here; the bench loads
 * the bundled copy.
 */
export { loadConfig } from '../lib/init/config.ts';
export { createTarget } from '../lib/vu/targets.ts';
export { createStreamTracker, NO_SETTINGS } from '../lib/vu/stream-tracker.ts';
export { createBareHandler } from '../lib/vu/bare-reference.ts';
