import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BENCH_USAGE, CALIBRATE_USAGE, COMPARE_USAGE, parseBenchArgs, parseCalibrateArgs, parseCompareArgs, parsePercent, UsageError } from './args.ts';

describe('parseBenchArgs', () => {
  it('--model-log takes the mock\'s base URL (trailing / dropped)', () => {
    expect(parseBenchArgs(['--model-log', 'http://127.0.0.1:5004/']).modelLog).toBe('http://127.0.0.1:5004');
    expect(() => parseBenchArgs(['--model-log', '127.0.0.1:5004'])).toThrow('--model-log: expected the mock\'s base URL (e.g. http://127.0.0.1:5004), got "127.0.0.1:5004"');
  });

  it('has the documented defaults', () => {
    expect(parseBenchArgs([])).toEqual({ intervalSec: 5, quiet: false, dashboard: false, k6Progress: false, address: '', script: 'build/sse.js', help: false, k6Args: [], repeat: 1, windowSec: 5, modelLog: '' });
  });
  it('reads flags and passes everything after -- to k6 unchanged', () => {
    expect(parseBenchArgs(['--interval', '2.5', '-q', '--dashboard', '--k6-progress', '--address', '127.0.0.1:7000', '--', '--vus', '5', '--quiet', '--', 'x'])).toEqual({
      intervalSec: 2.5,
      quiet: true,
      dashboard: true,
      k6Progress: true,
      address: '127.0.0.1:7000',
      script: 'build/sse.js',
      help: false,
      k6Args: ['--vus', '5', '--quiet', '--', 'x'],
      repeat: 1,
      windowSec: 5,
      modelLog: '',
    });
    expect(parseBenchArgs(['--repeat', '3']).repeat).toBe(3);
    expect(parseBenchArgs(['--window', '10']).windowSec).toBe(10);
    expect(parseBenchArgs(['--window', '0']).windowSec).toBe(0);
    expect(() => parseBenchArgs(['--window', 'soon'])).toThrow('--window: expected a positive number of seconds, got "soon"');
  });
  it('names the bad flag and what it accepts', () => {
    expect(() => parseBenchArgs(['--interval', '0'])).toThrow(new UsageError('--interval: expected a positive number of seconds, got "0"'));
    expect(() => parseBenchArgs(['--interval', 'soon'])).toThrow(/--interval: expected a positive number/);
    expect(() => parseBenchArgs(['--address', 'localhost'])).toThrow('--address: expected host:port (e.g. 127.0.0.1:6565), got "localhost"');
    expect(() => parseBenchArgs(['--vus', '5'])).toThrow(UsageError);
    expect(() => parseBenchArgs(['--vus', '5'])).toThrow(/'--vus'/);
    expect(() => parseBenchArgs(['--repeat', '0'])).toThrow(new UsageError('--repeat: expected a whole number of at least 1, got "0"'));
    expect(() => parseBenchArgs(['--repeat', '2.5'])).toThrow('--repeat: expected a whole number of at least 1, got "2.5"');
    expect(() => parseBenchArgs(['run'])).toThrow('unexpected argument "run": k6 flags go after "--" (npm run bench -- -- --vus 5)');
  });
});

describe('parseCompareArgs', () => {
  it('takes two reports and an optional percentage', () => {
    expect(parseCompareArgs(['a.json', 'b.json', '--max-regression', '10%'])).toEqual({
      baseline: 'a.json',
      candidate: 'b.json',
      maxRegression: 0.1,
      noiseRelative: null,
      noiseAbsolute: {},
      help: false,
    });
    expect(parseCompareArgs(['a.json', 'b.json']).maxRegression).toBeNull();
  });
  it('takes noise floors: --noise for every figure, --noise-abs by figure key or unit (repeatable)', () => {
    const args = parseCompareArgs(['--noise', '2%', '--noise-abs', 'ms=3', '--noise-abs', 'ttfeP95Ms=10', '--noise-abs', 'fraction=0.005', 'a.json', 'b.json']);
    expect(args.noiseRelative).toBe(0.02);
    expect(args.noiseAbsolute).toEqual({ ms: 3, ttfeP95Ms: 10, fraction: 0.005 });
    expect(() => parseCompareArgs(['--noise-abs', 'ttfe=3', 'a.json', 'b.json'])).toThrow(/^--noise-abs: expected <figure or unit>=<number ≥ 0>, e\.g\. ttfeP95Ms=5 or ms=3, got "ttfe=3"; units: ms, \/s, fraction, count, bytes, tokens\/s/);
    expect(() => parseCompareArgs(['--noise-abs', 'ms=-1', 'a.json', 'b.json'])).toThrow(/^--noise-abs: /);
    expect(() => parseCompareArgs(['--noise', 'lots', 'a.json', 'b.json'])).toThrow('--noise: expected a percentage such as 10%, got "lots"');
  });
  it('parses percentages with or without %', () => {
    expect(parsePercent('--x', '10%')).toBe(0.1);
    expect(parsePercent('--x', '2.5')).toBe(0.025);
    expect(() => parsePercent('--x', '-5%')).toThrow('--x: expected a percentage such as 10%, got "-5%"');
  });
});

describe('parseCalibrateArgs', () => {
  it('defaults to a 10 s ramp of 10..800 VUs, 100 ms TTFE, 5 ms tolerance', () => {
    expect(parseCalibrateArgs([])).toEqual({ stepSec: 10, steps: [10, 25, 50, 100, 200, 400, 800], ttfeMs: 100, toleranceMs: 5, help: false });
  });
  it('rejects steps that are not ascending positive integers', () => {
    expect(parseCalibrateArgs(['--steps', '5, 10,20']).steps).toEqual([5, 10, 20]);
    expect(() => parseCalibrateArgs(['--steps', '10,5'])).toThrow('--steps: values must ascend, got "10,5"');
    expect(() => parseCalibrateArgs(['--steps', '10,x'])).toThrow(/--steps: expected ascending positive integers/);
  });
});

describe('docs/bench-cli.md', () => {
  const docs = readFileSync(new URL('../docs/bench-cli.md', import.meta.url), 'utf8');
  it('documents every flag of the usage texts', () => {
    const flags = new Set([BENCH_USAGE, COMPARE_USAGE, CALIBRATE_USAGE].flatMap((u) => u.match(/--[a-z][a-z-]+/g) ?? []));
    expect(flags.size).toBeGreaterThan(8);
    for (const flag of flags) expect(docs, flag).toContain(flag);
  });
  it('lists every CLI module', () => {
    // cli/ and its folders (one per command, plus run/ and preflight/ that several share)
    const modules = (readdirSync(new URL('.', import.meta.url), { recursive: true }) as string[]).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    for (const m of modules) expect(docs, m).toContain(`\`${m}\``);
  });
});
