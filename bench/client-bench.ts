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
import { formatK6Problem, locateK6 } from '../cli/k6-locate.ts';
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
if (!/^\d+(ms|s|m)$/.test(values.duration)) {
  console.error(`--duration: expected a Go duration such as 20s, got ${values.duration}`);
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

/** Runs k6 under bash so `times` reports the CPU the k6 process used, children included. */
function runK6(script: string, vus: number, summaryPath: string, baseUrl: string): Promise<number> {
  const k6Args = [
    'run', '--no-usage-report', '--quiet', '--vus', String(vus), '--duration', values.duration,
    '--summary-export', summaryPath, '-e', `BASE_URL=${baseUrl}`, '-e', 'THRESHOLDS=none', '-e', 'STREAM_TIMEOUT=30s',
    '-e', `REPORTS_DIR=${tmpdir()}`,
    // k6's --vus/--duration run the default scenario; blank the profile variables so a PROFILE,
    // RATE… in the caller's shell cannot make the script reject its settings.
    '-e', 'PROFILE=smoke', '-e', 'VUS=', '-e', 'ITERATIONS=', '-e', 'DURATION=', '-e', 'RATE=', '-e', 'SCENARIOS=',
    resolve(script),
  ];
  const quoted = [k6.ok ? k6.bin : 'k6', ...k6Args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', ['-c', `${quoted} >/dev/null 2>&1; rc=$?; times; exit $rc`], {
      env: { ...process.env, ...(k6.ok ? k6.env : {}), K6_NO_USAGE_REPORT: 'true' },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolvePromise(parseBashTimes(out)) : reject(new Error(`k6 ${script} exited ${code}`))));
  });
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
