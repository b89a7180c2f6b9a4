/**
 * The type of a Dify event read from its text, without `JSON.parse` (11–12.5 µs per Dify
 * chunk in k6's interpreter; this is a prefix test, a search for one quote and a slice).
 * Used by JSON_CHECK=structural and the burst scenario only, so it is a factory: the default
 * path never makes its functions in a VU. Pure: no k6 import.
 */

export interface EventSniffer {
  /**
   * The value of a leading `"event"` key of a JSON object text — Dify writes every event as
   * `{"event": "text_chunk", …}` (Python `json.dumps`) or `{"event":"text_chunk",…}` (orjson) —
   * or `''` when the text does not start that way: the caller then falls back to `JSON.parse`.
   * It does not validate the rest of the text, nor unescape the value (a caller that does not
   * recognise the value checks it with `hasEscape` before trusting it).
   */
  type(data: string): string;
  /** A sniffed value holding a JSON escape (`\`): only `JSON.parse` can say what it is. */
  hasEscape(type: string): boolean;
}

export const createEventSniffer = (): EventSniffer => {
  const key = '{"event":';
  return {
    type(data) {
      if (!data.startsWith(key)) return '';
      let i = key.length;
      if (data.charCodeAt(i) === 32) i++; // a space
      if (data.charCodeAt(i) !== 34) return ''; // "
      const end = data.indexOf('"', i + 1);
      return end < 0 ? '' : data.slice(i + 1, end);
    },
    hasEscape(type) {
      return type.indexOf('\\') >= 0;
    },
  };
};
