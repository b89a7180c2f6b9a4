/**
 * `npm run perf:client`: what build/sse.js costs per event inside k6, against the bare
 * reference build/bare.js (reads and `JSON.parse`s each event, one TTFE sample per stream).
 *
 * Both scripts run against the same embedded mock (127.0.0.1, known TTFE), alternating
 * (bare, sse, bare, sse, … — `--repeat` times each) at each load, so drift of the machine hits
 * both; each figure is reported as median and range (`--vus 0` skips this part). Then the per-VU
 * figures: N/5 and N idle VUs (`--idle-vus N`) that run only their init code and one refused
 * request, sse vs bare, alternating; peak RSS and process CPU per VU as the slope between the two
 * counts (what decides how many concurrent streams one generator holds). `--hold-vus N`: N VUs
 * each holding a 30 s stream for 30 s, one pair: peak RSS and CPU per event. Needs a real k6 with k6/x/sse;
 * without one it says how to get it, runs the Node proxy (perf/handler-cost.ts) instead and
 * exits 2 — those are not k6 figures.
 *
 * Usage: npm run perf:client -- [--vus 100,300] [--duration 20s] [--ttfe-ms 50] [--repeat 3]
 *                                 [--text ascii|cjk] [--target dify-workflow|openai-chat] [--idle-vus 500] [--hold-vus 2000]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PLAIN_VUS_VARS } from '../cli/calibrate/calibrate.ts';
import { formatK6Problem, locateK6, runCommand } from '../cli/run/k6-locate.ts';
import { parseGoDuration } from '../lib/duration.ts';
import { startMockServer } from '../mock/server.ts';
import { TEXT_KINDS, type TextKind } from '../mock/text.ts';
import { BARE_REQUEST_VAR } from '../lib/vu/bare-reference.ts';
import { bareRequest } from './bare-request.ts';
import {
  clientFigures,
  measuredCommand,
  parseBashTimes,
  parseHwmKb,
  holdLinesOf,
  perVuCost,
  perVuLines,
  renderClientTable,
  summarise,
  verdicts,
  type ClientFigures,
  type ClientScript,
  type IdleRun,
} from './client-bench-core.ts';

const TARGETS = ['dify-workflow', 'openai-chat'] as const;
const { values } = parseArgs({
  options: {
    vus: { type: 'string', default: '100,300' },
    duration: { type: 'string', default: '20s' },
    'ttfe-ms': { type: 'string', default: '50' },
    repeat: { type: 'string', default: '3' },
    text: { type: 'string', default: 'ascii' },
    target: { type: 'string', default: 'dify-workflow' },
    'idle-vus': { type: 'string', default: '500' },
    'hold-vus': { type: 'string', default: '0' },
    help: { type: 'boolean', default: false },
  },
});
const USAGE = 'npm run perf:client -- [--vus 100,300] [--duration 20s] [--ttfe-ms 50] [--repeat 3] [--text ascii|cjk] [--target dify-workflow|openai-chat] [--idle-vus 500] [--hold-vus 2000]';
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}
const vuLevels = values.vus === '0' ? [] : values.vus.split(',').map((v) => Number(v));
if (vuLevels.some((v) => !Number.isInteger(v) || v < 1 || v > 2000)) fail(`--vus: expected a comma-separated list of integers 1..2000 (0 = skip), got ${values.vus}`);
if (!((parseGoDuration(values.duration) ?? 0) > 0)) fail(`--duration: expected a positive Go duration such as 20s, got ${values.duration}`);
const ttfeMs = Number(values['ttfe-ms']);
if (!Number.isInteger(ttfeMs) || ttfeMs < 0 || ttfeMs > 10_000) fail(`--ttfe-ms: expected an integer 0..10000, got ${values['ttfe-ms']}`);
const repeat = Number(values.repeat);
if (!Number.isInteger(repeat) || repeat < 1 || repeat > 20) fail(`--repeat: expected an integer 1..20, got ${values.repeat}`);
const idleVus = Number(values['idle-vus']);
if (!Number.isInteger(idleVus) || idleVus < 0 || idleVus > 5000) fail(`--idle-vus: expected an integer 0..5000 (0 = skip), got ${values['idle-vus']}`);
const holdVus = Number(values['hold-vus']);
if (!Number.isInteger(holdVus) || holdVus < 0 || holdVus > 5000) fail(`--hold-vus: expected an integer 0..5000 (0 = skip), got ${values['hold-vus']}`);
if (!(TEXT_KINDS as readonly string[]).includes(values.text)) fail(`--text: expected one of ${TEXT_KINDS.join(', ')}, got ${values.text}`);
if (!(TARGETS as readonly string[]).includes(values.target)) fail(`--target: expected one of ${TARGETS.join(', ')}, got ${values.target}`);
const text = values.text as TextKind;

const k6 = await locateK6();
if (!k6.ok) {
  console.error(`perf:client needs a real k6 with k6/x/sse.\n${formatK6Problem(k6)}\n`);
  console.error('Running the Node proxy of the per-event cost instead (NOT k6 figures: V8 with and without its JIT):\n');
  const child = spawn(process.execPath, ['--import', 'tsx', 'perf/handler-cost.ts'], { stdio: 'inherit' });
  await new Promise((r) => child.on('exit', r));
  process.exit(2);
}
const found = k6;
// GNU time (Debian's `time`) gives the exact peak RSS of a short run; without it the bench polls /proc.
const TIME_BIN = existsSync('/usr/bin/time') ? '/usr/bin/time' : '';
if (TIME_BIN === '') console.error('note: /usr/bin/time not found (apt-get install time): peak RSS is polled from /proc and can miss the peak of a short run');

/**
 * Runs k6 under bash: `times` reports the CPU the k6 process used (all of it, to the exit), and a
 * loop reads its peak RSS (VmHWM, monotonic) from /proc while it runs.
 */
