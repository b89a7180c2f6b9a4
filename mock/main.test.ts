import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { KNOBS, envOf, flagOf } from './options.ts';
import { sseRequest } from './sse-test-client.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const children: ChildProcessWithoutNullStreams[] = [];

/** `tsx mock/main.ts ARGS` (node --import tsx, as `npm run mock` does). */
function startCli(args: string[], env: Record<string, string> = {}): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, ['--import', 'tsx', 'mock/main.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env } });
  children.push(child);
  return child;
}

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function output(child: ChildProcessWithoutNullStreams): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

function listeningUrl(child: ChildProcessWithoutNullStreams): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (d: Buffer) => {
      text += d.toString();
      const m = /mock server listening on (http:\/\/\S+)/.exec(text);
      if (m?.[1]) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`mock exited (${code}) before listening: ${text}`)));
  });
}

describe('npm run mock (mock/main.ts)', () => {
  it('--help lists every flag with its env var', async () => {
    const r = await output(startCli(['--help']));
    expect(r.code).toBe(0);
    for (const k of KNOBS) {
      expect(r.stdout).toContain(flagOf(k));
      expect(r.stdout).toContain(envOf(k));
    }
  });

  it('an unknown flag or a bad value exits 2 naming it', async () => {
    const [unknown, bad, badEnv] = await Promise.all([
      output(startCli(['--tokns', '3'])),
      output(startCli(['--jitter', 'gaussian'])),
      output(startCli([], { MOCK_PORT: 'x' })),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--tokns/);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--jitter: expected one of none, uniform, exponential, got "gaussian"');
    expect(badEnv.code).toBe(2);
    expect(badEnv.stderr).toContain('MOCK_PORT: expected an integer from 0 to 65535, got "x"');
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('%s: ends open streams, stops accepting, exits 0', async (signal) => {
    const child = startCli(['--port', '0', '--ttfe-ms', '0', '--ttft-ms', '0', '--token-interval-ms', '60000'], { MOCK_TOKENS: '1000' });
    const done = output(child);
    const url = await listeningUrl(child);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const streams = [1, 2, 3].map(() => sseRequest(`${url}/v1/chat/completions`, { body: { messages: [{ role: 'user', content: 'x' }], stream: true } }));
    for (;;) {
      const stats = (await (await fetch(`${url}/stats`)).json()) as { activeStreams: number };
      if (stats.activeStreams === 3) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill(signal);
    const results = await Promise.all(streams);
    for (const r of results) {
      expect(r.ending).toBe('end'); // a clean end of the chunked body, not a reset
      expect(r.events).toHaveLength(2); // role chunk and first token; the next token was 60 s away
    }
    const exit = await done;
    expect(exit.code).toBe(0);
    expect(exit.stdout).toContain(`${signal}, ending 3 open stream(s)`);
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });
});
