/**
 * Arithmetic of `npm run perf:client`: CPU per 1,000 events, TTFE error and peak memory of one
 * k6 run; the median and spread of repeated runs; the ratio of build/sse.js to the bare
 * reference (build/bare.js); the idle-VU memory figure. Pure, so it is unit-tested.
 */
import { median } from '../cli/figure-spread.ts';

export type ClientScript = 'bare' | 'sse';

/** What one k6 run left behind: its `--summary-export` JSON, the CPU its process used, its peak RSS. */
export interface ClientRun {
  readonly script: ClientScript;
  readonly vus: number;
  /** user + system CPU seconds of the k6 process (bash `times`, children line). */
  readonly cpuSeconds: number;
  /** Peak resident memory of the k6 process in kB (VmHWM), 0 when it could not be read. */
  readonly maxRssKb: number;
  /** k6's `--summary-export` document. */
  readonly summary: unknown;
}

export interface ClientFigures {
  readonly script: ClientScript;
  readonly vus: number;
  readonly events: number;
  readonly eventsPerSecond: number;
  readonly cpuMsPer1000Events: number;
  readonly ttfeP50Ms: number;
  readonly ttfeP95Ms: number;
  /** measured TTFE p50 / p95 − the TTFE the mock was told to produce. */
  readonly ttfeP50ErrorMs: number;
  readonly ttfeP95ErrorMs: number;
  readonly maxRssMb: number;
}

type MetricValues = Record<string, number>;

/** `--summary-export` keeps each metric's values flat: `{ count, rate }`, `{ avg, med, 'p(95)' … }`. */
function metric(summary: unknown, name: string): MetricValues {
  const metrics = (summary as { metrics?: Record<string, MetricValues> } | null)?.metrics;
  const values = metrics?.[name];
  if (values === undefined) throw new Error(`summary has no metric ${name}`);
  return values;
}

function stat(values: MetricValues, key: string, name: string): number {
  const v = values[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`metric ${name} has no ${key}`);
  return v;
}

export function clientFigures(run: ClientRun, mockTtfeMs: number): ClientFigures {
  const events = metric(run.summary, 'sse_event');
  const ttfe = metric(run.summary, 'sse_ttfe');
  const count = stat(events, 'count', 'sse_event');
  const p50 = stat(ttfe, 'med', 'sse_ttfe');
  const p95 = stat(ttfe, 'p(95)', 'sse_ttfe');
  return {
    script: run.script,
    vus: run.vus,
    events: count,
    eventsPerSecond: stat(events, 'rate', 'sse_event'),
    cpuMsPer1000Events: count === 0 ? Number.NaN : (run.cpuSeconds * 1000 * 1000) / count,
    ttfeP50Ms: p50,
    ttfeP95Ms: p95,
    ttfeP50ErrorMs: p50 - mockTtfeMs,
    ttfeP95ErrorMs: p95 - mockTtfeMs,
    maxRssMb: run.maxRssKb / 1024,
  };
}

/** Parses the children's line of bash `times` ("0m1.250s 0m0.310s") into CPU seconds. */
export function parseBashTimes(output: string): number {
  const lines = output.trim().split('\n');
  const children = lines[lines.length - 1] ?? '';
  const m = /^(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s$/.exec(children.trim());
  if (!m) throw new Error(`cannot read CPU time from bash times output: ${JSON.stringify(children)}`);
  return Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]);
}

/**
 * A bash script that runs `argv` (output discarded) and prints `hwm_kb <n>`, its peak RSS, and bash
 * `times` (whose last line is the CPU of the waited-for child, all of it), then exits with its code.
 * The peak comes from GNU time (`%M`, the kernel's own maximum, exact however short the run) when
 * `timeBin` is given; else from polling VmHWM in /proc every 50 ms, which can miss a run shorter than that.
 */
