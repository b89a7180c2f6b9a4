/**
 * Seeded pseudo-random numbers for the mock server: ids, token text, jitter and fault
 * draws all come from one of these, so a fixed seed gives byte-identical payloads.
 * sfc32 (Chris Doty-Humphrey's Small Fast Counter): tiny, fast, passes PractRand; not
 * cryptographic, which a mock does not need.
 */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform unsigned 32-bit integer. */
  uint32(): number;
}

/** FNV-1a of a string: turns a user-given seed (any text) into 32 bits. */
export function hashSeed(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function createRng(seed: number): Rng {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const uint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) uint32(); // warm up: decorrelate nearby seeds
  return { uint32, next: () => uint32() / 4294967296 };
}

const hex8 = (n: number): string => n.toString(16).padStart(8, '0');

/** A version-4-shaped UUID drawn from `rng` (deterministic under a seed). */
export function uuid(rng: Rng): string {
  const a = hex8(rng.uint32());
  const b = hex8(rng.uint32());
  const c = hex8(rng.uint32());
  const d = hex8(rng.uint32());
  const variant = ((parseInt(c[0] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${d}`;
}
