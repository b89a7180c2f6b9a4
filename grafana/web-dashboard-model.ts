/**
 * The configuration format of k6's built-in web dashboard (grafana/xk6-dashboard v0.7, in
 * k6 v1.x): tabs of sections of panels, each panel a list of series queries. This is the
 * shape `ConfigBuilder.build` (xk6-dashboard's `packages/view/src/Config.ts`) produces from
 * the default `packages/config/src/config.js`, and what k6 reads back from the JSON file
 * named by XK6_DASHBOARD_CONFIG (or `.dashboard.json` in the working directory) and sends
 * unchanged as the first (`config`) event of the dashboard's `/events` stream.
 *
 * A series query is a JMESPath expression over the dashboard's sample vectors, grouped by
 * metric name: `sse_ttfe[?!tags && p95]` selects the untagged `p95` vector of `sse_ttfe`.
 * JMESPath selects series; it cannot compute new ones (no subtraction).
 *
 * The builder below numbers ids the way ConfigBuilder does (`tab-0`, `tab-0.section-1`,
 * `tab-0.section-1.panel-2`); the UI uses them only as keys. Pure data, no I/O.
 */

export type PanelKind = 'chart' | 'stat' | 'summary';

export interface DashboardSerie {
  readonly query: string;
  /** Shown instead of the vector's own name; only for queries that select exactly one vector. */
  readonly legend?: string;
}

export interface DashboardPanel {
  readonly id: string;
  readonly title: string;
  readonly kind: PanelKind;
  readonly summary?: string;
  readonly fullWidth?: boolean;
  readonly series: readonly DashboardSerie[];
}

export interface DashboardSection {
  readonly id: string;
  readonly title?: string;
  readonly summary?: string;
  readonly panels: readonly DashboardPanel[];
}

export interface DashboardTab {
  readonly id: string;
  readonly title: string;
  readonly summary?: string;
  readonly sections: readonly DashboardSection[];
}

export interface DashboardConfig {
  readonly title: string;
  readonly tabs: readonly DashboardTab[];
}

/** A panel before it has an id. */
export interface PanelSpec {
  readonly title: string;
  readonly kind?: PanelKind;
  readonly summary?: string;
  readonly fullWidth?: boolean;
  readonly series: readonly DashboardSerie[];
}

/** A section before it has an id. */
export interface SectionSpec {
  readonly title?: string;
  readonly summary?: string;
  readonly panels: readonly PanelSpec[];
}

/** Copies only the optional fields that are set, as JSON.stringify would keep them. */
function defined<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A tab with ids numbered like xk6-dashboard's ConfigBuilder; panels default to `chart`. */
export function buildTab(id: string, title: string, summary: string | undefined, sections: readonly SectionSpec[]): DashboardTab {
  return {
    id,
    title,
    ...defined({ summary }),
    sections: sections.map((s, si) => {
      const sectionId = `${id}.section-${si}`;
      return {
        id: sectionId,
        ...defined({ title: s.title, summary: s.summary }),
        panels: s.panels.map((p, pi) => ({
          id: `${sectionId}.panel-${pi}`,
          title: p.title,
          kind: p.kind ?? 'chart',
          ...defined({ summary: p.summary, fullWidth: p.fullWidth }),
          series: p.series.map((q) => ({ query: q.query, ...defined({ legend: q.legend }) })),
        })),
      };
    }),
  };
}

/** One series, optionally with a legend. */
export const serie = (query: string, legend?: string): DashboardSerie => (legend === undefined ? { query } : { query, legend });
