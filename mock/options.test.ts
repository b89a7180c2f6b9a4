import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FAULT_NAMES } from './faults.ts';
import { applyRequestHeaders, defaultOptions, envOf, flagOf, headerOf, KNOBS, MockOptionError, parseTtfeStep, renderKnobTable, resolveCliOptions, steppedOptions } from './options.ts';

describe('KNOBS', () => {
  it('derive flag, env and header names from one kebab-case name', () => {
    const k = KNOBS.find((x) => x.name === 'token-interval-ms');
    expect(k && [flagOf(k), envOf(k), headerOf(k)]).toEqual(['--token-interval-ms', 'MOCK_TOKEN_INTERVAL_MS', 'X-Mock-Token-Interval-Ms']);
    expect(new Set(KNOBS.map((x) => x.name)).size).toBe(KNOBS.length);
  });

  it('have a probability knob per fault', () => {
    for (const f of FAULT_NAMES) expect(KNOBS.map((k) => k.name)).toContain(`fault-${f.replace(/_/g, '-')}`);
  });

  it('defaults come from the table', () => {
    const o = defaultOptions();
    expect(o).toMatchObject({ apiKey: '', ttfeMs: 20, ttftMs: 200, tokens: 50, tokenIntervalMs: 20, jitter: 'none', pingIntervalMs: 10_000, fault: 'none', scheduler: 'tick' });
    expect(Object.values(o.faultRates)).toEqual(FAULT_NAMES.map(() => 0));
  });
});

describe('resolveCliOptions', () => {
  it('flags win over env vars, env vars over defaults', () => {
    const o = resolveCliOptions({ tokens: '7' }, { MOCK_TOKENS: '9', MOCK_TTFT_MS: '5', MOCK_FAULT_RESET: '0.5', MOCK_PORT: '6000' });
    expect(o).toMatchObject({ tokens: 7, ttftMs: 5, port: 6000, host: '127.0.0.1' });
    expect(o.faultRates.reset).toBe(0.5);
  });

  it.each([
    [{ tokens: '-1' }, {}, '--tokens: expected an integer from 0 to 100000, got "-1"'],
    [{ tokens: '1.5' }, {}, '--tokens: expected an integer from 0 to 100000, got "1.5"'],
    [{}, { MOCK_FAULT_HTTP_500: '2' }, 'MOCK_FAULT_HTTP_500: expected a number from 0 to 1, got "2"'],
    [{ scheduler: 'fast' }, {}, '--scheduler: expected one of tick, timers, got "fast"'],
    [{ port: '' }, {}, '--port: expected an integer from 0 to 65535, got ""'],
  ])('rejects %j %j naming the source and accepted values', (flags, env, message) => {
    expect(() => resolveCliOptions(flags, env)).toThrow(new MockOptionError(message));
  });
});

describe('--ttfe-step', () => {
  it('parses <time>:±<delay> in Go duration syntax; empty is no step', () => {
    expect(parseTtfeStep('10s:+200ms')).toEqual({ atMs: 10_000, addMs: 200 });
    expect(parseTtfeStep(' 1m30s:-50ms ')).toEqual({ atMs: 90_000, addMs: -50 });
    expect(parseTtfeStep('')).toBeNull();
    expect(resolveCliOptions({ 'ttfe-step': '5s:+1s' }, {}).ttfeStep).toEqual({ atMs: 5000, addMs: 1000 });
    expect(resolveCliOptions({}, { MOCK_TTFE_STEP: '2s:+20ms' }).ttfeStep).toEqual({ atMs: 2000, addMs: 20 });
    expect(defaultOptions().ttfeStep).toBeNull();
  });

  it.each(['10s', '10s:200ms', 'soon:+1s', '10s:+fast', '-1s:+1s', '1s:+-5ms'])('rejects %j naming the flag', (raw) => {
    expect(() => resolveCliOptions({ 'ttfe-step': raw }, {})).toThrow(new MockOptionError(`--ttfe-step: expected <time>:+<delay> such as 10s:+200ms, got ${JSON.stringify(raw)}`));
  });

  it('moves TTFE and TTFT of requests from the step on (never below 0), and leaves earlier ones alone', () => {
    const o = { ...defaultOptions(), ttfeMs: 20, ttftMs: 200, ttfeStep: { atMs: 10_000, addMs: 200 } };
    expect(steppedOptions(o, 9_999)).toBe(o);
    expect(steppedOptions(o, 10_000)).toMatchObject({ ttfeMs: 220, ttftMs: 400 });
    expect(steppedOptions({ ...o, ttfeStep: { atMs: 0, addMs: -100 } }, 5)).toMatchObject({ ttfeMs: 0, ttftMs: 100 });
    const none = defaultOptions();
    expect(steppedOptions(none, 1e9)).toBe(none);
  });

  it('cannot be set per request (it counts from the server’s start)', () => {
    expect(() => applyRequestHeaders(defaultOptions(), { 'x-mock-ttfe-step': '1s:+1s' })).toThrow(/cannot be set per request/);
  });
});

describe('applyRequestHeaders', () => {
  const base = defaultOptions();
  it('returns the base options untouched when no X-Mock-* header is set', () => {
    expect(applyRequestHeaders(base, { 'content-type': 'x' })).toBe(base);
  });
  it('overrides per request without touching the base', () => {
    const o = applyRequestHeaders(base, { 'x-mock-tokens': '3', 'x-mock-fault': 'crlf', 'x-mock-fault-stall': '0.25', 'x-mock-jitter': 'uniform' });
    expect(o).toMatchObject({ tokens: 3, fault: 'crlf', jitter: 'uniform' });
    expect(o.faultRates.stall).toBe(0.25);
    expect(base.faultRates.stall).toBe(0);
    expect(base.tokens).toBe(50);
  });
});

describe('docs/mock-server.md', () => {
  it('holds the generated knob table (regenerate: npm run mock -- --help-markdown)', () => {
    const doc = readFileSync(new URL('../docs/mock-server.md', import.meta.url), 'utf8');
    const m = /<!-- knobs:start -->\n([\s\S]*?)\n<!-- knobs:end -->/.exec(doc);
    expect(m?.[1]).toBe(renderKnobTable());
  });
});
