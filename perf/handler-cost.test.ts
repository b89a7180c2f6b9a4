/** The handler benchmark still runs end to end (tiny input, small budget); its figures are not asserted: timing belongs to the bench. */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { expect, test } from 'vitest';

test('perf/handler-cost.ts prints both columns for every handler and stream, and the verdict', { timeout: 90_000 }, () => {
  const root = resolve(import.meta.dirname, '..');
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'perf/handler-cost.ts', '--tokens', '20', '--budget-ms', '1000', '--events-per-round', '200'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 80_000,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  for (const stream of ['Dify, ASCII', 'Dify, Chinese', 'OpenAI, ASCII', 'OpenAI, Chinese']) {
    for (const handler of ['bare', 'stream', 'stream, JSON_CHECK=structural', 'stream, INTER_EVENT_SAMPLES', 'burst']) {
      expect(out).toContain(`| ${stream} | ${handler} |`);
    }
  }
  expect(out).toMatch(/^\| Dify, ASCII \| stream \| \d+ \| [\d.]+× \| \d+ \| [\d.]+× \|$/m);
  expect(out).toMatch(/^stream handler, worst of the four streams under --jitless: [\d.]+× bare \(goal ≤ 1\.0×\): (met|MISSED)$/m);
});
