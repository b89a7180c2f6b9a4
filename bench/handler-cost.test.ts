/** The handler benchmark still runs (tiny input; its figures are not asserted: timing belongs to the bench). */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { expect, test } from 'vitest';

test('bench/handler-cost.ts prints ns/event for every handler', () => {
  const root = resolve(import.meta.dirname, '..');
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'bench/handler-cost.ts', '--events', '2000', '--rounds', '1'], { cwd: root, encoding: 'utf8', timeout: 30_000 });
  for (const name of ['bare', 'stream', 'stream-nogap', 'stream-nobytes', 'burst']) expect(out).toMatch(new RegExp(`^  ${name} +\\d+ ns/event`, 'm'));
});