async function runK6(script: ClientScript, k6Args: readonly string[], vars: Record<string, string>): Promise<{ cpuSeconds: number; maxRssKb: number }> {
  const args = ['run', '--no-usage-report', '--quiet', ...k6Args, resolve(`build/${script}.js`)];
  // Variables go through k6's environment, not `-e`: BARE_REQUEST may hold an Authorization header.
  const env = { ...process.env, ...found.env, ...vars }; // found.env carries K6_NO_USAGE_REPORT
  const res = await runCommand('bash', ['-c', measuredCommand([found.bin, ...args], TIME_BIN)], env, 0); // 0: no deadline (k6's own --duration bounds it)
  if (res.code !== 0) throw new Error(`k6 ${script} exited ${res.code ?? res.error}`);
  return { cpuSeconds: parseBashTimes(res.stdout), maxRssKb: parseHwmKb(res.stdout) };
}

const mock = await startMockServer({ host: '127.0.0.1', port: 0, ttfeMs, ttftMs: ttfeMs + 10, tokens: 50, tokenIntervalMs: 20, pingIntervalMs: 0, text });
const dir = mkdtempSync(join(tmpdir(), 'bench-client-'));
const rows: ClientFigures[] = [];
let idleLines: string[] = [];
let holdLines: string[] = [];
try {
  const settings = { TARGET: values.target, BASE_URL: mock.url, STREAM_TIMEOUT: '30s', REPORTS_DIR: dir, ...PLAIN_VUS_VARS };
  const vars = { ...settings, [BARE_REQUEST_VAR]: bareRequest(settings) };
  for (const vus of vuLevels) {
    for (let i = 0; i < repeat; i++) {
      for (const script of ['bare', 'sse'] as const) {
        const summaryPath = join(dir, `${script}-${vus}-${i}.json`);
        process.stderr.write(`k6 ${script} at ${vus} VUs for ${values.duration} (run ${i + 1}/${repeat})… `);
        const used = await runK6(script, ['--vus', String(vus), '--duration', values.duration, '--summary-export', summaryPath], vars);
        rows.push(clientFigures({ script, vus, ...used, summary: JSON.parse(readFileSync(summaryPath, 'utf8')) }, ttfeMs));
        process.stderr.write('done\n');
      }
    }
  }
  if (idleVus > 0) {
    // Init code and one refused request per VU (port 9 on 127.0.0.1: nothing listens): what each VU holds.
    // Peak RSS moves by ±10 % with Go's GC timing: alternate the scripts and take the median of the pairs.
    const refused = { ...settings, BASE_URL: 'http://127.0.0.1:9' };
    const idle = { ...refused, [BARE_REQUEST_VAR]: bareRequest(refused) };
    const runs: IdleRun[] = [];
    const sizes = [Math.max(1, Math.round(idleVus / 5)), idleVus];
    for (let i = 0; i < repeat; i++) {
      for (const vus of sizes) {
        for (const script of ['bare', 'sse'] as const) {
          process.stderr.write(`k6 ${script}: ${vus} idle VUs (run ${i + 1}/${repeat})… `);
          runs.push({ script, vus, ...(await runK6(script, ['--vus', String(vus), '--iterations', String(vus)], idle)) });
          process.stderr.write('done\n');
        }
      }
    }
    idleLines = perVuLines(perVuCost(runs));
  }
  if (holdVus > 0) {
    // Each VU holds one 30 s stream (300 tokens at 100 ms: 10 tokens/s) for a 30 s run: what a
    // generator spends on N concurrent chats. One pair (bare, sse): the run is long and the figures are large.
    const holdMock = await startMockServer({ host: '127.0.0.1', port: 0, ttfeMs, ttftMs: ttfeMs + 10, tokens: 300, tokenIntervalMs: 100, pingIntervalMs: 0, text });
    try {
      const held = { ...settings, BASE_URL: holdMock.url, STREAM_TIMEOUT: '60s' };
      const vars = { ...held, [BARE_REQUEST_VAR]: bareRequest(held) };
      const got: Record<ClientScript, { cpuSeconds: number; maxRssKb: number; events: number }> = { bare: { cpuSeconds: 0, maxRssKb: 0, events: 0 }, sse: { cpuSeconds: 0, maxRssKb: 0, events: 0 } };
      for (const script of ['bare', 'sse'] as const) {
        const summaryPath = join(dir, `${script}-hold.json`);
        process.stderr.write(`k6 ${script}: ${holdVus} VUs holding 30 s streams for 30s… `);
        const used = await runK6(script, ['--vus', String(holdVus), '--duration', '30s', '--summary-export', summaryPath], vars);
        const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as { metrics?: Record<string, { count?: number }> };
        got[script] = { ...used, events: summary.metrics?.['sse_event']?.count ?? 0 };
        process.stderr.write('done\n');
      }
      holdLines = holdLinesOf(holdVus, got);
    } finally {
      await holdMock.close();
    }
  }
} finally {
  await mock.close();
  rmSync(dir, { recursive: true, force: true });
}
const summaries = summarise(rows);
console.log(`\nbuild/sse.js vs build/bare.js, ${values.target}, ${text} text, mock TTFE ${ttfeMs} ms, 50 tokens at 20 ms, ${values.duration} per run, ${repeat} alternating runs each (median (min…max))\n`);
console.log(renderClientTable(summaries));
console.log('');
for (const line of [...verdicts(summaries), ...idleLines, ...holdLines]) console.log(line);
console.log(`\nk6: ${found.version} (${found.bin})`);