export function measuredCommand(argv: readonly string[], timeBin = ''): string {
  const quoted = argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  if (timeBin !== '') {
    return `f=$(mktemp); '${timeBin}' -f '%M' -o "$f" ${quoted} >/dev/null 2>&1; rc=$?; echo "hwm_kb $(tail -n 1 "$f")"; rm -f "$f"; times; exit $rc`;
  }
  return `${quoted} >/dev/null 2>&1 & pid=$!; hwm=0; while kill -0 $pid 2>/dev/null; do v=$(awk '/^VmHWM/{print $2}' /proc/$pid/status 2>/dev/null); [ -n "$v" ] && hwm=$v; sleep 0.05; done; wait $pid; rc=$?; echo "hwm_kb $hwm"; times; exit $rc`;
}

/** The `hwm_kb <n>` line the bench's bash wrapper prints (peak RSS of k6, from /proc/<pid>/status). */
export function parseHwmKb(output: string): number {
  const m = /^hwm_kb (\d+)$/m.exec(output);
  return m ? Number(m[1]) : 0;
}

/** The goals, one place (issue "per-VU footprint"): build/sse.js against the bare reference, which parses every event too. */
export const GOALS = {
  /** CPU per event, sse ÷ bare. */
  costRatio: 1.0,
  /** Memory of an idle VU above a bare one, MB. */
  vuMemoryMb: 0.1,
  /** Init CPU of a VU above a bare one, ms. */
  vuInitCpuMs: 0.5,
  /** N VUs each holding a long stream: peak RSS, sse ÷ bare. */
  holdRssRatio: 1.25,
  /** The same run: CPU per event, sse ÷ bare. */
  holdCpuRatio: 1.1,
} as const;

/** `value` shown with `digits` decimals, then "(goal ≤ limit<unit>): met|MISSED", judged on the value as shown. */
export function againstGoal(value: number, limit: number, digits: number, unit: string, signed = false): string {
  const shown = value.toFixed(digits);
  return `${signed && value >= 0 ? '+' : ''}${shown}${unit} (goal ≤ ${limit}${unit}): ${Number(shown) <= limit ? 'met' : 'MISSED'}`;
}

/** Median and range of repeated measurements (the spread says which differences are noise). */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export function spread(values: readonly number[]): Spread {
  const m = median(values);
  if (m === null) throw new Error('spread of no values');
  return { median: m, min: Math.min(...values), max: Math.max(...values) };
}

const FIELDS = ['cpuMsPer1000Events', 'eventsPerSecond', 'ttfeP50ErrorMs', 'ttfeP95ErrorMs', 'maxRssMb'] as const;
type Field = (typeof FIELDS)[number];

/** The repeated runs of one script at one load, figure by figure. */
export interface ClientSummary {
  readonly script: ClientScript;
  readonly vus: number;
  readonly runs: number;
  readonly figures: Readonly<Record<Field, Spread>>;
  /** CPU per event against bare's, run by run (runs are paired in the order they alternated): median and range. */
  readonly costVsBare: Spread | null;
}

/** Groups runs by script and VUs (in the order first seen); pairs sse run i with bare run i for the ratio. */
export function summarise(rows: readonly ClientFigures[]): ClientSummary[] {
  const keys: string[] = [];
  const groups = new Map<string, ClientFigures[]>();
  for (const r of rows) {
    const key = `${r.vus}/${r.script}`;
    if (!groups.has(key)) {
      keys.push(key);
      groups.set(key, []);
    }
    groups.get(key)!.push(r);
  }
  return keys.map((key) => {
    const runs = groups.get(key)!;
    const { script, vus } = runs[0]!;
    const bare = groups.get(`${vus}/bare`) ?? [];
    const ratios = script === 'sse' ? runs.flatMap((r, i) => (bare[i] ? [r.cpuMsPer1000Events / bare[i].cpuMsPer1000Events] : [])) : [];
    const figures = Object.fromEntries(FIELDS.map((f) => [f, spread(runs.map((r) => r[f]))])) as Record<Field, Spread>;
    return { script, vus, runs: runs.length, figures, costVsBare: ratios.length > 0 ? spread(ratios) : null };
  });
}

