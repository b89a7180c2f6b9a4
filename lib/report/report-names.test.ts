import { describe, expect, it } from 'vitest';
import { reportFileNames, reportStamp } from './report-names.ts';

const AT = new Date(Date.UTC(2026, 10, 27, 23, 9, 33, 456)); // 2026-11-27T23:09:33.456Z

describe('reportStamp', () => {
  it('is YYYYMMDD_HHMMSS in UTC, zero-padded', () => {
    expect(reportStamp(AT)).toBe('20261127_230933');
    expect(reportStamp(new Date(Date.UTC(2027, 0, 2, 3, 4, 5)))).toBe('20270102_030405');
  });
  it('does not depend on the local time zone', () => {
    expect(reportStamp(new Date('2026-11-28T01:09:33+02:00'))).toBe('20261127_230933');
  });
  it('rejects an invalid date', () => {
    expect(() => reportStamp(new Date('nope'))).toThrow('report time is not a valid date');
  });
});

describe('reportFileNames', () => {
  it('puts the three reports under REPORTS_DIR', () => {
    expect(reportFileNames('reports', AT)).toEqual({
      txt: 'reports/benchmark_20261127_230933.txt',
      json: 'reports/benchmark_20261127_230933.json',
      xml: 'reports/benchmark_20261127_230933.xml',
    });
  });
  it('handles trailing slashes, absolute paths and the current directory', () => {
    expect(reportFileNames('out/runs//', AT).txt).toBe('out/runs/benchmark_20261127_230933.txt');
    expect(reportFileNames('/tmp/r', AT).json).toBe('/tmp/r/benchmark_20261127_230933.json');
    expect(reportFileNames('', AT).xml).toBe('benchmark_20261127_230933.xml');
    expect(reportFileNames('/', AT).xml).toBe('/benchmark_20261127_230933.xml');
  });
});
