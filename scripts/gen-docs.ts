/**
 * Rewrites the generated tables in README.md (or the file given) from their
 * definitions: ENV_VARS → between `<!-- env-table:start -->` and
 * `<!-- env-table:end -->`, METRICS → between `<!-- metric-table:start -->` and
 * `<!-- metric-table:end -->`, THRESHOLD_SETS → `threshold-table`.
 *
 * Usage: npx tsx scripts/gen-docs.ts [FILE]   (default: README.md at the repository root)
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { updateDocBlocks } from '../lib/docs-tables';

const file = process.argv[2] ?? fileURLToPath(new URL('../README.md', import.meta.url));
try {
  const before = readFileSync(file, 'utf8');
  const after = updateDocBlocks(before);
  if (after === before) {
    console.log(`${file}: tables already up to date`);
  } else {
    writeFileSync(file, after);
    console.log(`${file}: tables updated`);
  }
} catch (error) {
  console.error(`gen-docs: ${file}: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