function fmt(s: Spread, digits: number, signed = false): string {
  const one = (v: number): string => `${signed && v >= 0 ? '+' : ''}${v.toFixed(digits)}`;
  return s.min === s.max ? one(s.median) : `${one(s.median)} (${one(s.min)}…${one(s.max)})`;
}

/** One row per script and load: median (min…max) of each figure. */
export function renderClientTable(summaries: readonly ClientSummary[]): string {
  const head = '| VUs | script | runs | CPU ms / 1,000 events | cost vs bare | events/s | TTFE p50 error | TTFE p95 error | max RSS MB |';
  const sep = '|---:|---|---:|---:|---:|---:|---:|---:|---:|';
  const lines = summaries.map((s) => {
    const f = s.figures;
    const ratio = s.costVsBare === null ? '' : `${fmt(s.costVsBare, 2)}×`;
    return `| ${s.vus} | ${s.script} | ${s.runs} | ${fmt(f.cpuMsPer1000Events, 1)} | ${ratio} | ${fmt(f.eventsPerSecond, 0)} | ${fmt(f.ttfeP50ErrorMs, 1, true)} ms | ${fmt(f.ttfeP95ErrorMs, 1, true)} ms | ${fmt(f.maxRssMb, 0)} |`;
  });
  return [head, sep, ...lines].join('\n');
}

/** The verdicts of issue 9's goals, one line each. */
export function verdicts(summaries: readonly ClientSummary[]): string[] {
  const out: string[] = [];
  for (const sse of summaries.filter((s) => s.script === 'sse')) {
    const bare = summaries.find((s) => s.script === 'bare' && s.vus === sse.vus);
    if (!bare || sse.costVsBare === null) continue;
    const cpu = sse.costVsBare.median;
    out.push(`${sse.vus} VUs: CPU per event vs bare ${againstGoal(cpu, GOALS.costRatio, 2, '×')}`);
    const worse = (k: 'ttfeP50ErrorMs' | 'ttfeP95ErrorMs'): boolean => sse.figures[k].median > bare.figures[k].max;
    const ttfeOk = !worse('ttfeP50ErrorMs') && !worse('ttfeP95ErrorMs');
    out.push(
      `${sse.vus} VUs: TTFE error p50 ${sse.figures.ttfeP50ErrorMs.median.toFixed(1)} / p95 ${sse.figures.ttfeP95ErrorMs.median.toFixed(1)} ms vs bare ${bare.figures.ttfeP50ErrorMs.median.toFixed(1)} / ${bare.figures.ttfeP95ErrorMs.median.toFixed(1)} ms (goal: no worse than bare's range): ${ttfeOk ? 'met' : 'MISSED'}`,
    );
  }
  return out;
}

/** One idle-VU run (init code and one refused request per VU): the process's peak RSS and CPU. */
export interface IdleRun {
  readonly script: ClientScript;
  readonly vus: number;
  readonly maxRssKb: number;
  readonly cpuSeconds: number;
}

/**
 * What each VU of sse.js costs above one of bare.js. Each figure is a slope — (run at the larger
 * VU count − run at the smaller) ÷ the VUs between them — so what a test pays once (k6's start,
 * the options instance, handleSummary's reports) drops out; then sse's slope minus bare's.
 * Runs are paired in the order they alternated; median and range of the pairs.
 */
export interface PerVuCost {
  readonly vus: readonly [number, number];
  readonly pairs: number;
  readonly bareRssMb: Spread;
  readonly sseRssMb: Spread;
  readonly bareMbPerVu: Spread;
  readonly sseMbPerVu: Spread;
  readonly memoryMbPerVu: Spread;
  readonly initCpuMsPerVu: Spread;
}

