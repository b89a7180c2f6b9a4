/** runK6's bound on a run (stopAfterMs), with a stand-in k6 that waits for SIGINT like k6 does. */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freeAddress, runK6 } from './k6-run.ts';

const dir = mkdtempSync(join(tmpdir(), 'k6-run-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fakeK6(body: string): string {
  const path = join(dir, `k6-${Math.random().toString(36).slice(2)}`);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

async function run(bin: string, stopAfterMs?: number) {
  const out: string[] = [];
  const address = await freeAddress(); // nothing listens there: every poll fails, which runK6 tolerates
  const r = await runK6({ bin, args: ['run'], env: process.env, address, intervalMs: 60_000, now: Date.now, onFigures: () => undefined, inheritOutput: false, stdout: (l) => out.push(l), stderr: (l) => out.push(l), ...(stopAfterMs === undefined ? {} : { stopAfterMs }) });
  return { ...r, out };
}

describe('runK6 stopAfterMs', () => {
  it('sends SIGINT once the bound passes; k6 stops on its own terms and its exit code is kept', { timeout: 20_000 }, async () => {
    // Like k6: on SIGINT, write the summary, then exit (k6 uses 105 for an external abort).
    const bin = fakeK6(`trap 'echo "summary written"; exit 105' INT\necho started\nwhile :; do sleep 0.05; done`);
    const r = await run(bin, 300);
    expect(r.timedOut).toBe(true);
    expect(r.code).toBe(105);
    expect(r.out).toEqual(['started', 'summary written']);
  });

  it('leaves a run that ends in time alone', { timeout: 20_000 }, async () => {
    const r = await run(fakeK6('echo done\nexit 0'), 10_000);
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(0);
    expect(r.out).toEqual(['done']);
  });
});
