/**
 * `npm run perf:handler`: what the suite's per-event JavaScript costs next to the bare
 * reference (lib/vu/bare-reference.ts: read `data`, `JSON.parse` it — what build/bare.js does),
 * on the BUNDLED code (lib/ bundled by esbuild like the k6 scripts, no k6 doubles), replaying
 * four streams recorded from the embedded mock (Dify workflow and OpenAI chat, ASCII and
 * Chinese), in ONE run, in two Node processes:
 *   - with V8's optimising JIT, which makes property lookups and calls nearly free, and
 *   - with `--jitless`, V8's interpreter only — much closer to k6's Sobek, an interpreter
 *     (calibration: /work/shared/k6-runtime-costs.md §5, summarised in the README).
 * The goal (issue 9): the `stream` handler ≤ 1.0× bare under --jitless on all four streams.
 *
 *   npm run perf:handler [-- --tokens 2000 --budget-ms 16000 --events-per-round 60000]
 *
 * Each handler call includes its `Date.now()`, as in k6. Samples go to an array (k6's Trend.add
 * costs ~2.7 µs in k6: the INTER_EVENT_SAMPLES row is a lower bound). Neither process is k6:
 * these are not k6 figures; `npm run perf:client` measures k6 itself.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import * as esbuild from 'esbuild';
import { recordStreams, type HandlerCostResult } from './handler-cost-streams.ts';

const ROOT = resolve(import.meta.dirname, '..');
export const JITLESS_GOAL = 1.0;

const { values } = parseArgs({
  options: {
    tokens: { type: 'string', default: '2000' },
    'budget-ms': { type: 'string', default: '16000' },
    'events-per-round': { type: 'string', default: '60000' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log('npm run perf:handler -- [--tokens 2000] [--budget-ms 16000] [--events-per-round 60000]   (budget per process; two processes run one after the other)');
  process.exit(0);
}
const tokens = Number(values.tokens);
const budgetMs = Number(values['budget-ms']);
if (!Number.isInteger(tokens) || tokens < 10 || tokens > 100_000) throw new Error(`--tokens: expected an integer 10..100000, got ${values.tokens}`);
if (!Number.isInteger(budgetMs) || budgetMs < 1000 || budgetMs > 120_000) throw new Error(`--budget-ms: expected an integer 1000..120000, got ${values['budget-ms']}`);
const perRound = Number(values['events-per-round']);
if (!Number.isInteger(perRound) || perRound < 100 || perRound > 1_000_000) throw new Error(`--events-per-round: expected an integer 100..1000000, got ${values['events-per-round']}`);

const dir = mkdtempSync(join(tmpdir(), 'sse-bench-handler-cost-'));
try {
  const corePath = join(dir, 'core.mjs');
  await esbuild.build({
    entryPoints: [join(ROOT, 'perf', 'handler-cost-core.ts')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2020', // as esbuild.mjs: the code k6 runs
    outfile: corePath,
    logLevel: 'silent',
  });
  const streams = await recordStreams(tokens);
  const streamsPath = join(dir, 'streams.json');
  writeFileSync(streamsPath, JSON.stringify(streams));

  const run = async (jitless: boolean): Promise<HandlerCostResult[]> => {
    const args = [...(jitless ? ['--jitless'] : []), '--import', 'tsx', join(ROOT, 'perf', 'handler-cost-run.ts'), corePath, streamsPath, String(budgetMs), String(perRound)];
    const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: ROOT, maxBuffer: 1 << 20, timeout: budgetMs * 4 + 30_000 });
    return JSON.parse(stdout) as HandlerCostResult[];
  };
  process.stderr.write(`replaying ${streams.map((s) => `${s.name} (${s.events.length} events)`).join(', ')}\n`);
  process.stderr.write('with the JIT… ');
  const jit = await run(false);
  process.stderr.write('done; --jitless… ');
  const jitless = await run(true);
  process.stderr.write('done\n\n');
  console.log(renderHandlerTable(jit, jitless));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function ratio(rows: readonly HandlerCostResult[], stream: string, ns: number): number {
  const bare = rows.find((r) => r.stream === stream && r.handler === 'bare');
  return bare === undefined ? Number.NaN : ns / bare.nsPerEvent;
}

export function renderHandlerTable(jit: readonly HandlerCostResult[], jitless: readonly HandlerCostResult[]): string {
  const lines = [
    `handler cost per event, node ${process.version}, CPU time, best round (${new Date().toISOString().slice(0, 10)})`,
    '',
    '| stream | handler | JIT ns/event | JIT vs bare | --jitless ns/event | --jitless vs bare |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
  ];
  let worst = 0;
  for (const row of jit) {
    const slow = jitless.find((r) => r.stream === row.stream && r.handler === row.handler);
    const slowRatio = slow ? ratio(jitless, row.stream, slow.nsPerEvent) : Number.NaN;
    if (row.handler === 'stream') worst = Math.max(worst, slowRatio);
    lines.push(
      `| ${row.stream} | ${row.handler} | ${row.nsPerEvent.toFixed(0)} | ${ratio(jit, row.stream, row.nsPerEvent).toFixed(2)}× | ${slow?.nsPerEvent.toFixed(0) ?? 'n/a'} | ${slowRatio.toFixed(2)}× |`,
    );
  }
  lines.push('', `stream handler, worst of the four streams under --jitless: ${worst.toFixed(2)}× bare (goal ≤ ${JITLESS_GOAL.toFixed(1)}×): ${worst <= JITLESS_GOAL ? 'met' : 'MISSED'}`);
  return lines.join('\n');
}
