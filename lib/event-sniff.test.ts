import { Buffer } from 'node:buffer';
import { describe, expect, test } from 'vitest';
import { sniffEventType, utf8ByteLength } from './event-sniff.ts';

describe('sniffEventType', () => {
  test.each([
    ['{"event": "text_chunk", "data": {}}', 'text_chunk'], // Dify (Python json.dumps)
    ['{"event":"workflow_finished","data":{}}', 'workflow_finished'], // compact
    ['{"event": "", "x": 1}', ''],
  ])('%s → %s', (data, type) => expect(sniffEventType(data)).toBe(type));

  test.each([
    ['{"task_id": "t", "event": "text_chunk"}'], // event not first: fall back to JSON.parse
    ['{ "event": "x"}'],
    ['{"event": 1}'],
    ['{"event": "unterminated'],
    ['{"event": "a\\"b"}'], // an escape: fall back
    ['[DONE]'],
    [''],
  ])('%s → fallback', (data) => expect(sniffEventType(data)).toBe(''));
});

describe('utf8ByteLength', () => {
  test.each([
    '',
    'plain ascii {"event": "x"}',
    'é',
    '— AI —',
    '机器学习',
    '😀 emoji',
    'mixed é 机 😀 end',
    '{"event": "text_chunk", "data": {"text": "机器学习 é"}}', // ASCII prefix, then non-ASCII
    '\u{10FFFF}',
    '\uD800', // lone high surrogate → U+FFFD
    '\uDC00x', // lone low surrogate
    '\uD800\uD800\uDC00', // high, then a pair
    '\u007f\u0080\u07ff\u0800\uffff',
  ])('%j matches Buffer.byteLength', (s) => {
    expect(utf8ByteLength(s)).toBe(Buffer.byteLength(s, 'utf8'));
  });

  test('random strings match Buffer.byteLength', () => {
    let seed = 42;
    const rand = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (let i = 0; i < 500; i++) {
      const units = Array.from({ length: Math.floor(rand() * 20) }, () => Math.floor(rand() * 0x10000));
      const s = String.fromCharCode(...units);
      expect(utf8ByteLength(s)).toBe(Buffer.byteLength(s, 'utf8'));
    }
  });
});
