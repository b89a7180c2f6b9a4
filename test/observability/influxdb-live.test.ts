/**
 * Writes the fixture run to a real InfluxDB 1.x exactly as k6's InfluxDB v1 output does
 * (line protocol: measurement = metric name, sample tags as tags except vu/iter/url,
 * which k6 stores as string fields, field `value`, ns timestamps) and runs every query
 * of grafana/dashboards/sse-bench-influxdb.json against it, as Grafana would after
 * expanding its macros. Skipped, with a message, where Debian's `influxd` is absent
 * (`apt-get install influxdb`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_FILES, INFLUX_ACTIVE_ALIASES } from '../../grafana/dashboards.ts';
import { dashboardQueries, expandFilters, findQuery, readDashboard, type DashboardQuery, type Filters } from './dashboard-queries.ts';
import { FIXTURE_SAMPLES, FIXTURE_TESTID, type FixtureSample } from './k6-run-fixture.ts';
import { findBinary, startInfluxd, type LocalServer } from './local-servers.ts';

const influxd = findBinary('influxd');
if (influxd === '') console.warn('SKIP influxdb-live: no `influxd` on PATH (Debian package `influxdb`)');

/** k6's default K6_INFLUXDB_TAGS_AS_FIELDS: these tags become string fields. */
const TAGS_AS_FIELDS = ['vu', 'iter', 'url'];

/** One sample as k6's InfluxDB v1 output writes it. */
export function lineProtocol(s: FixtureSample, t0Ms: number): string {
  const tags = Object.entries(s.tags)
    .filter(([k, v]) => v !== '' && !TAGS_AS_FIELDS.includes(k))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `,${k}=${v.replace(/([ ,=])/g, '\\$1')}`)
    .join('');
  const fields = [`value=${s.value}`, ...Object.entries(s.tags).filter(([k]) => TAGS_AS_FIELDS.includes(k)).map(([k, v]) => `${k}="${v}"`)];
  return `${s.metric}${tags} ${fields.join(',')} ${BigInt(t0Ms + s.atMs) * 1_000_000n}`;
}

const ALL: Filters = { scenario: '.*', target: '.*', testid: '.*' };

/** What Grafana sends for a query: macros and template variables expanded. */
function expand(query: string, t0Ms: number, intervalS: number, f: Filters): string {
  const iso = (ms: number): string => new Date(ms).toISOString();
  const macros = query
    .split('$timeFilter')
    .join(`time >= '${iso(t0Ms)}' AND time < '${iso(t0Ms + 300_000)}'`)
    .split('$__interval_ms')
    .join(String(intervalS * 1000))
    .split('$__interval')
    .join(`${intervalS}s`);
  return expandFilters(macros, f);
}

interface Series {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: [string, number | null][];
}

