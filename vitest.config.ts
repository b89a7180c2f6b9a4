import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const doubles = (file: string): string => fileURLToPath(new URL(`./test/doubles/${file}`, import.meta.url));

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
    include: ['lib/**/*.test.ts', 'test/**/*.test.ts', 'mock/**/*.test.ts', 'cli/**/*.test.ts', 'bench/**/*.test.ts'],
    pool: 'forks', // servers, globals (__ENV, __VU) and fake clocks stay inside one test file's process
    testTimeout: 20_000,
    hookTimeout: 20_000,
    reporters: ['default'],
  },
});
