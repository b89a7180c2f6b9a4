/** The harness itself: k6-like globals and per-VU module instances. */
import { afterEach, expect, test } from 'vitest';
import { endRun, startRun, withoutNodeGlobals } from './k6-harness.ts';

afterEach(endRun);

test('globals k6 lacks are absent while script code runs, and restored after', async () => {
  const seen = await withoutNodeGlobals(() => [typeof performance, typeof TextEncoder, typeof TextDecoder, typeof structuredClone, typeof fetch]);
  expect(seen).toEqual(['undefined', 'undefined', 'undefined', 'undefined', 'undefined']);
  expect(typeof performance).toBe('object');
  expect(typeof TextEncoder).toBe('function');
});

test('open() works in init only; __ENV and __VU are set', async () => {
  const run = startRun();
  await run.loadVu({ env: { TARGET: 'generic' } });
  const g = globalThis as unknown as { open: (p: string) => string; __ENV: Record<string, string>; __VU: number };
  expect(g.__ENV).toEqual({ TARGET: 'generic' });
  expect(g.__VU).toBe(1);
  expect(() => g.open('/x')).toThrow(/only available in the init stage/);
});
