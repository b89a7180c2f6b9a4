/**
 * Plain-text tables for the CLIs' terminal output (calibrate, sweep, --repeat): columns
 * padded to their widest cell, numbers right-aligned, trailing spaces trimmed.
 */

/** `l` pads on the right (text), `r` on the left (numbers). */
export type Align = 'l' | 'r';

/** Rows (the first one is the header) as aligned lines; a column without an alignment is left-aligned. */
export function alignTable(rows: readonly (readonly string[])[], align: readonly Align[]): string {
  const columns = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) => r.map((c, i) => ((align[i] ?? 'l') === 'r' ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd())
    .join('\n');
}
