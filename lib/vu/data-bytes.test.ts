import { Buffer } from 'node:buffer';
import { describe, expect, test } from 'vitest';
import encoding from 'k6/encoding';
import { utf8ByteCounter } from './data-bytes.ts';

const utf8ByteLength = utf8ByteCounter(encoding);

describe('utf8ByteLength (DATA_BYTES, through k6/encoding)', () => {
  test.each([
    '',
    'a',
    'ab',
    'abc',
    'plain ascii {"event": "x"}',
    'é',
    '机器学习',
    '😀 emoji',
    'mixed é 机 😀 end',
    '\uD800', // lone high surrogate → U+FFFD, 3 bytes
    '\uDC00x',
    '\u007f\u0080\u07ff\u0800\uffff',
  ])('%j matches Buffer.byteLength', (s) => expect(utf8ByteLength(s)).toBe(Buffer.byteLength(s, 'utf8')));

  test('every length 0..64 of a mixed text (each base64 remainder)', () => {
    const text = 'a机é😀'.repeat(20);
    for (let n = 0; n <= 64; n++) {
      const s = text.slice(0, n);
      expect(utf8ByteLength(s)).toBe(Buffer.byteLength(s, 'utf8'));
    }
  });
});
