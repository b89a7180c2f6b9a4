import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type Config } from './config';
import { ERROR_TYPES } from '../error-types';
import { isReportOnly, loadThresholds, REPORT_ONLY_THRESHOLD, THRESHOLD_SETS, validateThresholds, withReportOnly } from './thresholds';

const REPORT_ONLY = Object.fromEntries(ERROR_TYPES.map((t) => [`sse_errors{error_type:${t}}`, ['count>=0']]));

const noFiles = (path: string): string => {
  throw new Error(`unexpected read of ${path}`);
};

function config(thresholds: string): Config {
  return { ...loadConfig({}), thresholds };
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('did not throw');
}

describe('bundled sets', () => {
  it('default: TTFE p95 < 500 ms, 99 % successful streams and at least one ended stream, plus the report-only ones', () => {
    expect(loadThresholds(config('default'), noFiles)).toEqual({
      sse_ttfe: ['p(95)<500'],
      sse_stream_success: ['rate>0.99'],
      sse_streams_closed: ['count>0'],
      ...REPORT_ONLY,
    });
  });

  it('strict: the seed’s "excellent" TTFE (p95 < 100 ms)', () => {
    expect(loadThresholds(config('strict'), noFiles)).toEqual({
      sse_ttfe: ['p(95)<100'],
      sse_stream_success: ['rate>0.99'],
      sse_streams_closed: ['count>0'],
      ...REPORT_ONLY,
    });
  });

  it('none: only the report-only thresholds', () => {
    expect(loadThresholds(config('none'), noFiles)).toEqual(REPORT_ONLY);
  });

  it('are the JSON files in thresholds/ (the bundle reads no file at run time)', () => {
    for (const [name, set] of Object.entries(THRESHOLD_SETS)) {
      const file = JSON.parse(readFileSync(new URL(`../../thresholds/${name}.json`, import.meta.url), 'utf8')) as unknown;
      expect(set).toEqual(file);
    }
  });
});

describe('a THRESHOLDS path', () => {
  it('is read with the injected reader and validated', () => {
    const reads: string[] = [];
    const read = (path: string): string => {
      reads.push(path);
      return '\uFEFF{"sse_ttfe{scenario:stream}": ["p(99)<800", {"threshold": "p(95)<300", "abortOnFail": true, "delayAbortEval": "10s"}]}';
    };
    const result = loadThresholds(loadConfig({ THRESHOLDS: 'ci/gate.json', PWD: '/repo' }), read);
    expect(reads).toEqual(['/repo/ci/gate.json']);
    expect(result['sse_ttfe{scenario:stream}']).toEqual([
      'p(99)<800',
      { threshold: 'p(95)<300', abortOnFail: true, delayAbortEval: '10s' },
    ]);
  });

  it('unreadable → error naming THRESHOLDS and the file', () => {
    const error = errorOf(() =>
      loadThresholds(config('/x/t.json'), () => {
        throw new Error('open /x/t.json: no such file or directory');
      }),
    );
    expect(error.message).toBe('THRESHOLDS: /x/t.json: cannot read the file (open /x/t.json: no such file or directory)');
  });

  it('not JSON → error naming the file', () => {
    const error = errorOf(() => loadThresholds(config('/x/t.json'), () => '{"sse_ttfe": [p95<500]}'));
    expect(error.variable).toBe('THRESHOLDS');
    expect(error.message).toMatch(/^THRESHOLDS: \/x\/t\.json: not valid JSON \(.+\)$/);
  });

  it('an unknown set name (Config built by hand) → the loadConfig message', () => {
    expect(errorOf(() => loadThresholds(config('relaxed'), noFiles)).message).toBe(
      'THRESHOLDS: unknown threshold set "relaxed"; accepted: default, strict, none, or a path to a JSON file (containing / or ending in .json)',
    );
  });
});

