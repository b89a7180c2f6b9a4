import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { holdStreams, runLoad, type LoadResult } from './sse-load-client.ts';

/**
 * `npm run bench:mock`: how fast is the mock server? Starts it as a child process
 * (`tsx mock/main.ts`, pinned to CPU 0 with taskset when available; this client on CPU 1),
 * drives it over loopback with ./sse-load-client.ts and prints one Markdown table.
 * Bounded: about a minute. Figures are for the machine it runs on.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORKFLOW_BODY = JSON.stringify({ inputs: { query: 'What is artificial intelligence?' }, user: 'bench', response_mode: 'streaming' });
const PATH = '/v1/workflows/run';
const CLK_TCK = 100; // Linux USER_HZ
const RAMP_MS = 1_500; // stream starts spread over 1.5 s: a burst of new connections is not what is measured
const pin = process.env.BENCH_PIN !== '0' && (existsSync('/usr/bin/taskset') || existsSync('/bin/taskset'));

interface Server {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

async function startServer(args: string[]): Promise<Server> {
  const node = [process.execPath, '--import', 'tsx', 'mock/main.ts', '--port', '0', ...args];
  const cmd = pin ? ['taskset', '-c', '0', ...node] : node;
  const child: ChildProcess = spawn(cmd[0] as string, cmd.slice(1), { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (d: Buffer) => {
      text += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(text);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`mock server exited (${code}): ${text}`)));
  });
  return {
    url,
    pid: child.pid ?? 0,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** User and system CPU time of a process in ms (Linux /proc), NaN elsewhere. */
function cpuMs(pid: number): { user: number; sys: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: (Number(fields[11]) * 1000) / CLK_TCK, sys: (Number(fields[12]) * 1000) / CLK_TCK };
  } catch {
    return { user: NaN, sys: NaN };
  }
}

interface ServerStats {
  activeStreams: number;
  memory: { rssBytes: number; heapUsedBytes: number };
}
const serverStats = async (url: string): Promise<ServerStats> => (await (await fetch(`${url}/stats`)).json()) as ServerStats;

interface Row {
  scenario: string;
  result: LoadResult;
  serverCpuPct: number;
  /** Server CPU per event: user (JavaScript, Node) and system (kernel: TCP over loopback) µs. */
  serverUs: { user: number; sys: number };
}

async function loadScenario(scenario: string, serverArgs: string[], streams: number, intervalMs: number, tokens: number): Promise<Row> {
  const server = await startServer(['--ttfe-ms', '0', '--ttft-ms', '0', '--ping-interval-ms', '0', '--token-interval-ms', String(intervalMs), '--tokens', String(tokens), ...serverArgs]);
  try {
    const cpu0 = cpuMs(server.pid);
    const t0 = performance.now();
    const result = await runLoad({ url: server.url, path: PATH, body: WORKFLOW_BODY, streams, rampMs: RAMP_MS, preambleEvents: 4, tokens, ttftMs: 0, intervalMs });
    const cpu1 = cpuMs(server.pid);
    const [user, sys] = [cpu1.user - cpu0.user, cpu1.sys - cpu0.sys];
    const perEvent = (ms: number): number => (ms * 1000) / result.events;
    return { scenario, result, serverCpuPct: ((user + sys) / (performance.now() - t0)) * 100, serverUs: { user: perEvent(user), sys: perEvent(sys) } };
  } finally {
    await server.stop();
  }
}

async function memoryScenario(streams: number): Promise<{ heapPerStream: number; rssPerStream: number }> {
  const server = await startServer(['--ttfe-ms', '0', '--ttft-ms', '600000']);
  try {
    await holdStreams(server.url, PATH, WORKFLOW_BODY, 50).then((h) => h.close()); // warm-up
    await new Promise((r) => setTimeout(r, 300));
    const before = await serverStats(server.url);
    const held = await holdStreams(server.url, PATH, WORKFLOW_BODY, streams);
    const during = await serverStats(server.url);
    held.close();
    if (during.activeStreams < streams) throw new Error(`only ${during.activeStreams} of ${streams} streams open`);
    return {
      heapPerStream: (during.memory.heapUsedBytes - before.memory.heapUsedBytes) / streams,
      rssPerStream: (during.memory.rssBytes - before.memory.rssBytes) / streams,
    };
  } finally {
    await server.stop();
  }
}