export function perVuCost(runs: readonly IdleRun[]): PerVuCost {
  const sizes = [...new Set(runs.map((r) => r.vus))].sort((a, b) => a - b);
  if (sizes.length !== 2) throw new Error(`perVuCost: expected runs at two VU counts, got ${sizes.join(', ') || 'none'}`);
  const [lo, hi] = sizes as [number, number];
  const of = (script: ClientScript, vus: number): IdleRun[] => runs.filter((r) => r.script === script && r.vus === vus);
  const pairs = Math.min(of('bare', lo).length, of('bare', hi).length, of('sse', lo).length, of('sse', hi).length);
  if (pairs === 0) throw new Error('perVuCost: no complete set of bare and sse runs at both VU counts');
  const idx = Array.from({ length: pairs }, (_, i) => i);
  const slope = (script: ClientScript, field: 'maxRssKb' | 'cpuSeconds'): number[] =>
    idx.map((i) => (of(script, hi)[i]![field] - of(script, lo)[i]![field]) / (hi - lo));
  const bareMem = slope('bare', 'maxRssKb').map((kb) => kb / 1024);
  const sseMem = slope('sse', 'maxRssKb').map((kb) => kb / 1024);
  const bareCpu = slope('bare', 'cpuSeconds');
  const sseCpu = slope('sse', 'cpuSeconds');
  return {
    vus: [lo, hi],
    pairs,
    bareRssMb: spread(of('bare', hi).slice(0, pairs).map((r) => r.maxRssKb / 1024)),
    sseRssMb: spread(of('sse', hi).slice(0, pairs).map((r) => r.maxRssKb / 1024)),
    bareMbPerVu: spread(bareMem),
    sseMbPerVu: spread(sseMem),
    memoryMbPerVu: spread(idx.map((i) => sseMem[i]! - bareMem[i]!)),
    initCpuMsPerVu: spread(idx.map((i) => (sseCpu[i]! - bareCpu[i]!) * 1000)),
  };
}

/** The per-VU lines of the bench: memory and init CPU above bare, against their goals. */
export function perVuLines(c: PerVuCost): string[] {
  const [lo, hi] = c.vus;
  return [
    `idle VUs (init + one refused request), ${lo} and ${hi} VUs, ${c.pairs} alternating sets: peak RSS at ${hi} VUs bare ${fmt(c.bareRssMb, 0)} MB, sse ${fmt(c.sseRssMb, 0)} MB; ` +
      `per VU (slope ${lo}→${hi}) bare ${fmt(c.bareMbPerVu, 3)} MB, sse ${fmt(c.sseMbPerVu, 3)} MB`,
    `per VU above bare: memory ${againstGoal(c.memoryMbPerVu.median, GOALS.vuMemoryMb, 3, ' MB', true)}, range ${fmt(c.memoryMbPerVu, 3, true)}; ` +
      `init CPU ${againstGoal(c.initCpuMsPerVu.median, GOALS.vuInitCpuMs, 2, ' ms', true)}, range ${fmt(c.initCpuMsPerVu, 2, true)}`,
  ];
}

/** One run of N VUs holding long streams: CPU seconds, peak RSS, events received. */
export interface HoldRun {
  readonly cpuSeconds: number;
  readonly maxRssKb: number;
  readonly events: number;
}

/** The lines of the held-streams run: peak RSS and CPU per event of sse against bare, against their goals. */
export function holdLinesOf(vus: number, runs: Readonly<Record<ClientScript, HoldRun>>): string[] {
  const { bare, sse } = runs;
  const rss = sse.maxRssKb / bare.maxRssKb;
  const perEvent = (r: HoldRun): number => (r.events > 0 ? (r.cpuSeconds * 1e6) / r.events : Number.NaN);
  const cpu = perEvent(sse) / perEvent(bare);
  return [
    `${vus} VUs each holding a 30 s stream (10 tokens/s), 30 s run: peak RSS bare ${(bare.maxRssKb / 1024).toFixed(0)} MB, sse ${(sse.maxRssKb / 1024).toFixed(0)} MB → ${againstGoal(rss, GOALS.holdRssRatio, 2, '×')}`,
    `  CPU per event (whole run, init included) bare ${perEvent(bare).toFixed(1)} µs, sse ${perEvent(sse).toFixed(1)} µs → ${againstGoal(cpu, GOALS.holdCpuRatio, 2, '×')}`,
  ];
}