describe('validateThresholds errors (exact messages)', () => {
  it.each<[unknown, string]>([
    [[], 'expected a JSON object mapping metric names to lists of thresholds, e.g. {"sse_ttfe": ["p(95)<500"]}'],
    [null, 'expected a JSON object mapping metric names to lists of thresholds, e.g. {"sse_ttfe": ["p(95)<500"]}'],
    [{ sse_ttfe: 'p(95)<500' }, '"sse_ttfe": expected a non-empty list of thresholds, e.g. ["p(95)<500"]'],
    [{ sse_ttfe: [] }, '"sse_ttfe": expected a non-empty list of thresholds, e.g. ["p(95)<500"]'],
    [{ 'sse ttfe': ['p(95)<1'] }, '"sse ttfe" is not a metric name or name{tag:value}'],
    [{ 'sse_ttfe{scenario}': ['p(95)<1'] }, '"sse_ttfe{scenario}": the tags in {} must be tag:value pairs separated by commas'],
    [
      { http_req_failed: ['rate<0.01'] },
      '"http_req_failed" is never emitted by k6/x/sse streams, so a threshold on it judges nothing; use sse_stream_success or sse_errors',
    ],
    [
      { sse_ttfe: ['p95<500'] },
      '"sse_ttfe": "p95<500" is not a threshold expression; expected <aggregation> <operator> <number>, e.g. p(95)<500 or rate>0.99',
    ],
    [
      { sse_ttfe: ['p( 95 )<500'] }, // k6 rejects it: "malformed percentile value"
      '"sse_ttfe": "p( 95 )<500" is not a threshold expression; expected <aggregation> <operator> <number>, e.g. p(95)<500 or rate>0.99',
    ],
    [{ sse_ttfe: ['rate>0.9'] }, '"sse_ttfe": "rate>0.9" uses rate, which a trend metric has not; accepted: avg, min, max, med, p(N)'],
    [
      { sse_stream_success: ['p(95)>0.9'] },
      '"sse_stream_success": "p(95)>0.9" uses p(95), which a rate metric has not; accepted: rate',
    ],
    [{ vus: ['count<5'] }, '"vus": "count<5" uses count, which a gauge metric has not; accepted: value'],
    [{ sse_ttfe: ['p(101)<5'] }, '"sse_ttfe": "p(101)<5": a percentile is between 0 and 100'],
    [
      { sse_ttfe: [42] },
      '"sse_ttfe": each threshold is a string or {"threshold": "...", "abortOnFail": true, "delayAbortEval": "10s"}',
    ],
    [{ sse_ttfe: [{ expr: 'p(95)<1' }] }, '"sse_ttfe": unknown field "expr"; accepted: threshold, abortOnFail, delayAbortEval'],
    [{ sse_ttfe: [{ abortOnFail: true }] }, '"sse_ttfe": an object threshold needs "threshold": "<expression>"'],
    [{ sse_ttfe: [{ threshold: 'p(95)<1', abortOnFail: 'yes' }] }, '"sse_ttfe": abortOnFail must be true or false'],
    [{ sse_ttfe: [{ threshold: 'p(95)<1', delayAbortEval: '10' }] }, '"sse_ttfe": delayAbortEval must be a Go duration such as "10s"'],
  ])('%j', (value, message) => {
    expect(errorOf(() => validateThresholds(value, 'mine.json')).message).toBe(`THRESHOLDS: mine.json: ${message}`);
  });

  it('names every accepted metric for an unknown one', () => {
    const message = errorOf(() => validateThresholds({ sse_ttfb: ['p(95)<1'] }, 'f.json')).message;
    expect(message).toMatch(/^THRESHOLDS: f\.json: unknown metric "sse_ttfb"; accepted: the suite's metrics \(sse_open_time, sse_ttfe, /);
    expect(message).toContain('sse_event, or a k6 built-in (');
    expect(message).toContain('http_req_duration');
  });

  it('accepts the extension metric, k6 built-ins, tag selectors and spaced expressions', () => {
    const value = {
      sse_event: ['count>100', 'rate > 50'],
      'sse_errors{error_type:timeout}': ['count==0'],
      'sse_ttfe{scenario:burst,target:dify-chat}': ['med <= 200.5'],
      dropped_iterations: ['count<1'],
      checks: ['rate>0.9'],
      vus_max: ['value<=100'],
    };
    expect(validateThresholds(value, 'f.json')).toEqual(value);
  });
});

describe('report-only thresholds', () => {
  it('keep a set’s own thresholds on the same sub-metric', () => {
    const merged = withReportOnly({ 'sse_errors{error_type:timeout}': ['count<5'] });
    expect(merged['sse_errors{error_type:timeout}']).toEqual(['count<5', 'count>=0']);
    expect(withReportOnly(merged)).toEqual(merged);
  });

  it('isReportOnly tells them from CI checks', () => {
    expect(REPORT_ONLY_THRESHOLD).toBe('count>=0');
    expect(isReportOnly('sse_errors{error_type:timeout}', 'count>=0')).toBe(true);
    expect(isReportOnly('sse_errors{error_type:http_5xx}', 'count >= 0')).toBe(true);
    expect(isReportOnly('sse_errors{error_type:timeout}', 'count<5')).toBe(false);
    expect(isReportOnly('sse_errors', 'count>=0')).toBe(false);
    expect(isReportOnly('sse_ttfe', 'count>=0')).toBe(false);
  });
});

describe('TTFT/TTFE by turn (TURNS > 1)', () => {
  it('adds a report-only max>=0 per metric and turn tag (1, 2, 3, 4+), none for one turn', async () => {
    const { turnReportKeys, TURN_REPORT_THRESHOLD } = await import('./thresholds');
    expect(turnReportKeys(1)).toEqual([]);
    expect(turnReportKeys(2)).toEqual(['sse_ttft{turn:1}', 'sse_ttft{turn:2}', 'sse_ttfe{turn:1}', 'sse_ttfe{turn:2}']);
    expect(turnReportKeys(9)).toHaveLength(8);
    const merged = withReportOnly({ sse_ttft: ['p(95)<500'] }, 5);
    expect(merged['sse_ttft{turn:4+}']).toEqual([TURN_REPORT_THRESHOLD]);
    expect(merged['sse_ttft']).toEqual(['p(95)<500']);
    expect(isReportOnly('sse_ttft{turn:4+}', 'max >= 0')).toBe(true);
    expect(isReportOnly('sse_ttfe{turn:2}', 'max>=0')).toBe(true);
    expect(isReportOnly('sse_ttfe{turn:2}', 'p(95)<100')).toBe(false);
    expect(isReportOnly('sse_ttfe', 'max>=0')).toBe(false);
  });
});