const f1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
const int = (x: number): string => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a');

async function main(): Promise<void> {
  if (pin) spawn('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });
  console.log(`bench:mock — mock server in a child process${pin ? ' on CPU 0 (taskset), client on CPU 1' : ''}; loopback only; about a minute\n`);
  const rows: Row[] = [];
  // Goal 1: p99 lateness ≤ 5 ms at 1,000 streams with a 20 ms token interval (50,000 events/s),
  // and the choices measured against each other: scheduler, chunk writer, HTTP stack.
  rows.push(await loadScenario('1,000 streams × 20 ms, node:http, tick, socket writer', ['--scheduler', 'tick'], 1_000, 20, 225));
  rows.push(await loadScenario('1,000 streams × 20 ms, node:http, timers, socket writer', ['--scheduler', 'timers'], 1_000, 20, 225));
  rows.push(await loadScenario('1,000 streams × 20 ms, node:http, tick, response writer', ['--chunk-writer', 'response'], 1_000, 20, 225));
  rows.push(await loadScenario('1,000 streams × 20 ms, fastify, tick, socket writer', ['--stack', 'fastify'], 1_000, 20, 225));
  // Goal 2: ≥ 2,000 concurrent streams and ≥ 50,000 events/s sustained.
  rows.push(await loadScenario('2,000 streams × 40 ms, node:http, tick, socket writer', [], 2_000, 40, 200));
  const memory = await memoryScenario(2_000);

  console.log(
    '| scenario | streams ok / failed | peak open | events/s (plateau) | event lateness p50 / p99 / max (ms) | time to headers p50 / p99 (ms) | server CPU: % of 1 core; µs/event user + sys | client CPU |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const { scenario, result: r, serverCpuPct, serverUs } of rows) {
    const late = `${f1(r.lateness.percentile(50))} / ${f1(r.lateness.percentile(99))} / ${f1(r.lateness.max)}`;
    const headers = `${f1(r.headers.percentile(50))} / ${f1(r.headers.percentile(99))}`;
    console.log(
      `| ${scenario} | ${int(r.streamsOk)} / ${int(r.streamsFailed)} | ${int(r.peakOpen)} | ${int(r.plateauEventsPerS)} | ${late} | ${headers} | ${int(serverCpuPct)} %; ${f1(serverUs.user)} + ${f1(serverUs.sys)} µs | ${int(r.clientCpuPct)} % |`,
    );
  }
  console.log(`\nMemory per open stream (2,000 idle streams, server /stats): heap ${f1(memory.heapPerStream / 1024)} KiB, RSS ${f1(memory.rssPerStream / 1024)} KiB`);
  const [tick, , , , capacity] = rows;
  const goals = [
    ['p99 lateness ≤ 5 ms at 1,000 streams × 20 ms (tick)', (tick?.result.lateness.percentile(99) ?? Infinity) <= 5],
    ['2,000 concurrent streams (held open in the memory run; streaming: see peak open)', true], // memoryScenario throws unless all 2,000 are open
    ['≥ 50,000 events/s sustained', (capacity?.result.plateauEventsPerS ?? 0) >= 50_000],
  ] as const;
  console.log('');
  for (const [goal, met] of goals) console.log(`${met ? 'met    ' : 'MISSED '} ${goal}`);
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`\nLoad average during the run: ${load} (other processes on this machine skew the figures).`);
}

main().catch((err: unknown) => {
  console.error('bench:mock failed:', err);
  process.exit(1);
});
