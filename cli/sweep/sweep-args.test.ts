import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../args.ts';
import { parseStepDuration, parseSweepArgs, SWEEP_USAGE } from './sweep-args.ts';

describe('parseSweepArgs', () => {
  it('has the documented defaults (the default threshold set as SLO)', () => {
    expect(parseSweepArgs([])).toEqual({
      mode: 'vus',
      slos: [
        { metric: 'sse_ttfe', expression: 'p(95)<500' },
        { metric: 'sse_stream_success', expression: 'rate>0.99' },
        { metric: 'sse_streams_closed', expression: 'count>0' },
      ],
      search: { start: 10, max: 1000, precision: 0.1, factor: 2 },
      stepSec: 20,
      repeat: 1,
      script: 'build/sse.js',
      help: false,
    });
    expect(parseSweepArgs(['--mode', 'rate']).search).toMatchObject({ start: 5, max: 500 });
  });

  it('reads every flag; --slo repeats', () => {
    const a = parseSweepArgs(['--mode=rate', '--slo', 'sse_ttfe:p(95)<200', '--slo', 'sse_ttft:p(95)<900', '--start', '20', '--max', '80', '--step-duration', '1m', '--precision', '5%', '--repeat', '3', '--script', 'x.js']);
    expect(a).toMatchObject({ mode: 'rate', stepSec: 60, repeat: 3, script: 'x.js', search: { start: 20, max: 80, precision: 0.05 } });
    expect(a.slos.map((s) => `${s.metric}:${s.expression}`)).toEqual(['sse_ttfe:p(95)<200', 'sse_ttft:p(95)<900']);
    expect(parseSweepArgs(['--start', '2000']).search.max).toBe(2000); // --max defaults to at least --start
  });

  it('names the bad flag and what it accepts', () => {
    expect(() => parseSweepArgs(['--mode', 'open'])).toThrow(new UsageError('--mode: expected vus (closed model) or rate (open model), got "open"'));
    expect(() => parseSweepArgs(['--start', '0'])).toThrow('--start: expected a whole number of at least 1, got "0"');
    expect(() => parseSweepArgs(['--start', '50', '--max', '40'])).toThrow('--max: expected a whole number of at least --start (50), got 40');
    expect(() => parseSweepArgs(['--precision', '0%'])).toThrow('--precision: expected more than 0%, got 0%');
    expect(() => parseSweepArgs(['--precision', 'tight'])).toThrow('--precision: expected a percentage such as 10%, got "tight"');
    expect(() => parseSweepArgs(['--slo', 'p(95)<500'])).toThrow(/^--slo: expected <metric>:<threshold expression>/);
    expect(() => parseSweepArgs(['--vus', '5'])).toThrow(/'--vus'/);
    expect(() => parseSweepArgs(['40'])).toThrow('unexpected argument "40"; every setting is a flag (npm run sweep -- --help)');
  });

  it('reads step durations as Go durations or seconds, whole seconds only', () => {
    expect(parseStepDuration('20s')).toBe(20);
    expect(parseStepDuration('1m30s')).toBe(90);
    expect(parseStepDuration('45')).toBe(45);
    for (const bad of ['500ms', '1.5s', '0', 'soon', '-5s']) expect(() => parseStepDuration(bad), bad).toThrow(/^--step-duration: expected whole seconds/);
  });
});

describe('docs/bench-cli.md', () => {
  it('documents every flag of the sweep', () => {
    const docs = readFileSync(new URL('../../docs/bench-cli.md', import.meta.url), 'utf8');
    const flags = new Set(SWEEP_USAGE.match(/--[a-z][a-z-]+/g) ?? []);
    expect(flags.size).toBeGreaterThanOrEqual(9);
    for (const flag of flags) expect(docs, flag).toContain(flag);
  });
});
