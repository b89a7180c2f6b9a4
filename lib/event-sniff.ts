/**
 * Cheap per-event facts, computed without a full `JSON.parse` or a TextEncoder
 * (k6's runtime has none): the type of a Dify event, and the UTF-8 size of `data`.
 * Pure: no k6 import.
 */

const QUOTE = 34; // "
const SPACE = 32;
const EVENT_KEY = '{"event":';
const VALUE_AT = EVENT_KEY.length;

/**
 * The value of a leading `"event"` key of a JSON object text — Dify writes every
 * event as `{"event": "text_chunk", …}` — or `''` when the text does not start
 * that way (or the value holds an escape): the caller then falls back to `JSON.parse`.
 * It does not validate the rest of the text.
 */
export function sniffEventType(data: string): string {
  if (!data.startsWith(EVENT_KEY)) return '';
  let i = VALUE_AT;
  if (data.charCodeAt(i) === SPACE) i++;
  if (data.charCodeAt(i) !== QUOTE) return '';
  const end = data.indexOf('"', i + 1);
  if (end < 0) return '';
  const type = data.slice(i + 1, end);
  return type.indexOf('\\') >= 0 ? '' : type;
}

/** Matches any code unit outside ASCII: one native regex scan instead of a JS loop. */
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * UTF-8 byte length of a string, as `TextEncoder` would encode it (a lone surrogate
 * becomes U+FFFD, 3 bytes). One native regex scan finds the first non-ASCII unit:
 * ASCII text is just `length`; otherwise the JS loop starts there, not at 0.
 */
export function utf8ByteLength(s: string): number {
  const start = s.search(NON_ASCII);
  if (start < 0) return s.length;
  let bytes = start;
  const n = s.length;
  for (let i = start; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4; // a surrogate pair: one code point above U+FFFF
        i++;
      } else bytes += 3; // lone high surrogate → U+FFFD
    } else bytes += 3; // BMP above U+07FF, or a lone surrogate → U+FFFD
  }
  return bytes;
}
