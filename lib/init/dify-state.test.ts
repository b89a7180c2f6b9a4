import { describe, expect, it } from 'vitest';
import { ConfigError, difyStatePath, loadConfig } from './config';
import { DIFY_STATE_SCHEMA, parseDifyStateTarget, readDifyState, readOrNull, targetForAppMode, withDifyState } from './dify-state';

const KEY = 'fixture-key-not-real';
const state = (over: Record<string, unknown> = {}): string =>
  JSON.stringify({ schema: DIFY_STATE_SCHEMA, complete: true, stoppedAt: '', baseUrl: 'http://dify.test:8080/', apiKey: KEY, appMode: 'workflow', ...over });

/** A file system of one file; records the paths asked for. */
function files(map: Record<string, string>) {
  const asked: string[] = [];
  const read = (path: string): string | null => {
    asked.push(path);
    return map[path] ?? null;
  };
  return { read, asked };
}

const DEFAULT_FILE = '/home/u/repo/.sse-bench/dify.json';

describe('difyStatePath', () => {
  it('resolves the default against PWD, and gives none without a usable PWD', () => {
    expect(difyStatePath({ PWD: '/home/u/repo' })).toEqual({ path: DEFAULT_FILE, explicit: false });
    expect(difyStatePath({})).toEqual({ path: '', explicit: false });
    expect(difyStatePath({ PWD: 'relative' })).toEqual({ path: '', explicit: false });
  });

  it('resolves an explicit relative path against PWD and keeps an absolute one', () => {
    expect(difyStatePath({ PWD: '/w', DIFY_STATE: '../s/d.json' })).toEqual({ path: '/s/d.json', explicit: true });
    expect(difyStatePath({ DIFY_STATE: '/etc/x.json' })).toEqual({ path: '/etc/x.json', explicit: true });
  });

  it('turns off with DIFY_STATE=none, and rejects an explicit relative path without PWD', () => {
    expect(difyStatePath({ PWD: '/w', DIFY_STATE: 'None' })).toEqual({ path: '', explicit: true });
    expect(() => difyStatePath({ DIFY_STATE: 'x.json' })).toThrow(/DIFY_STATE: relative path "x.json" needs PWD/);
  });
});

describe('readDifyState', () => {
  it('gives the key and base URL of a finished state when nothing is set', () => {
    const fs = files({ [DEFAULT_FILE]: state() });
    expect(readDifyState({ PWD: '/home/u/repo' }, fs.read)).toEqual({ path: DEFAULT_FILE, baseUrl: 'http://dify.test:8080', apiKey: KEY, target: 'dify-workflow' });
  });

  it('is not read at all when API_KEY or DIFY_API_KEY is set', () => {
    for (const env of [{ API_KEY: 'k' }, { DIFY_API_KEY: 'k' }]) {
      const fs = files({ [DEFAULT_FILE]: state() });
      expect(readDifyState({ PWD: '/home/u/repo', ...env }, fs.read)).toBeNull();
      expect(fs.asked).toEqual([]);
    }
  });

  it('applies with the same BASE_URL (trailing slash aside), not with another', () => {
    const fs = files({ [DEFAULT_FILE]: state() });
    expect(readDifyState({ PWD: '/home/u/repo', BASE_URL: 'http://dify.test:8080' }, fs.read)?.apiKey).toBe(KEY);
    expect(readDifyState({ PWD: '/home/u/repo', BASE_URL: 'http://other:5001' }, fs.read)).toBeNull();
  });

  it('applies only to the app’s target', () => {
    const fs = files({ [DEFAULT_FILE]: state() });
    expect(readDifyState({ PWD: '/home/u/repo', TARGET: 'dify-workflow' }, fs.read)?.target).toBe('dify-workflow');
    expect(readDifyState({ PWD: '/home/u/repo', TARGET: 'openai-chat' }, fs.read)).toBeNull();
  });

  it('ignores a missing default file but not a missing explicit one', () => {
    expect(readDifyState({ PWD: '/home/u/repo' }, files({}).read)).toBeNull();
    expect(() => readDifyState({ DIFY_STATE: '/nope.json' }, files({}).read)).toThrow('DIFY_STATE: cannot read "/nope.json"');
  });

  it('names DIFY_STATE for a broken, foreign or unfinished file', () => {
    const cases: [string, RegExp][] = [
      ['{', /is not JSON/],
      [JSON.stringify({ schema: 'other' }), /is not an sse-bench Dify state file/],
      [state({ complete: false, stoppedAt: 'verify' }), /unfinished `npm run setup:dify` \(it stopped at step "verify"\)/],
      [state({ apiKey: null }), /lacks baseUrl, apiKey/],
      [state({ appMode: 'completion' }), /lacks baseUrl, apiKey or a workflow\/chat appMode/],
    ];
    for (const [text, message] of cases) {
      const fs = files({ [DEFAULT_FILE]: text });
      try {
        readDifyState({ PWD: '/home/u/repo' }, fs.read);
        expect.unreachable(text);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        expect((e as ConfigError).variable).toBe('DIFY_STATE');
        expect((e as Error).message).toMatch(message);
        expect((e as Error).message).not.toContain(KEY);
      }
    }
  });
});

describe('withDifyState', () => {
  it('fills BASE_URL and API_KEY, and loadConfig then targets the state’s Dify', () => {
    const env = withDifyState({ PWD: '/home/u/repo' }, files({ [DEFAULT_FILE]: state() }).read);
    const config = loadConfig(env);
    expect(config.url).toBe('http://dify.test:8080/v1/workflows/run');
    expect(config.apiKey).toBe(KEY);
  });

  it('returns the environment itself when the file does not apply', () => {
    const env = { PWD: '/home/u/repo', API_KEY: 'mine' };
    expect(withDifyState(env, files({ [DEFAULT_FILE]: state() }).read)).toBe(env);
  });
});

describe('helpers', () => {
  it('readOrNull turns a throwing reader (k6 open) into null', () => {
    const r = readOrNull((p) => {
      if (p === 'a') return 'text';
      throw new Error('no such file');
    });
    expect(r('a')).toBe('text');
    expect(r('b')).toBeNull();
  });

  it('maps app modes to targets', () => {
    expect([targetForAppMode('workflow'), targetForAppMode('advanced-chat'), targetForAppMode('agent-chat'), targetForAppMode(null)]).toEqual([
      'dify-workflow',
      'dify-chat',
      null,
      null,
    ]);
  });

  it('parseDifyStateTarget strips the trailing slash', () => {
    expect(parseDifyStateTarget(state(), 'f').baseUrl).toBe('http://dify.test:8080');
  });
});
