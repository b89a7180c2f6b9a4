/**
 * runBench's plumbing with a stand-in k6 (a shell script answering `version` and `run` like
 * the real CLI) and a local server replaying recorded `GET /v1/metrics` answers as k6's
 * REST API. The real-k6 end-to-end run is in bench.e2e.test.ts.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMockServer } from '../../mock/server.ts';
import { k6RunArgs, k6SkipsTlsVerify, realPreflightDeps, runBench } from './bench.ts';
import { webDashboardPath } from '../../grafana/web-dashboard.ts';
import { END_OF_TEST_NOTE } from './web-dashboard-run.ts';
import { parseBenchArgs } from '../args.ts';

const fixture = (name: string): string => new URL(`../fixtures/${name}`, import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'bench-test-'));
const script = join(dir, 'sse.js');
writeFileSync(script, '// stand-in for build/sse.js\n');
const SECRET = 'app-secret-key-9f8e7d';

function writeFakeK6(name: string, version: string): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    `#!/bin/sh
case "$1" in
  version) printf '%s\\nExtensions:\\n  github.com/phymbert/xk6-sse v0.1.12, k6/x/sse [js]\\n' "${version}" ;;
  run) printf '%s\\n' "$@" > "$FAKE_K6_ARGS"; env > "$FAKE_K6_ENV"
       echo "running (fake k6)"; echo "level=info msg=from-k6-stderr" >&2
       [ -n "$FAKE_K6_FAILURE_LOG" ] && printf '%s\\n' "$FAKE_K6_FAILURE_LOG" >&2
       [ -n "$FAKE_K6_SLEEP" ] && sleep "$FAKE_K6_SLEEP"
       # wait (at most 20 s) until the test's REST server has answered two polls
       i=0; while [ -n "$FAKE_K6_GATE" ] && [ ! -f "$FAKE_K6_GATE" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done
       # one report per run: benchmark_20261127_110000, then …_110001, …
       n=$(ls "$REPORTS_DIR" | grep -c '^benchmark_.*json$')
       [ -n "$FAKE_K6_REPORT" ] && cp "$FAKE_K6_REPORT" "$REPORTS_DIR/benchmark_20261127_11000$n.json"
       [ -n "$FAKE_K6_REPORT" ] && echo "text report" > "$REPORTS_DIR/benchmark_20261127_11000$n.txt"
       exit "$FAKE_K6_EXIT" ;;
  *) exit 64 ;;
esac
`,
  );
  chmodSync(path, 0o755);
  return path;
}
const k6 = writeFakeK6('k6', 'k6 v1.3.0 (go1.24.6, linux/amd64)');
const oldK6 = writeFakeK6('k6-old', 'k6 v1.1.0 (go1.24.1, linux/amd64)');

// Recorded REST answers: the first poll gets t=10 s, later ones t=15 s.
let server: Server;
let port = 0;
let metricRequests = 0;
let probeRequests = 0;
beforeAll(async () => {
  const t10 = readFileSync(fixture('rest-metrics-t10.json'));
  const t15 = readFileSync(fixture('rest-metrics-t15.json'));
  server = createServer((req, res) => {
    if (req.url === '/v1/metrics') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(metricRequests++ === 0 ? t10 : t15);
      if (metricRequests === 2) writeFileSync(join(reports, 'gate'), '');
      return;
    }
    if (req.url === '/v1/status') {
      // the test has ended (k6's Ended status); only the --dashboard run asks
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"type":"status","id":"default","attributes":{"status":9,"running":false}}}');
      return;
    }
    if (req.method === 'POST' && req.url === '/v1/workflows/run') {
      // the "target" of the preflight's probe request: a Dify workflow's first event
      probeRequests++;
      res.writeHead(200, { 'content-type': 'text/event-stream' }).end('data: {"event":"workflow_started","task_id":"t","data":{}}\n\n');
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

let reports = '';
let run = 0;
beforeEach(() => {
  metricRequests = 0;
  probeRequests = 0;
  reports = join(dir, `reports-${++run}`);
  mkdirSync(reports);
});

interface Outcome {
  code: number;
  out: string[];
  err: string[];
  args: string[];
  env: string;
}

async function bench(argv: string[], env: Record<string, string> = {}, isTTY = false): Promise<Outcome> {
  const out: string[] = [];
  const err: string[] = [];
  const argsFile = join(reports, 'k6-args.txt');
  const envFile = join(reports, 'k6-env.txt');
  const code = await runBench(argv, {
    env: {
      PATH: process.env.PATH,
      K6_BIN: k6,
      BASE_URL: `http://127.0.0.1:${port}`,
      API_KEY: SECRET,
      REPORTS_DIR: reports,
      FAKE_K6_ARGS: argsFile,
      FAKE_K6_ENV: envFile,
      FAKE_K6_GATE: join(reports, 'gate'),
      FAKE_K6_EXIT: '99',
      FAKE_K6_REPORT: fixture('report-b.json'),
      ...env,
    },
    io: { out: (l) => out.push(l), err: (l) => err.push(l) },
    isTTY,
    preflight: realPreflightDeps,
    now: () => Date.parse('2026-11-27T11:00:00Z') + performance.now(),
  });
  const read = (p: string): string => (existsSync(p) ? readFileSync(p, 'utf8') : '');
  return { code, out, err, args: read(argsFile).split('\n').filter((l) => l !== ''), env: read(envFile) };
}

describe('runBench with a stand-in k6', () => {
  it("runs k6 with our REST address and the user's flags, shows live lines, and exits with k6's code (99)", { timeout: 30_000 }, async () => {
    const r = await bench(['--interval', '0.2', '--address', `127.0.0.1:${port}`, '--script', script, '--', '--vus', '2']);
    if (process.env.SHOW_BENCH_OUTPUT) console.log([...r.out, '--- stderr ---', ...r.err].join('\n'));
    expect(r.code).toBe(99);
    // not a terminal: k6 runs --quiet (no progress line every second in a CI log)
    // and writes its samples to a temporary CSV file for the latency windows (removed after the run)
    expect(r.args).toEqual(['run', '--no-usage-report', '--quiet', '--address', `127.0.0.1:${port}`, '--out', expect.stringMatching(/^csv=.*sse-bench-samples-\w+\/samples\.csv$/), '--vus', '2', script]);
    expect(existsSync(dirname((r.args[6] ?? '').slice(4)))).toBe(false);
    expect(r.env).toMatch(/^K6_NO_USAGE_REPORT=true$/m);
    expect(r.env).toMatch(/^K6_CSV_TIME_FORMAT=unix_milli$/m);
    expect(r.out).toContain('running (fake k6)');
    expect(r.err).toContain('level=info msg=from-k6-stderr');
    const live = r.out.filter((l) => l.startsWith('[live '));
    expect(live.length).toBeGreaterThanOrEqual(2); // k6 stand-in exits only after two polls were answered
    expect(live[0]).toMatch(/ active=8 conn\/s=– events\/s=– ttfe_avg_ms=41\.5 ttfe_p95_ms=55\.2 connections=30 events=400 errors=1 \(timeout=1\) vus=10 cpu=/);
    expect(live[1]).toMatch(/ active=8 conn\/s=\d+\.\d\d events\/s=\d+\.\d\d ttfe_avg_ms=42\.1 ttfe_p95_ms=58\.9 connections=42 events=629 errors=3 \(http_5xx=2 timeout=1\)/);
  });

  it('ends with the final block, the HTML report and the saturation verdict in the JSON report', { timeout: 30_000 }, async () => {
    const r = await bench(['--interval', '0.2', '--address', `127.0.0.1:${port}`, '--script', script, '-q']);
    expect(r.out.filter((l) => l.startsWith('[live '))).toEqual([]); // --quiet: no live block
    const text = r.out.join('\n');
    expect(text).toContain('FINAL BENCHMARK RESULTS');
    expect(text).toMatch(/Generator CPU: peak \d+% of \d+ cores? \(not saturated\)/);
    const stem = join(reports, 'benchmark_20261127_110000');
    expect(text).toContain(`Reports:\n  ${stem}.txt\n  ${stem}.json\n  ${stem}.html`);
    const report = JSON.parse(readFileSync(`${stem}.json`, 'utf8')) as { generatorSaturated?: boolean };
    expect(report.generatorSaturated).toBe(false);
    const html = readFileSync(`${stem}.html`, 'utf8');
    expect(html).toContain('id="chart-active"'); // the series was sampled even with --quiet
    for (const output of [text, r.err.join('\n'), html]) expect(output).not.toContain(SECRET);
  });

  it('prints the multi-line block on a terminal', { timeout: 30_000 }, async () => {
    const r = await bench(['--interval', '0.2', '--address', `127.0.0.1:${port}`, '--script', script], {}, true);
    // k6's output goes straight to the terminal; the block erases each line it writes over.
    const block = r.out.find((l) => l.includes('Total Connections:  42')) ?? '';
    expect(block).toMatch(/^\x1b\[2K── Live Metrics \(\dm\d\ds\) ──\n\x1b\[2K {2}Active Streams: {5}8\n/);
    expect(block.endsWith('\n')).toBe(true);
  });

  it('passes k6 exit code 0 through and reports a run that wrote no report', { timeout: 30_000 }, async () => {
    const r = await bench(['--interval', '5', '--address', `127.0.0.1:${port}`, '--script', script], { FAKE_K6_EXIT: '0', FAKE_K6_REPORT: '', FAKE_K6_GATE: '' });
    expect(r.code).toBe(0);
    expect(r.err.at(-1)).toBe(`bench: k6 wrote no JSON report into ${reports} (k6 exit code 0); no HTML report`);
  });

  it('--repeat 3: three runs, each with its reports, then the median and spread of every figure', { timeout: 30_000 }, async () => {
    const r = await bench(['--repeat', '3', '-q', '--interval', '5', '--address', `127.0.0.1:${port}`, '--script', script], { FAKE_K6_GATE: '' });
    expect(r.code).toBe(99); // the runs' k6 exit code (a threshold failed)
    expect(r.out.filter((l) => /^bench: run \d of 3$/.test(l))).toEqual(['bench: run 1 of 3', 'bench: run 2 of 3', 'bench: run 3 of 3']);
    expect(r.out.filter((l) => l.includes('FINAL BENCHMARK RESULTS'))).toHaveLength(3);
    const block = r.out.at(-1) ?? '';
    expect(block).toMatch(/^REPEATED RUNS: 3 of 3 with a report; median and spread of each figure\n/);
    expect(block).toMatch(/\nTTFE p95 +77\.0 ms {2}77\.0 ms\n/); // report-b's TTFE p95 in each run
    const summaryPath = /Summary: (.*repeat_\d{8}_\d{6}\.json)$/.exec(block)?.[1] ?? '';
    const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as { schema: string; reports: string[]; exitCodes: number[]; figures: { ttfeP95Ms: unknown } };
    expect(summary.schema).toBe('sse-bench/repeat@1');
    expect(summary.reports.map((p) => p.slice(reports.length + 1))).toEqual(['benchmark_20261127_110000.json', 'benchmark_20261127_110001.json', 'benchmark_20261127_110002.json']);
    expect(summary.exitCodes).toEqual([99, 99, 99]);
    expect(summary.figures.ttfeP95Ms).toEqual({ median: 77, min: 77, max: 77, n: 3 });
  });

  it('takes the key and base URL from the setup:dify state file when API_KEY is unset, passing the key to k6 only in its environment', { timeout: 30_000 }, async () => {
    const home = mkdtempSync(join(tmpdir(), 'bench-state-'));
    mkdirSync(join(home, '.sse-bench'));
    const stateKey = 'state-fixture-key-7c1d';
    const base = `http://127.0.0.1:${port}`;
    writeFileSync(join(home, '.sse-bench', 'dify.json'), JSON.stringify({ schema: 'sse-bench/dify-state@1', complete: true, baseUrl: base, apiKey: stateKey, appMode: 'workflow' }));
    const r = await bench(['--interval', '5', '--address', `127.0.0.1:${port}`, '--script', script], { API_KEY: '', BASE_URL: '', PWD: home, FAKE_K6_GATE: '' });
    expect(r.code).toBe(99);
    expect(r.out).toContain(`bench: API key and BASE_URL ${base} from ${home}/.sse-bench/dify.json (npm run setup:dify); API_KEY or DIFY_STATE=none overrides it`);
    expect(r.env).toMatch(new RegExp(`^API_KEY=${stateKey}$`, 'm'));
    expect(r.env).toMatch(new RegExp(`^BASE_URL=${base}$`, 'm'));
    expect(r.args.join(' ')).not.toContain(stateKey);
    for (const output of [r.out.join('\n'), r.err.join('\n')]) expect(output).not.toContain(stateKey);
  });

  it('stops at the preflight with exit code 2 and never runs k6', async () => {
    const r = await bench(['--script', script], { K6_BIN: oldK6 });
    expect(r.code).toBe(2);
    expect(r.err.join('\n')).toMatch(/^preflight failed: k6 v1\.1\.0 is too old: this suite needs k6 >= 1\.2 with k6\/x\/sse\.\n {2}fix: /);
    expect(r.args).toEqual([]);
    expect(metricRequests).toBe(0);
  });

  it('runs against a keyless OpenAI-compatible server (the embedded mock) with no API key: exit 0', { timeout: 30_000 }, async () => {
    const mock = await startMockServer({ port: 0, ttfeMs: 0, ttftMs: 0, tokens: 2, tokenIntervalMs: 0 });
    try {
      const r = await bench(['--interval', '5', '--address', `127.0.0.1:${port}`, '--script', script], {
        BASE_URL: mock.url,
        TARGET: 'openai-chat',
        MODEL: 'gpt-4',
        API_KEY: '',
        FAKE_K6_EXIT: '0',
        FAKE_K6_GATE: '',
      });
      expect(r.code).toBe(0);
      expect(r.out).toContain(`bench: one probe request sent (POST ${mock.url}/v1/chat/completions): HTTP 200 text/event-stream, first event "chat.completion.chunk", as TARGET=openai-chat reads it`);
      expect(r.args[0]).toBe('run');
      expect(mock.stats().streamsStarted).toBe(1); // the probe; the stand-in k6 sends nothing
    } finally {
      await mock.close();
    }
  });

  it('stops before the run when the server answers 401, having sent one request', async () => {
    const mock = await startMockServer({ port: 0, apiKey: 'test-key-not-real' });
    try {
      const r = await bench(['--script', script], { BASE_URL: mock.url, API_KEY: '' });
      expect(r.code).toBe(2);
      expect(r.err.join('\n')).toMatch(/^preflight failed: the server wants a key: POST .* answered HTTP 401.*\n {2}fix: export API_KEY=.*\n\(one probe request was sent to the target; no load was run\)$/);
      expect(r.args).toEqual([]); // k6 never ran
    } finally {
      await mock.close();
    }
  });

  it('sends the probe to the target once per run', { timeout: 30_000 }, async () => {
    await bench(['--interval', '5', '--address', `127.0.0.1:${port}`, '--script', script], { FAKE_K6_EXIT: '0', FAKE_K6_GATE: '' });
    expect(probeRequests).toBe(1);
  });

  it('tells the probe to skip TLS verification when k6 does', () => {
    expect(k6SkipsTlsVerify(['--insecure-skip-tls-verify'])).toBe(true);
    expect(k6SkipsTlsVerify(['--vus', '2', '--insecure-skip-tls-verify=true'])).toBe(true);
    expect(k6SkipsTlsVerify(['--insecure-skip-tls-verify=false'])).toBe(false);
    expect(k6SkipsTlsVerify([])).toBe(false);
  });

  it('exits 2 for a bad flag, 0 for --help', async () => {
    const bad = await bench(['--interval', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.err[0]).toMatch(/^bench: --interval: expected a positive number of seconds, got "x"/);
    const help = await bench(['--help']);
    expect(help.code).toBe(0);
    expect(help.out[0]).toMatch(/^Usage: npm run bench/);
  });

  it("turns on the web dashboard with sse-bench's view and its export into the reports directory", async () => {
    const r = await bench(['--dashboard', '--interval', '5', '--address', `127.0.0.1:${port}`, '--script', script], { FAKE_K6_GATE: '', FAKE_K6_SLEEP: '1.5' });
    expect(r.env).toMatch(/^K6_WEB_DASHBOARD=true$/m);
    expect(r.env).toMatch(new RegExp(`^K6_WEB_DASHBOARD_EXPORT=${reports}/k6-dashboard_20261127_1100\\d\\d\\.html$`, 'm'));
    expect(r.env).toContain(`\nXK6_DASHBOARD_CONFIG=${webDashboardPath()}\n`);
    expect(r.env).toMatch(/^K6_WEB_DASHBOARD_TAGS=group,error_type$/m);
    expect(r.out).toContain('bench: k6 web dashboard at http://127.0.0.1:5665 (SSE tab first; K6_WEB_DASHBOARD_PORT to change); at the end, close the dashboard tab to let k6 exit');
    // k6 still running after its REST API said the test ended: it is waiting for the dashboard's browser tab
    expect(r.out.filter((l) => l === END_OF_TEST_NOTE)).toHaveLength(1);
    expect(r.out.indexOf(END_OF_TEST_NOTE)).toBeLessThan(r.out.findIndex((l) => l.includes('FINAL BENCHMARK RESULTS')));
  });

  it("collects the failure reasons from k6's log into the final block and the reports, key scrubbed, log passed on", { timeout: 30_000 }, async () => {
    const failureLine = (type: string, reason: string): string =>
      `time="2026-11-27T11:00:01Z" level=warning msg=${JSON.stringify(`sse-bench failure error_type=${type}: ${reason}`)} source=console`;
    const lines = [failureLine('http_5xx', 'status 500: {"code": "internal_error"}'), failureLine('http_5xx', `status 500: key ${SECRET}`)];
    const r = await bench(['--interval', '0.2', '--address', `127.0.0.1:${port}`, '--script', script, '-q'], { FAKE_K6_FAILURE_LOG: lines.join('\n') }, true);
    // k6's log still reaches the user on a terminal, each line erasing the progress bar it is written over
    expect(r.err).toEqual(expect.arrayContaining(['\x1b[2Klevel=info msg=from-k6-stderr', `\x1b[2K${lines[0]}`]));
    const text = r.out.join('\n');
    expect(text).toContain(
      '🔎 Failure Reasons (from k6\'s log: the first failure of each type in each VU; count = log lines):\n' +
        '  timeout (1 failed stream):\n    (no reason in k6\'s log)\n' +
        '  http_5xx (2 failed streams):\n    1 × status 500: key [REDACTED]\n    1 × status 500: {"code": "internal_error"}\n',
    );
    const stem = join(reports, 'benchmark_20261127_110000');
    const report = JSON.parse(readFileSync(`${stem}.json`, 'utf8')) as { failureReasons?: unknown };
    expect(report.failureReasons).toEqual({
      http_5xx: { reasons: [{ reason: 'status 500: key [REDACTED]', count: 1 }, { reason: 'status 500: {"code": "internal_error"}', count: 1 }], more: 0 },
    });
    expect(readFileSync(`${stem}.txt`, 'utf8')).toContain('1 × status 500: {"code": "internal_error"}');
    expect(readFileSync(`${stem}.html`, 'utf8')).toContain('<code>status 500: {&#34;code&#34;: &#34;internal_error&#34;}</code>');
    for (const output of [text, readFileSync(`${stem}.json`, 'utf8'), readFileSync(`${stem}.html`, 'utf8')]) expect(output).not.toContain(SECRET);
  });

  it('builds the k6 command line with --no-usage-report always', () => {
    expect(k6RunArgs(parseBenchArgs([]), '127.0.0.1:1234')).toEqual(['run', '--no-usage-report', '--address', '127.0.0.1:1234', 'build/sse.js']);
  });

  it('passes k6 --quiet when the output is not a terminal, unless --k6-progress (or -q after --) says otherwise', () => {
    const line = (argv: string[], isTTY: boolean) => k6RunArgs(parseBenchArgs(argv), '127.0.0.1:1234', isTTY);
    expect(line([], false)).toEqual(['run', '--no-usage-report', '--quiet', '--address', '127.0.0.1:1234', 'build/sse.js']);
    expect(line([], true)).not.toContain('--quiet');
    expect(line(['--k6-progress'], false)).not.toContain('--quiet');
    expect(line(['--', '-q'], false)).toEqual(['run', '--no-usage-report', '--address', '127.0.0.1:1234', '-q', 'build/sse.js']);
  });

  it('a terminal run keeps k6\'s progress bars', { timeout: 30_000 }, async () => {
    const r = await bench(['--interval', '5', '--address', `127.0.0.1:${port}`, '--script', script], { FAKE_K6_EXIT: '0', FAKE_K6_GATE: '' }, true);
    expect(r.args).not.toContain('--quiet');
  });
});
