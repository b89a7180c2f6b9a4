import { describe, expect, it } from 'vitest';
import { alignTable } from './text-table.ts';

describe('alignTable', () => {
  it('pads each column to its widest cell, right-aligns the r columns and trims line ends', () => {
    expect(alignTable([['VUs', 'TTFE', 'note'], ['5', '42 ms', ''], ['120', '1.20 s', 'over']], ['r', 'r', 'l'])).toBe(
      ['VUs    TTFE  note', '  5   42 ms', '120  1.20 s  over'].join('\n'),
    );
  });

  it('left-aligns columns without an alignment and copes with short rows', () => {
    expect(alignTable([['a', 'bb'], ['ccc']], [])).toBe(['a    bb', 'ccc'].join('\n'));
  });
});
