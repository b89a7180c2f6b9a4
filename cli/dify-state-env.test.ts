import { describe, expect, it } from 'vitest';
import { DIFY_STATE_SCHEMA } from '../lib/init/dify-state.ts';
import { difyStateEnv } from './dify-state-env.ts';
import { PreflightError } from './preflight/preflight.ts';

const KEY = 'fixture-key-not-real';
const FILE = '/repo/.sse-bench/dify.json';
const text = JSON.stringify({ schema: DIFY_STATE_SCHEMA, complete: true, baseUrl: 'http://dify.test', apiKey: KEY, appMode: 'workflow' });
const only = (map: Record<string, string>) => (p: string): string | null => map[p] ?? null;

describe('difyStateEnv', () => {
  it('fills API_KEY and BASE_URL for k6 and names the file, not the key', () => {
    const r = difyStateEnv({ PWD: '/repo', PATH: '/bin' }, only({ [FILE]: text }));
    expect(r.env).toEqual({ PWD: '/repo', PATH: '/bin', BASE_URL: 'http://dify.test', API_KEY: KEY });
    expect(r.note).toBe(`API key and BASE_URL http://dify.test from ${FILE} (npm run setup:dify); API_KEY or DIFY_STATE=none overrides it`);
    expect(r.note).not.toContain(KEY);
  });

  it('leaves the environment alone when a key is set or there is no file', () => {
    const env = { PWD: '/repo', API_KEY: 'mine' };
    expect(difyStateEnv(env, only({ [FILE]: text }))).toEqual({ env, note: '' });
    const bare = { PWD: '/repo' };
    expect(difyStateEnv(bare, only({}))).toEqual({ env: bare, note: '' });
  });

  it('turns a bad state file into a preflight failure naming DIFY_STATE', () => {
    try {
      difyStateEnv({ PWD: '/repo' }, only({ [FILE]: '{"schema":"x"}' }));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PreflightError);
      expect((e as PreflightError).problem).toMatch(/^setting DIFY_STATE: "\/repo\/\.sse-bench\/dify\.json" is not an sse-bench Dify state file/);
      expect((e as PreflightError).fix).toContain('DIFY_STATE=none');
    }
  });
});
