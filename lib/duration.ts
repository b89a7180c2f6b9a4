/**
 * Go duration strings (`30s`, `1500ms`, `1m30s`): the format xk6-sse's `timeout`
 * and k6's scenario durations are parsed with (Go's `time.ParseDuration`).
 * xk6-sse throws on an invalid string mid-test, so the suite validates with the
 * same grammar in the init context. Pure: no k6 import.
 */

/** Milliseconds per Go unit (Go accepts both micro signs for µs). */
const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3, // U+00B5 MICRO SIGN
  'μs': 1e-3, // U+03BC GREEK SMALL LETTER MU
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** One `[0-9]*(\.[0-9]*)?unit` element; the unit runs to the next digit or dot, as in Go. */
const ELEMENT = /^(\d*)(?:\.(\d*))?([^\d.]*)/;

/**
 * Parses a Go duration string the way `time.ParseDuration` does and returns
 * milliseconds (possibly fractional, possibly negative), or `undefined` when
 * Go would reject the string.
 */
export function parseGoDuration(text: string): number | undefined {
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let total = 0;
  while (rest !== '') {
    const match = ELEMENT.exec(rest);
    // ELEMENT always matches (every part is optional); the checks below are Go's.
    if (match === null) return undefined;
    const [whole, intPart = '', fracPart, unit = ''] = match;
    const hasDigits = intPart !== '' || (fracPart !== undefined && fracPart !== '');
    const perUnit = UNIT_MS[unit];
    if (!hasDigits || perUnit === undefined) return undefined;
    total += Number(`${intPart || '0'}.${fracPart ?? ''}0`) * perUnit;
    rest = rest.slice(whole.length);
  }
  return sign * total;
}

/**
 * Formats milliseconds as a Go duration string k6 and xk6-sse accept:
 * whole seconds as `1h2m3s` (zero parts left out, `0s` for zero), anything
 * else as whole milliseconds, rounded up (`2500ms`).
 */
export function formatGoDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`cannot format ${ms} ms as a duration`);
  const wholeMs = Math.ceil(ms);
  if (wholeMs % 1000 !== 0) return `${wholeMs}ms`;
  let seconds = wholeMs / 1000;
  if (seconds === 0) return '0s';
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  return `${hours > 0 ? `${hours}h` : ''}${minutes > 0 ? `${minutes}m` : ''}${seconds > 0 ? `${seconds}s` : ''}`;
}
