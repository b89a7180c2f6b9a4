import { describe, expect, test } from 'vitest';
import { createEventSniffer } from './event-sniff.ts';

const sniff = createEventSniffer();
const sniffEventType = sniff.type;
const hasEscape = sniff.hasEscape;

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
    ['[DONE]'],
    [''],
  ])('%s → fallback', (data) => expect(sniffEventType(data)).toBe(''));
});

describe('hasEscape', () => {
  test('a value cut at an escaped quote, or holding any escape, is not trusted', () => {
    expect(sniffEventType('{"event": "a\\"b"}')).toBe('a\\');
    expect(hasEscape(sniffEventType('{"event": "a\\"b"}'))).toBe(true);
    expect(hasEscape('text\\u005fchunk')).toBe(true);
    expect(hasEscape('text_chunk')).toBe(false);
  });
});
