/**
 * Double of https://jslib.k6.io/k6-summary/0.1.0/index.js for vitest (aliased in
 * vitest.config.ts). Deterministic: names the metric keys it was given, one per line,
 * so tests can check what reached stdout. (Minimal version created by the reports work;
 * the stream-runtime work owns this file.)
 */
export interface TextSummaryOptions {
  indent?: string;
  enableColors?: boolean;
}

export function textSummary(data: { metrics: Record<string, unknown> }, options: TextSummaryOptions = {}): string {
  const indent = options.indent ?? ' ';
  const keys = Object.keys(data.metrics).sort();
  return [`${indent}[k6-summary double] colors=${options.enableColors === true}`, ...keys.map((k) => `${indent}${k}`)].join('\n');
}

export function jUnit(): string {
  return '<?xml version="1.0"?>\n<testsuites/>';
}
