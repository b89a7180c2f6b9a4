/**
 * Type declarations for `snappyjs` (pure-JavaScript Snappy block format), which publishes
 * none: the two functions the tests use. Each returns the type it is given.
 */
declare module 'snappyjs' {
  export function compress<T extends Uint8Array | ArrayBuffer>(uncompressed: T): T;
  export function uncompress<T extends Uint8Array | ArrayBuffer>(compressed: T, maxLength?: number): T;
}
