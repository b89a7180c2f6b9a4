/**
 * Double of `k6/encoding` (the part the suite uses): `b64encode` as k6 does it — the string
 * is encoded to UTF-8 first (a lone surrogate becomes U+FFFD, as Go's conversion does), then
 * to base64 in the requested variant. Native work in k6, so no regex or string-method calls
 * here either (test/per-event-work.test.ts counts those of the script).
 */
import { Buffer } from 'node:buffer';

type Variant = 'std' | 'rawstd' | 'url' | 'rawurl';

export function b64encode(input: string | ArrayBuffer, variant: Variant = 'std'): string {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input);
  const padded = bytes.toString('base64');
  const padding = (3 - (bytes.length % 3)) % 3;
  const text = variant === 'url' || variant === 'rawurl' ? Buffer.from(bytes).toString('base64url') + '='.repeat(padding) : padded;
  return variant === 'rawstd' || variant === 'rawurl' ? text.slice(0, text.length - padding) : text;
}

export default { b64encode };
