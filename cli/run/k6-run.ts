/**
 * Runs one `k6 run` as a child process while polling its REST API (live-poller.ts) and
 * watching its CPU: output forwarded line by line, exit code passed through (128 + signal
 * number when k6 was killed). Shared by `npm run bench` and `npm run calibrate`.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { availableCores, CpuWatch } from './cpu-watch.ts';
import type { LiveFigures } from './live-block.ts';
import { EXIT_PREFLIGHT } from '../preflight/preflight.ts';
import { type LivePoller, startLivePoller } from './live-poller.ts';

/** A free TCP port on 127.0.0.1 for k6's REST API (parallel runs never share 6565). */
export function freeAddress(): Promise<string> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(`127.0.0.1:${port}`));
    });
  });
}

/** Forwards a child's output line by line, so the live block never splits one of k6's lines. */
function forwardLines(stream: Readable, write: (line: string) => void): Promise<void> {
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  rl.on('line', write);
  return new Promise((resolve) => rl.once('close', resolve));
}

const SIGNAL_NUMBERS: Readonly<Record<string, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

export interface K6RunOptions {
  readonly bin: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** REST API address given to k6 with --address. */
  readonly address: string;
  readonly intervalMs: number;
  readonly now: () => number;
  readonly onFigures: (f: LiveFigures) => void;
  /**
   * true: k6 writes its stdout straight to our terminal (it sees a TTY: progress bars redrawn
   * in place); false: its stdout is piped through `stdout` line by line (k6 then prints plain
   * progress lines once a second). k6's stderr (its log) is always piped through `stderr` line
   * by line, so the caller can read the log lines it passes on (plain logfmt, no colours).
   */
  readonly inheritOutput: boolean;
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  /**
   * A bound on the run: after this long k6 gets SIGINT (it stops and still writes its
   * summary), and SIGKILL if it is still running STOP_GRACE_MS later. Absent: no bound.
   */
  readonly stopAfterMs?: number;
}

/** How long a k6 told to stop (SIGINT) may take to write its summary before it is killed. */
export const STOP_GRACE_MS = 30_000;

export interface K6RunResult {
  readonly code: number;
  /** k6 was stopped by `stopAfterMs`. */
  readonly timedOut?: boolean;
  readonly poller: LivePoller;
  /** Cores available to the generator (the denominator of its CPU share). */
  readonly cores: number;
}

export async function runK6(o: K6RunOptions): Promise<K6RunResult> {
  const child = spawn(o.bin, [...o.args], { env: o.env, stdio: ['inherit', o.inheritOutput ? 'inherit' : 'pipe', 'pipe'] });
  const exited = new Promise<number>((resolve) => {
    child.once('error', (err) => {
      o.stderr(`could not start k6: ${err.message}`);
      resolve(EXIT_PREFLIGHT);
    });
    child.once('close', (code, signal) => resolve(code ?? 128 + (SIGNAL_NUMBERS[signal ?? ''] ?? 0)));
  });
  // Ctrl-C reaches k6 through the terminal's process group: k6 stops gracefully and writes
  // its summary while we stay alive to finish the reports. A SIGTERM sent to us alone is passed on.
  const onSigint = (): void => undefined;
  const onSigterm = (): void => void child.kill('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  let timedOut = false;
  let kill: NodeJS.Timeout | undefined;
  const bound =
    o.stopAfterMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          child.kill('SIGINT');
          kill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        }, o.stopAfterMs);
  try {
    const cores = availableCores();
    const cpu = child.pid !== undefined && process.platform === 'linux' ? new CpuWatch(child.pid, cores) : null;
    const poller = startLivePoller({ address: o.address, intervalMs: o.intervalMs, now: o.now, cpu, onFigures: o.onFigures });
    const forwarded = Promise.all([child.stdout, child.stderr].map((stream, i) => (stream ? forwardLines(stream, i === 0 ? o.stdout : o.stderr) : undefined)));
    const code = await exited;
    await Promise.all([poller.stop(), forwarded]);
    return { code, poller, cores, timedOut };
  } finally {
    clearTimeout(bound);
    clearTimeout(kill);
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
  }
}

export interface GeneratorVerdict {
  /** Whether CPU was measured at all (Linux /proc, and at least one sample). */
  readonly measured: boolean;
  readonly saturated: boolean;
  readonly peakShare: number;
  readonly cores: number;
}

/** The generator-saturation verdict of a finished run. */
export function generatorVerdict(r: K6RunResult): GeneratorVerdict {
  const s = r.poller.saturation;
  return { measured: s.samples > 0, saturated: s.isSaturated(), peakShare: s.peakShare, cores: r.cores };
}
