/**
 * Starts Debian's `influxd` (InfluxDB 1.x) and `prometheus` on 127.0.0.1 with a
 * temporary data directory and free ports, for the live dashboard-query tests.
 * Each server is a child process the test stops (SIGTERM, then SIGKILL) and whose
 * directory it removes. Neither phones home: InfluxDB's usage reporting is disabled.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findOnPath } from '../../cli/run/k6-locate.ts';
import { freeAddress } from '../../cli/run/k6-run.ts';

export interface LocalServer {
  readonly url: string;
  /** Last lines of the server's output, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

/** The executable `name` on PATH, or ''. */
export const findBinary = (name: string): string => findOnPath(name, process.env.PATH);

/** A port the OS reports free on 127.0.0.1 (for servers that cannot report a port-0 bind). */
const freePort = async (): Promise<number> => Number((await freeAddress()).split(':')[1]);

async function waitFor(url: string, child: ChildProcess, deadlineMs: number, log: () => string): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${log()}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not ready after ${deadlineMs} ms:\n${log()}`);
}

async function startProcess(bin: string, args: string[], dir: string, readyUrl: string, url: string): Promise<LocalServer> {
  const child = spawn(bin, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(readyUrl, child, 20_000, () => output);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, log: () => output, stop };
}

/** InfluxDB 1.x with one database created (`db`). */
export async function startInfluxd(bin: string, db: string): Promise<LocalServer> {
  const dir = mkdtempSync(join(tmpdir(), 'sse-bench-influxd-'));
  const [httpPort, rpcPort] = [await freePort(), await freePort()];
  const config = [
    'reporting-disabled = true',
    `bind-address = "127.0.0.1:${rpcPort}"`,
    '[meta]',
    `  dir = "${join(dir, 'meta')}"`,
    '[data]',
    `  dir = "${join(dir, 'data')}"`,
    `  wal-dir = "${join(dir, 'wal')}"`,
    '  query-log-enabled = false',
    '[http]',
    `  bind-address = "127.0.0.1:${httpPort}"`,
    '  log-enabled = false',
    '[monitor]',
    '  store-enabled = false',
    '[continuous_queries]',
    '  enabled = false',
    '',
  ].join('\n');
  writeFileSync(join(dir, 'influxdb.conf'), config);
  const url = `http://127.0.0.1:${httpPort}`;
  const server = await startProcess(bin, ['-config', join(dir, 'influxdb.conf')], dir, `${url}/ping`, url);
  const res = await fetch(`${url}/query`, { method: 'POST', body: new URLSearchParams({ q: `CREATE DATABASE "${db}"` }) });
  if (!res.ok) {
    await server.stop();
    throw new Error(`CREATE DATABASE failed: ${res.status} ${await res.text()}`);
  }
  return server;
}

/** Prometheus 2.x with the remote-write receiver and nothing to scrape; `flags` are added (e.g. a feature flag). */
export async function startPrometheus(bin: string, flags: readonly string[] = []): Promise<LocalServer> {
  const dir = mkdtempSync(join(tmpdir(), 'sse-bench-prometheus-'));
  const port = await freePort();
  writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1m\nscrape_configs: []\n');
  const url = `http://127.0.0.1:${port}`;
  return startProcess(
    bin,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-remote-write-receiver',
      '--log.level=warn',
      ...flags,
    ],
    dir,
    `${url}/-/ready`,
    url,
  );
}
