import { describe, expect, it } from 'vitest';
import { computeFigures } from '../lib/report/summary-figures.ts';
import { k6Summary } from '../lib/report/summary-data.fixture.ts';
import type { Figures } from '../lib/report-fields.ts';
import { figureSpreads, median, medians, renderSpreadTable, spreadOf, spreadText } from './figure-spread.ts';

/** The fixture's figures with some replaced. */
const run = (over: Partial<Figures>): Figures => ({ ...computeFigures(k6Summary()), ...over });

describe('median / spreadOf', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNull();
  });

  it('leaves runs without a value out, and gives nulls when none has one', () => {
    expect(spreadOf([50, null, 40, 45])).toEqual({ median: 45, min: 40, max: 50, n: 3 });
    expect(spreadOf([null, null])).toEqual({ median: null, min: null, max: null, n: 0 });
  });
});

describe('figureSpreads', () => {
  const runs = [run({ ttfeP95Ms: 48, goodputRate: 0.5 }), run({ ttfeP95Ms: 60, goodputRate: null }), run({ ttfeP95Ms: 52, goodputRate: 0.75 })];
  const spreads = figureSpreads(runs);

  it('summarises every figure over the runs', () => {
    expect(spreads.ttfeP95Ms).toEqual({ median: 52, min: 48, max: 60, n: 3 });
    expect(spreads.goodputRate).toEqual({ median: 0.625, min: 0.5, max: 0.75, n: 2 });
    expect(spreads.totalConnections).toEqual({ median: 250, min: 250, max: 250, n: 3 });
    expect(medians(spreads).ttfeP95Ms).toBe(52);
    expect(Object.keys(medians(spreads)).sort()).toEqual(Object.keys(runs[0] as Figures).sort());
  });

  it('writes the range with its half-width relative to the median', () => {
    expect(spreadText('ttfeP95Ms', spreads.ttfeP95Ms)).toBe('48.0 ms – 60.0 ms (±11.5%)'); // (60 − 48) / 2 / 52
    expect(spreadText('goodputRate', spreads.goodputRate)).toBe('50.00% – 75.00% (±20.0%)');
    expect(spreadText('totalConnections', spreads.totalConnections)).toBe('250');
    expect(spreadText('ttfeP95Ms', spreadOf([null]))).toBe('n/a');
  });

  it('renders one row per figure that has a value', () => {
    const table = renderSpreadTable(figureSpreads([run({ gapMeanAvgMs: null, gapMaxP95Ms: null }), run({ gapMeanAvgMs: null, gapMaxP95Ms: null })]), 2).split('\n');
    expect(table[0]).toMatch(/^Figure +Median of 2 {2}Min – max/);
    expect(table.some((l) => l.startsWith('Average Inter-event Gap'))).toBe(false);
    expect(table.find((l) => l.startsWith('TTFE p95'))).toMatch(/^TTFE p95 +48\.3 ms {2}48\.3 ms$/); // equal runs: no ± part
  });
});
