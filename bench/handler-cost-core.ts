/** The core bench/handler-cost.ts bundles (its types; the bench imports the bundled copy). */
export { loadConfig } from '../lib/config.ts';
export { createTarget } from '../lib/targets.ts';
export { StreamTracker } from '../lib/stream-tracker.ts';
