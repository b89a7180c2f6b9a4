/**
 * k6's web dashboard view (grafana/web-dashboard.ts → grafana/k6-web-dashboard.json): the
 * committed file against the generator, every SSE query against lib/metric-defs.ts and the
 * dashboard's query language, and the stock tabs kept. The real-k6 check (k6 sends this
 * file as its `config` event, and the export embeds it) is test/e2e/web-dashboard.test.ts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { METRICS, RECORDED_METRICS } from '../../lib/metric-defs.ts';
import { buildWebDashboardConfig, DASHBOARD_AGGREGATES, query, queriesOf, SSE_TAB_ID, WEB_DASHBOARD_FILE, webDashboardFileText, webDashboardPath } from '../../grafana/web-dashboard.ts';
import { STOCK_TABS } from '../../grafana/web-dashboard-stock.ts';
import type { DashboardConfig } from '../../grafana/web-dashboard-model.ts';

const config = buildWebDashboardConfig();
const sseTab = config.tabs[0]!;
const sseQueries = queriesOf({ title: '', tabs: [sseTab] });
const byName = new Map(RECORDED_METRICS.map((m) => [m.name, m]));

/** `metric[?!tags && agg]` or `metric[?tags.tag && agg]`: the two shapes the SSE tab uses. */
const QUERY = /^([a-z_0-9]+)\[\?(?:!tags|tags\.([a-z_]+)) && ([a-z0-9]+)\]$/;

describe('grafana/k6-web-dashboard.json', () => {
  it('is what grafana/web-dashboard.ts builds (run `npm run dashboards`)', () => {
    expect(readFileSync(WEB_DASHBOARD_FILE, 'utf8')).toBe(webDashboardFileText());
    expect(webDashboardPath().endsWith(`/${WEB_DASHBOARD_FILE}`)).toBe(true);
    expect(JSON.parse(readFileSync(webDashboardPath(), 'utf8'))).toEqual(config);
  });

  it("opens on the SSE tab and keeps k6's stock tabs unchanged after it", () => {
    expect(config.tabs.map((t) => t.title)).toEqual(['SSE', 'Overview', 'Timings', 'Summary']);
    expect(sseTab.id).toBe(SSE_TAB_ID);
    expect(config.tabs.slice(1)).toEqual(STOCK_TABS);
  });

  it('has unique ids, numbered like the dashboard numbers its default configuration', () => {
    const ids = config.tabs.flatMap((t) => [t.id, ...t.sections.flatMap((s) => [s.id, ...s.panels.map((p) => p.id)])]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(STOCK_TABS.map((t) => t.id)).toEqual(['tab-0', 'tab-1', 'tab-2']);
    expect(STOCK_TABS[1]!.sections[3]!.panels[2]).toEqual({
      id: 'tab-1.section-3.panel-2',
      title: 'Streams Rate',
      kind: 'chart',
      summary: 'The total number of gRPC streams started.',
      series: [{ query: 'grpc_streams[?!tags && rate]' }],
    });
  });
});

describe('the SSE tab', () => {
  it('queries only metrics of lib/metric-defs.ts, with aggregates and tags they have', () => {
    expect(sseQueries.length).toBeGreaterThan(15);
    for (const { where, query: q } of sseQueries) {
      const m = QUERY.exec(q);
      expect(m, `${where}: ${q}`).not.toBeNull();
      const [, name, tag, aggregate] = m!;
      const def = byName.get(name!);
      expect(def, `${where}: ${name} is not in RECORDED_METRICS`).toBeDefined();
      expect(DASHBOARD_AGGREGATES[def!.kind], `${where}: ${q}`).toContain(aggregate);
      if (tag !== undefined) expect(def!.extraTags, `${where}: ${q}`).toContain(tag);
    }
  });

  it('shows what the issue asks for: streams opened/closed, connections/s, events/s, TTFE/TTFT p50/p95, gaps, errors by type, success, tokens/s', () => {
    const qs = sseQueries.map((q) => q.query);
    expect(qs).toEqual(
      expect.arrayContaining([
        'sse_streams_opened[?!tags && rate]',
        'sse_streams_closed[?!tags && rate]',
        'sse_event[?!tags && rate]',
        'sse_ttfe[?!tags && med]',
        'sse_ttfe[?!tags && p95]',
        'sse_ttft[?!tags && med]',
        'sse_ttft[?!tags && p95]',
        'sse_stream_gap_mean[?!tags && p95]',
        'sse_stream_gap_max[?!tags && p95]',
        'sse_errors[?tags.error_type && rate]',
        'sse_stream_success[?!tags && rate]',
        'llm_output_tokens[?!tags && rate]',
        'llm_tokens_per_second[?!tags && p95]',
      ]),
    );
    const panel = sseTab.sections.flatMap((s) => s.panels).find((p) => p.title === 'Streams opened and closed per second');
    expect(panel?.summary).toContain('Active streams = sse_streams_opened − sse_streams_closed');
  });

  it('labels only queries that select one vector (the dashboard pairs legends with vectors by position)', () => {
    for (const panel of sseTab.sections.flatMap((s) => s.panels)) {
      const firstTagged = panel.series.findIndex((q) => !q.query.includes('[?!tags'));
      if (firstTagged < 0) continue;
      expect(panel.series.slice(firstTagged).every((q) => q.legend === undefined), panel.title).toBe(true);
      expect(firstTagged, `${panel.title}: a per-tag query must come last`).toBe(panel.series.length - 1);
    }
  });
});

describe('query', () => {
  it('builds untagged and per-tag queries', () => {
    expect(query(METRICS.ttfe, 'p99')).toBe('sse_ttfe[?!tags && p99]');
    expect(query(METRICS.errors, 'count', 'error_type')).toBe('sse_errors[?tags.error_type && count]');
  });

  it('refuses aggregates a metric type lacks and tags a metric does not carry', () => {
    expect(() => query(METRICS.ttfe, 'rate')).toThrow('web dashboard: sse_ttfe is a trend; it has no "rate" (avg, min, med, max, p90, p95, p99)');
    expect(() => query(METRICS.streamsOpened, 'p95')).toThrow('has no "p95"');
    expect(() => query(METRICS.ttfe, 'p95', 'error_type')).toThrow('web dashboard: sse_ttfe carries no "error_type" tag');
  });

  it('queriesOf lists every series with where it is', () => {
    const tiny: DashboardConfig = { title: 't', tabs: [STOCK_TABS[2]!] };
    expect(queriesOf(tiny)).toEqual([
      { where: 'Summary › Trends', query: '[?!tags && trend]' },
      { where: 'Summary › Counters', query: '[?!tags && counter]' },
      { where: 'Summary › Rates', query: '[?!tags && rate]' },
      { where: 'Summary › Gauges', query: '[?!tags && gauge]' },
    ]);
  });
});
