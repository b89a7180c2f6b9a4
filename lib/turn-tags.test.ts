import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TURN_TAG_CAP, turnTag, turnTagValues } from './turn-tags.ts';

describe('turn tags', () => {
  it('1, 2, 3, then 4+ for every later turn', () => {
    expect([1, 2, 3, 4, 5, 40].map(turnTag)).toEqual(['1', '2', '3', '4+', '4+', '4+']);
    expect(turnTagValues(2)).toEqual(['1', '2']);
    expect(turnTagValues(12)).toEqual(['1', '2', '3', '4+']);
  });

  it('lib/vu/conversation.ts writes the same cap (its own copy: lib/turn-tags.ts is not evaluated per VU)', () => {
    const source = readFileSync('lib/vu/conversation.ts', 'utf8');
    expect(source).toContain(`const TAG_CAP = ${TURN_TAG_CAP};`);
  });
});
