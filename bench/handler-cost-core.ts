/**
 * What bench/handler-cost.ts bundles (as esbuild.mjs bundles the k6 scripts) and replays:
 * the suite's own per-event code, nothing of the bench. Types come from here; the bench loads
 * the bundled copy.
 */
export { loadConfig } from '../lib/config.ts';
export { createTarget } from '../lib/targets.ts';
export { createStreamTracker, NO_SETTINGS } from '../lib/stream-tracker.ts';
export { createBareHandler } from '../lib/bare-reference.ts';
