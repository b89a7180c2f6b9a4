/**
 * Type declarations for k6's official summary jslib, imported by URL and resolved by k6
 * at run time (lib/handle-summary.ts). Under vitest the URL is aliased to
 * test/doubles/k6-summary-jslib.ts. Upstream: grafana/k6-jslib-summary.
 */
declare module 'https://jslib.k6.io/k6-summary/0.1.0/index.js' {
  export interface TextSummaryOptions {
    /** Prefix of every line (k6's own summary uses one space). */
    indent?: string;
    /** ANSI colours. */
    enableColors?: boolean;
    summaryTimeUnit?: string | null;
    summaryTrendStats?: string[] | null;
  }
  /** k6's end-of-test text summary of `data` (handleSummary's argument). */
  export function textSummary(data: object, options?: TextSummaryOptions): string;
  /** JUnit XML with one test case per threshold. */
  export function jUnit(data: object, options?: { name?: string; classname?: string }): string;
}
