import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const doubles = (file: string): string => fileURLToPath(new URL(`./test/doubles/${file}`, import.meta.url));

/**
 * Test files that drive a real k6 (when one is found) and measure time: they must not share
 * the CPU with the rest of the suite (a 150 ms TTFE measured to 10 ms does not survive two
 * busy cores). They form the `e2e` project, which runs after the `unit` project has finished
 * (sequence.groupOrder) and one file at a time (fileParallelism: false).
 */
export const E2E_FILES = ['test/e2e/**/*.test.ts', '**/*.e2e.test.ts', 'test/observability/execution-segment.test.ts'];
const ALL_FILES = ['lib/**/*.test.ts', 'test/**/*.test.ts', 'mock/**/*.test.ts', 'cli/**/*.test.ts', 'perf/**/*.test.ts'];

// k6's modules exist only inside k6. Under vitest every `k6*` import (from lib/,
// scenarios/ or the bundled build/*.js) resolves to a small, recording double that
// follows docs/xk6-sse-behaviour.md. Anchored regexes: 'k6' must not swallow 'k6/metrics'.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^k6$/, replacement: doubles('k6.ts') },
      { find: /^k6\/metrics$/, replacement: doubles('k6-metrics.ts') },
      { find: /^k6\/data$/, replacement: doubles('k6-data.ts') },
      { find: /^k6\/execution$/, replacement: doubles('k6-execution.ts') },
      { find: /^k6\/encoding$/, replacement: doubles('k6-encoding.ts') },
      { find: /^k6\/x\/sse$/, replacement: doubles('k6-x-sse.ts') },
    ],
  },
  test: {
    pool: 'forks', // servers, globals (__ENV, __VU) and fake clocks stay inside one test file's process
    testTimeout: 20_000,
    hookTimeout: 20_000,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ALL_FILES, exclude: ['**/node_modules/**', ...E2E_FILES], sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'e2e', include: E2E_FILES, exclude: ['**/node_modules/**'], fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
