/**
 * `npm run bench:client`: what build/sse.js costs per event, against a bare reference.
 *
 * Runs build/bare.js (JSON.parse per event only) and build/sse.js side by side, in one
 * run, against the same embedded mock (127.0.0.1, known TTFE), at 100 and 300 VUs, and
 * reports CPU per 1,000 events and TTFE error for each. Needs a real k6 with k6/x/sse;
 * without one it says how to get it and runs the Node handler micro-benchmark instead
 * (bench/handler-cost.ts), which measures only our JavaScript, not k6's own cost.
 *
 * Usage: npm run bench:client -- [--vus 100,300] [--duration 20s] [--ttfe-ms 50]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PLAIN_VUS_VARS } from '../cli/calibrate.ts';
import { formatK6Problem, locateK6, runCommand } from '../cli/k6-locate.ts';
import { parseGoDuration } from '../lib/duration.ts';
import { startMockServer } from '../mock/server.ts';
import { clientFigures, COST_RATIO_GOAL, costRatio, parseBashTimes, renderClientTable, type ClientFigures } from './client-bench-core.ts';

const { values } = parseArgs({
  options: {
    vus: { type: 'string', default: '100,300' },
    duration: { type: 'string', default: '20s' },
    'ttfe-ms': { type: 'string', default: '50' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log('npm run bench:client -- [--vus 100,300] [--duration 20s] [--ttfe-ms 50]');
  process.exit(0);
}
const vuLevels = values.vus.split(',').map((v) => Number(v));
if (vuLevels.some((v) => !Number.isInteger(v) || v < 1 || v > 2000)) {
  console.error(`--vus: expected a comma-separated list of integers 1..2000, got ${values.vus}`);
  process.exit(2);
}
if (!((parseGoDuration(values.duration) ?? 0) > 0)) {
  console.error(`--duration: expected a positive Go duration such as 20s, got ${values.duration}`);
  process.exit(2);
}
const ttfeMs = Number(values['ttfe-ms']);

const k6 = await locateK6();
if (!k6.ok) {
  console.error(`bench:client needs a real k6 with k6/x/sse.\n${formatK6Problem(k6)}\n`);
  console.error('Running the Node handler micro-benchmark (our per-event JavaScript only) instead:\n');
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/handler-cost.ts'], { stdio: 'inherit' });
  await new Promise((r) => child.on('exit', r));
  process.exit(2);
}

const found = k6;
/**
 * Runs k6 under bash so `times` reports the CPU the k6 process used, children included (all of
 * it, to the exit: sampling /proc as cli/cpu-watch.ts does would miss the last interval).
 */
async function runK6(script: string, vus: number, summaryPath: string, baseUrl: string): Promise<number> {
  const vars = { BASE_URL: baseUrl, STREAM_TIMEOUT: '30s', REPORTS_DIR: tmpdir(), ...PLAIN_VUS_VARS };
  const k6Args = [
    'run', '--no-usage-report', '--quiet', '--vus', String(vus), '--duration', values.duration, '--summary-export', summaryPath,
    ...Object.entries(vars).flatMap(([name, value]) => ['-e', `${name}=${value}`]),
    resolve(script),
  ];
  const quoted = [found.bin, ...k6Args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const env = { ...process.env, ...found.env }; // found.env carries K6_NO_USAGE_REPORT
  const res = await runCommand('bash', ['-c', `${quoted} >/dev/null 2>&1; rc=$?; times; exit $rc`], env, 0); // 0: no deadline
  if (res.code !== 0) throw new Error(`k6 ${script} exited ${res.code ?? res.error}`);
  return parseBashTimes(res.stdout);
}

const mock = await startMockServer({ host: '127.0.0.1', port: 0, ttfeMs, ttftMs: ttfeMs + 10, tokens: 50, tokenIntervalMs: 20, pingIntervalMs: 0 });
const dir = mkdtempSync(join(tmpdir(), 'bench-client-'));
const rows: ClientFigures[] = [];
try {
  for (const vus of vuLevels) {
    for (const script of ['bare', 'sse'] as const) {
      const summaryPath = join(dir, `${script}-${vus}.json`);
      process.stderr.write(`k6 ${script} at ${vus} VUs for ${values.duration}… `);
      const cpuSeconds = await runK6(`build/${script}.js`, vus, summaryPath, mock.url);
      rows.push(clientFigures({ script, vus, cpuSeconds, summary: JSON.parse(readFileSync(summaryPath, 'utf8')) }, ttfeMs));
      process.stderr.write('done\n');
    }
  }
} finally {
  await mock.close();
  rmSync(dir, { recursive: true, force: true });
}
console.log(`\nbuild/sse.js vs build/bare.js, mock TTFE ${ttfeMs} ms, 50 tokens at 20 ms, ${values.duration} per run\n`);
console.log(renderClientTable(rows));
const worst = Math.max(...vuLevels.map((v) => costRatio(rows.find((r) => r.vus === v && r.script === 'sse')!, rows.find((r) => r.vus === v && r.script === 'bare')!)));
console.log(`\nworst cost ratio ${worst.toFixed(2)}× (goal ≤ ${COST_RATIO_GOAL}×): ${worst <= COST_RATIO_GOAL ? 'met' : 'MISSED'}`);
