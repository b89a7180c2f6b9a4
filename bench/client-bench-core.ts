/**
 * Arithmetic of `npm run bench:client`: CPU per 1,000 events and TTFE error of one k6 run,
 * and the ratio of build/sse.js to the bare reference script. Pure, so it is unit-tested.
 */

/** What one k6 run left behind: its `--summary-export` JSON and the CPU its process used. */
export interface ClientRun {
  readonly script: 'bare' | 'sse';
  readonly vus: number;
  /** user + system CPU seconds of the k6 process (bash `times`, children line). */
  readonly cpuSeconds: number;
  /** k6's `--summary-export` document. */
  readonly summary: unknown;
}

export interface ClientFigures {
  readonly script: 'bare' | 'sse';
  readonly vus: number;
  readonly events: number;
  readonly eventsPerSecond: number;
  readonly cpuMsPer1000Events: number;
  readonly ttfeP50Ms: number;
  readonly ttfeP95Ms: number;
  /** measured TTFE p50 − the TTFE the mock was told to produce. */
  readonly ttfeErrorMs: number;
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
  return {
    script: run.script,
    vus: run.vus,
    events: count,
    eventsPerSecond: stat(events, 'rate', 'sse_event'),
    cpuMsPer1000Events: count === 0 ? Number.NaN : (run.cpuSeconds * 1000 * 1000) / count,
    ttfeP50Ms: p50,
    ttfeP95Ms: stat(ttfe, 'p(95)', 'sse_ttfe'),
    ttfeErrorMs: p50 - mockTtfeMs,
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

/** The goal of issue 2: build/sse.js costs at most 1.2× the bare script per event. */
export const COST_RATIO_GOAL = 1.2;

export function costRatio(sse: ClientFigures, bare: ClientFigures): number {
  return sse.cpuMsPer1000Events / bare.cpuMsPer1000Events;
}

export function renderClientTable(rows: readonly ClientFigures[]): string {
  const head = '| VUs | script | events | events/s | CPU ms / 1,000 events | TTFE p50 | TTFE p95 | TTFE error | cost vs bare |';
  const sep = '|---:|---|---:|---:|---:|---:|---:|---:|---:|';
  const lines = rows.map((r) => {
    const bare = rows.find((b) => b.vus === r.vus && b.script === 'bare');
    const ratio = r.script === 'sse' && bare ? `${costRatio(r, bare).toFixed(2)}×` : '';
    return `| ${r.vus} | ${r.script} | ${r.events} | ${r.eventsPerSecond.toFixed(0)} | ${r.cpuMsPer1000Events.toFixed(1)} | ${r.ttfeP50Ms.toFixed(1)} ms | ${r.ttfeP95Ms.toFixed(1)} ms | ${r.ttfeErrorMs >= 0 ? '+' : ''}${r.ttfeErrorMs.toFixed(1)} ms | ${ratio} |`;
  });
  return [head, sep, ...lines].join('\n');
}
