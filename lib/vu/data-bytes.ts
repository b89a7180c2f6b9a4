/**
 * DATA_BYTES=true: the exact UTF-8 size of an event's data, without a JavaScript loop over
 * its characters or a regex (both cost ~300 ns per character in k6's interpreter). k6's native
 * `b64encode` converts the string to UTF-8 in Go; unpadded base64 of n bytes is ⌈4n/3⌉
 * characters, so n = ⌊3·length/4⌋. ~2 µs per 208-character event in k6 (measured,
 * docs/metrics-and-faults.md#per-event-work) — which is why it is off by default: k6's own
 * `data_received` already counts the bytes on the wire for free.
 */
/** What the counter uses of `k6/encoding`. */
export interface Base64Encoder {
  b64encode(input: string, encoding: 'rawstd'): string;
}

/**
 * The counter, given `k6/encoding`. The module comes in as an argument: build/sse.js loads it
 * only when DATA_BYTES=true (an imported k6 module costs every VU ~9 kB, measured on k6 v2.2.0).
 */
export const utf8ByteCounter = (encoding: Base64Encoder): ((data: string) => number) => {
  return (data) => (encoding.b64encode(data, 'rawstd').length * 3) >> 2;
};
