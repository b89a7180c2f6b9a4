import { Buffer } from 'node:buffer';
import { describe, expect, test } from 'vitest';
import encoding, { b64encode } from './k6-encoding.ts';

describe('k6/encoding double: b64encode', () => {
  test.each([
    ['std', 'aGk='],
    ['rawstd', 'aGk'],
    ['url', 'aGk='],
    ['rawurl', 'aGk'],
  ] as const)('%s variant', (variant, expected) => expect(b64encode('hi', variant)).toBe(expected));

  test('strings are encoded to UTF-8 first; a lone surrogate becomes U+FFFD', () => {
    expect(Buffer.from(b64encode('机', 'std'), 'base64')).toEqual(Buffer.from('机', 'utf8'));
    expect(Buffer.from(b64encode('\uD800', 'std'), 'base64')).toEqual(Buffer.from([0xef, 0xbf, 0xbd]));
    expect(encoding.b64encode('?>', 'url')).toBe('Pz4=');
    expect(encoding.b64encode('?>', 'std')).toBe('Pz4=');
    expect(encoding.b64encode('??>', 'url')).toBe('Pz8-');
  });
});
