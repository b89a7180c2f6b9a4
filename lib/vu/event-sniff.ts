/**
 * The type of a Dify event read from its text, without `JSON.parse` (11–12.5 µs per Dify
 * chunk in k6's interpreter; this is a prefix test, a search for one quote and a slice).
 * Pure: no k6 import.
 */

const QUOTE = 34; // "
const SPACE = 32;
const EVENT_KEY = '{"event":';
const VALUE_AT = EVENT_KEY.length;

/**
 * The value of a leading `"event"` key of a JSON object text — Dify writes every event as
 * `{"event": "text_chunk", …}` (Python `json.dumps`) or `{"event":"text_chunk",…}` (orjson) —
 * or `''` when the text does not start that way: the caller then falls back to `JSON.parse`.
 * It does not validate the rest of the text, nor unescape the value (a caller that does not
 * recognise the value checks it with `hasEscape` before trusting it).
 */
export const sniffEventType = (data: string): string => {
  if (!data.startsWith(EVENT_KEY)) return '';
  let i = VALUE_AT;
  if (data.charCodeAt(i) === SPACE) i++;
  if (data.charCodeAt(i) !== QUOTE) return '';
  const end = data.indexOf('"', i + 1);
  return end < 0 ? '' : data.slice(i + 1, end);
};

/** A sniffed value holding a JSON escape (`\`): only `JSON.parse` can say what it is. */
export const hasEscape = (type: string): boolean => {
  return type.indexOf('\\') >= 0;
};
