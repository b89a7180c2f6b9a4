import { describe, expect, it } from 'vitest';
import { FIGURE_KEYS, NOISE_BY_UNIT, RATINGS, REPORT_FIGURES, exceedsNoise, figureDef, formatFigure, humanBytes, noiseText, rate, rateFigures } from './report-fields.ts';
import { computeFigures } from './report/summary-figures.ts';
import { k6Summary } from './report/summary-data.fixture.ts';

const ratingDef = (key: string) => {
  const def = RATINGS.find((r) => r.key === key);
  if (!def) throw new Error(key);
  return def;
};

describe('REPORT_FIGURES', () => {
  it('has unique camelCase keys', () => {
    expect(new Set(FIGURE_KEYS).size).toBe(REPORT_FIGURES.length);
    for (const key of FIGURE_KEYS) expect(key).toMatch(/^[a-z][a-zA-Z0-9]*$/);
  });
  it('includes the seed figures', () => {
    for (const key of ['totalConnections', 'totalEvents', 'ttfeAvgMs', 'connectionRate', 'eventThroughput']) expect(FIGURE_KEYS).toContain(key);
    expect(FIGURE_KEYS).not.toContain('apiKey');
  });
  it('rates figures that exist', () => {
    for (const def of RATINGS) expect(FIGURE_KEYS).toContain(def.figure);
  });
});

describe('formatFigure', () => {
  it('prints each unit', () => {
    expect(formatFigure(figureDef('ttfeAvgMs'), 42.5)).toBe('42.5 ms');
    expect(formatFigure(figureDef('ttfeAvgMs'), 150.4)).toBe('150 ms');
    expect(formatFigure(figureDef('ttfeAvgMs'), 0.456)).toBe('0.46 ms');
    expect(formatFigure(figureDef('testDurationMs'), 62_500)).toBe('62.50 s');
    expect(formatFigure(figureDef('connectionRate'), 2.6)).toBe('2.60 conn/sec');
    expect(formatFigure(figureDef('eventThroughput'), 49.4)).toBe('49.40 events/sec');
    expect(formatFigure(figureDef('successRate'), 0.976)).toBe('97.60%'); // a fraction, shown in percent
    expect(formatFigure(figureDef('successRate'), 1)).toBe('100.00%');
    expect(formatFigure(figureDef('goodputRate'), 0.976)).toBe('97.60%'); // a 0–1 fraction
    expect(formatFigure(figureDef('goodputPerSecond'), 3.2)).toBe('3.20 streams/sec');
    expect(formatFigure(figureDef('totalEvents'), 2964)).toBe('2964');
    expect(formatFigure(figureDef('eventsPerStreamAvg'), 19.5)).toBe('19.50');
    expect(formatFigure(figureDef('dataBytes'), 1_234_567)).toBe('1.23 MB');
    expect(formatFigure(figureDef('tokensPerSecondAvg'), 31.44)).toBe('31.4 tokens/s');
    expect(formatFigure(figureDef('ttftAvgMs'), null)).toBe('n/a');
  });
  it('humanises bytes in decimal units', () => {
    expect(humanBytes(999)).toBe('999 B');
    expect(humanBytes(1000)).toBe('1.00 kB');
    expect(humanBytes(2_500_000_000)).toBe('2.50 GB');
  });
});

describe('ratings (the seed bands)', () => {
  it('rates requests per second: > 50, 20–50, 10–20, < 10', () => {
    const rps = ratingDef('requestsPerSecond');
    expect([50.01, 50, 20, 19.99, 10, 9.99, 0].map((v) => rate(rps, v))).toEqual([
      'Excellent',
      'Good',
      'Good',
      'Acceptable',
      'Acceptable',
      'Needs Improvement',
      'Needs Improvement',
    ]);
  });
  it('rates TTFE p95: < 100 excellent, < 500 acceptable', () => {
    const ttfe = ratingDef('ttfe');
    expect([99.9, 100, 499.9, 500].map((v) => rate(ttfe, v))).toEqual(['Excellent', 'Acceptable', 'Acceptable', 'Needs Improvement']);
  });
  it('rates the success rate: > 99 %', () => {
    const success = ratingDef('successRate');
    expect([1, 0.9901, 0.99, 0.5].map((v) => rate(success, v))).toEqual(['Production Ready', 'Production Ready', 'Needs Improvement', 'Needs Improvement']);
    expect(rate(success, null)).toBeNull();
  });
  it('rates a run', () => {
    expect(rateFigures(computeFigures(k6Summary()))).toEqual({
      requestsPerSecond: { value: 4, label: 'Needs Improvement' },
      ttfe: { value: 48.25, label: 'Excellent' },
      successRate: { value: 0.976, label: 'Needs Improvement' },
    });
  });
});

describe('noise floors', () => {
  it('a change is beyond the floor only when it exceeds both bounds', () => {
    const floor = { relative: 0.05, absolute: 2 };
    expect(exceedsNoise(floor, 150, 150.43)).toBe(false);
    expect(exceedsNoise(floor, 20, 21.5)).toBe(false); // 7.5 % but 1.5 ms
    expect(exceedsNoise(floor, 200, 209)).toBe(false); // 9 ms but 4.5 %
    expect(exceedsNoise(floor, 200, 189)).toBe(true);
    expect(exceedsNoise(floor, 0, 3)).toBe(true); // from 0: any change beyond the absolute bound
    expect(exceedsNoise({ relative: 0, absolute: 0 }, 5, 5)).toBe(false);
    expect(exceedsNoise({ relative: 0, absolute: 0 }, 5, 6)).toBe(true);
  });
  it('every figure has one, from its unit', () => {
    for (const f of REPORT_FIGURES) expect(f.noise, f.key).toEqual(NOISE_BY_UNIT[f.unit]);
  });
  it('reads in words', () => {
    expect(noiseText('ms', NOISE_BY_UNIT.ms)).toBe('5 % and 2 ms');
    expect(noiseText('fraction', NOISE_BY_UNIT.fraction)).toBe('0.1 percentage point');
    expect(noiseText('count', NOISE_BY_UNIT.count)).toBe('any change');
    expect(noiseText('/s', { relative: 0.025, absolute: 0 })).toBe('2.5 %');
  });
});
