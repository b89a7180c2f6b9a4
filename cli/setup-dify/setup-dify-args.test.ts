import { describe, expect, it } from 'vitest';
import { UsageError } from '../args.ts';
import { DEFAULT_OPENAI_PLUGIN, parseSetupArgs, SETUP_FLAGS, SETUP_USAGE } from './setup-dify-args.ts';

const errorOf = (argv: string[], env: NodeJS.ProcessEnv = {}): string => {
  try {
    parseSetupArgs(argv, env);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('no UsageError');
};

describe('parseSetupArgs', () => {
  it('gives the defaults with only an e-mail', () => {
    expect(parseSetupArgs(['--email', 'a@b.test'], {})).toEqual({
      difyUrl: 'http://localhost:5001',
      email: 'a@b.test',
      password: '',
      passwordFromFlag: false,
      initPassword: '',
      llmBaseUrl: 'http://host.docker.internal:5004',
      model: 'gpt-4o',
      appName: 'sse-bench-workflow',
      plugin: DEFAULT_OPENAI_PLUGIN,
      statePath: '.sse-bench/dify.json',
      pluginTimeoutMs: 300_000,
      cleanup: false,
      help: false,
    });
  });

  it('takes every flag from its variable, and a flag wins over the variable', () => {
    const env = {
      DIFY_URL: 'https://dify.example/',
      DIFY_ADMIN_EMAIL: 'env@b.test',
      DIFY_ADMIN_PASSWORD: ' spaced pw1 ',
      DIFY_INIT_PASSWORD: 'init',
      DIFY_LLM_BASE_URL: 'http://10.0.0.1:5004/v1/',
      DIFY_MODEL: 'm1',
      DIFY_APP_NAME: 'n1',
      DIFY_STATE: '/tmp/s.json',
      DIFY_PLUGIN_TIMEOUT: '12',
      DIFY_CLEANUP: 'true',
    };
    const fromEnv = parseSetupArgs([], env);
    expect(fromEnv).toMatchObject({
      difyUrl: 'https://dify.example',
      email: 'env@b.test',
      password: ' spaced pw1 ',
      passwordFromFlag: false,
      initPassword: 'init',
      llmBaseUrl: 'http://10.0.0.1:5004',
      model: 'm1',
      appName: 'n1',
      statePath: '/tmp/s.json',
      pluginTimeoutMs: 12_000,
      cleanup: true,
    });
    const fromFlags = parseSetupArgs(['--dify', 'http://x:1', '--email', 'f@b.test', '--password', 'pw', '--model', 'm2', '--state', 's.json'], env);
    expect(fromFlags).toMatchObject({ difyUrl: 'http://x:1', email: 'f@b.test', password: 'pw', passwordFromFlag: true, model: 'm2', statePath: 's.json' });
  });

  it('names the flag and its variable for each bad value', () => {
    expect(errorOf([])).toBe('--email (DIFY_ADMIN_EMAIL) is required: the Dify admin account to create or log in to');
    expect(errorOf(['--email', 'nope'])).toBe('--email (DIFY_ADMIN_EMAIL): "nope" is not an e-mail address');
    expect(errorOf(['--email', 'a@b.test', '--dify', 'ftp://x'])).toBe('--dify (DIFY_URL): expected an http(s) URL without credentials or query, got "ftp://x"');
    expect(errorOf(['--email', 'a@b.test', '--dify', 'http://u:secret@x'])).not.toContain('secret');
    expect(errorOf(['--email', 'a@b.test', '--plugin', 'langgenius/openai'])).toMatch(/^--plugin \(DIFY_OPENAI_PLUGIN\): expected a marketplace identifier/);
    expect(errorOf(['--email', 'a@b.test', '--plugin-timeout', '0'])).toBe('--plugin-timeout (DIFY_PLUGIN_TIMEOUT): expected a positive number of seconds, got "0"');
    expect(errorOf(['--email', 'a@b.test'], { DIFY_CLEANUP: 'maybe' })).toBe('DIFY_CLEANUP: expected true or false, got "maybe"');
    expect(errorOf(['--email', 'a@b.test', '--bogus'])).toMatch(/Unknown option '--bogus'/);
    expect(errorOf(['--email', 'a@b.test', 'extra'])).toBe('unexpected argument "extra"');
  });

  it('needs no e-mail for --cleanup (the state file has it) or --help', () => {
    expect(parseSetupArgs(['--cleanup'], {})).toMatchObject({ cleanup: true, email: '' });
    expect(parseSetupArgs(['-h'], {}).help).toBe(true);
  });

  it('documents every flag with its variable in --help', () => {
    for (const f of SETUP_FLAGS) {
      expect(SETUP_USAGE).toContain(`--${f.flag}`);
      expect(SETUP_USAGE).toContain(`${f.env}: `);
    }
  });
});