describe.skipIf(influxd === '')('dashboard queries against a real InfluxDB 1.x', () => {
  let server: LocalServer;
  // a 5-minute block that ended at least 5 minutes ago: every GROUP BY bucket is aligned
  const t0 = Math.floor(Date.now() / 300_000) * 300_000 - 600_000;
  const queries = dashboardQueries(readDashboard(DASHBOARD_FILES.influxdb));
  const panelQuery = (panel: string, refId = 'A'): DashboardQuery => findQuery(queries, panel, refId);

  async function run(query: string): Promise<Series[]> {
    const res = await fetch(`${server.url}/query?${new URLSearchParams({ db: 'k6', epoch: 'ms', q: query })}`);
    const body = (await res.json()) as { results: { series?: Series[]; error?: string }[]; error?: string };
    const result = body.results?.[0];
    if (!res.ok || body.error !== undefined || result?.error !== undefined) {
      throw new Error(`${query}\n→ ${body.error ?? result?.error ?? res.status}`);
    }
    return result?.series ?? [];
  }
  const values = (series: Series[]): (number | null)[] => series.flatMap((s) => s.values.map((v) => v[1]));
  const one = async (q: DashboardQuery, f: Filters = ALL): Promise<number | null> => {
    const v = values(await run(expand(q.text, t0, 300, f)));
    expect(v, q.text).toHaveLength(1);
    return v[0] ?? null;
  };

  beforeAll(async () => {
    server = await startInfluxd(influxd, 'k6');
    const body = FIXTURE_SAMPLES.map((s) => lineProtocol(s, t0)).join('\n');
    const res = await fetch(`${server.url}/write?db=k6`, { method: 'POST', body });
    if (res.status !== 204) throw new Error(`write failed: ${res.status} ${await res.text()}`);
  }, 30_000);
  afterAll(async () => server?.stop());

  it('every dashboard query runs (InfluxQL accepted by InfluxDB)', async () => {
    for (const q of queries) {
      const text = q.panel.startsWith('variable') ? q.text : expand(q.text, t0, 60, ALL);
      await expect(run(text), `${q.panel} ${q.refId}`).resolves.toBeDefined();
    }
  });

  it('template variables list the tag values the run wrote', async () => {
    const list = async (name: string): Promise<(number | string | null)[]> =>
      (await run(queries.find((q) => q.panel === `variable ${name}`)?.text ?? '')).flatMap((s) => s.values.map((v) => v[1]));
    expect(await list('scenario')).toEqual(['burst', 'stream']);
    expect(await list('target')).toEqual(['dify-workflow']);
    expect(await list('testid')).toEqual([FIXTURE_TESTID]);
  });

  it('active streams: opened − closed, summed over both generators, per minute (the panel’s transformation)', async () => {
    const f = { ...ALL, scenario: 'stream' };
    const opened = values(await run(expand(panelQuery('Active streams', 'A').text, t0, 60, f)));
    const closed = values(await run(expand(panelQuery('Active streams', 'B').text, t0, 60, f)));
    expect(panelQuery('Active streams', 'A').alias).toBe(INFLUX_ACTIVE_ALIASES.opened);
    expect(opened).toEqual([5, 7, 9, 9, 9]);
    expect(closed).toEqual([0, 2, 7, 7, 7]);
    expect(opened.map((o, i) => (o ?? 0) - (closed[i] ?? 0))).toEqual([5, 5, 2, 2, 2]);
    // without the scenario filter the 100 burst streams count too
    const openedAll = values(await run(expand(panelQuery('Active streams', 'A').text, t0, 60, ALL)));
    expect(openedAll).toEqual([105, 107, 109, 109, 109]);
  });

  it('filters: a testid or target that does not match selects nothing; `.*` matches a run without the tag', async () => {
    const q = panelQuery('Connections/s');
    expect(await run(expand(q.text, t0, 300, { ...ALL, testid: 'other' }))).toEqual([]);
    expect(await run(expand(q.text, t0, 300, { ...ALL, target: 'openai-chat' }))).toEqual([]);
    // a point without testid (k6 run without --tag testid=…) still matches the "All" value
    const res = await fetch(`${server.url}/write?db=k6`, {
      method: 'POST',
      body: `sse_streams_opened,scenario=untagged,target=dify-workflow value=1 ${BigInt(t0 + 200_000) * 1_000_000n}`,
    });
    expect(res.status).toBe(204);
    expect(await one(q, { ...ALL, scenario: 'untagged' })).toBeCloseTo(1 / 300, 12);
  });

  it('connections/s and events/s: samples in the interval ÷ its length in seconds', async () => {
    const f = { ...ALL, scenario: 'stream' };
    expect(await one(panelQuery('Connections/s', 'A'), f)).toBeCloseTo(9 / 300, 12);
    expect(await one(panelQuery('Connections/s', 'B'), f)).toBeCloseTo(7 / 300, 12);
    expect(await one(panelQuery('Events/s', 'A'), f)).toBeCloseTo(70 / 300, 12);
    expect(await one(panelQuery('Tokens/s', 'B'), f)).toBeCloseTo(140 / 300, 12);
  });

  it('TTFE percentiles over the raw samples of both generators (nearest rank)', async () => {
    // TTFE samples: 100, 150, 200, 250, 300, 350, 450 ms
    expect(await one(panelQuery('TTFE', 'A'))).toBe(250);
    expect(await one(panelQuery('TTFE', 'B'))).toBe(450);
    expect(await one(panelQuery('TTFE', 'C'))).toBe(450);
    expect(await one(panelQuery('Tokens/s', 'A'))).toBe(30); // per-stream tokens/s 20, 30, 40: p50
  });

  it('success rate and errors by type', async () => {
    expect(await one(panelQuery('Success rate'))).toBeCloseTo(4 / 7, 12);
    expect(await one(panelQuery('Goodput'))).toBeCloseTo(3 / 7, 12); // success and TTFE ≤ 200 in the fixture: 100, 200, 150
    const byType = await run(expand(panelQuery('Errors by type').text, t0, 60, ALL));
    // running totals per minute: both timeouts and the 5xx happen in minute 2
    expect(Object.fromEntries(byType.map((s) => [s.tags?.error_type, values([s])]))).toEqual({ http_5xx: [0, 0, 1, 1, 1], timeout: [0, 0, 2, 2, 2] });
  });

  it('Dify node time p95 by node type', async () => {
    const byNode = await run(expand(panelQuery('Dify node time by node type').text, t0, 300, ALL));
    expect(Object.fromEntries(byNode.map((s) => [s.tags?.node_type, s.values[0]?.[1]]))).toEqual({ code: 6, llm: 400 });
  });
});
