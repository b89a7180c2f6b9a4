/**
 * Flags of `npm run setup:dify`, each also an environment variable (flag > variable >
 * default), defined once in SETUP_FLAGS: parsing, validation and `--help` derive from it.
 */
import { envVarDef } from '../../lib/env-vars.ts';
import { parseStrict, UsageError } from '../args.ts';

/** The OpenAI plugin version the seed's DSL names (a newer one: --plugin). */
export const DEFAULT_OPENAI_PLUGIN = 'langgenius/openai:0.2.5@373362a028986aae53a7baf73a7f11991ba3c22c69eaf97d6cde048cfd4a9f98';

interface FlagDef {
  readonly flag: string;
  readonly env: string;
  readonly default: string;
  readonly help: string;
  readonly boolean?: true;
}

export const SETUP_FLAGS = [
  { flag: 'dify', env: 'DIFY_URL', default: 'http://localhost:5001', help: "Dify's URL (console API under /console/api, service API under /v1)" },
  { flag: 'email', env: 'DIFY_ADMIN_EMAIL', default: '', help: 'admin e-mail: the account is created on a fresh Dify, else logged in to (required)' },
  { flag: 'password', env: 'DIFY_ADMIN_PASSWORD', default: '', help: 'admin password; prefer the variable or the prompt (a flag shows in ps and shell history)' },
  { flag: 'init-password', env: 'DIFY_INIT_PASSWORD', default: '', help: "Dify's INIT_PASSWORD, when it has one and is not set up yet" },
  {
    flag: 'llm-base-url',
    env: 'DIFY_LLM_BASE_URL',
    default: 'http://host.docker.internal:5004',
    help: "OpenAI-compatible server as Dify's plugin daemon reaches it, without /v1; the default is sse-bench's mock started with npm run mock -- --host 0.0.0.0 --port 5004",
  },
  { flag: 'model', env: 'DIFY_MODEL', default: 'gpt-4o', help: 'model of the workflow’s LLM node' },
  { flag: 'app-name', env: 'DIFY_APP_NAME', default: 'sse-bench-workflow', help: 'name of the workflow app (an app of this name is reused)' },
  { flag: 'plugin', env: 'DIFY_OPENAI_PLUGIN', default: DEFAULT_OPENAI_PLUGIN, help: 'marketplace identifier of the OpenAI plugin to install when none is' },
  { flag: 'state', env: 'DIFY_STATE', default: envVarDef('DIFY_STATE').default, help: 'state file (mode 0600) that npm run bench and build/sse.js read' },
  { flag: 'plugin-timeout', env: 'DIFY_PLUGIN_TIMEOUT', default: '300', help: 'seconds to wait for the plugin installation' },
  { flag: 'cleanup', env: 'DIFY_CLEANUP', default: 'false', help: 'delete what setup created in Dify, then the state file', boolean: true },
] as const satisfies readonly FlagDef[];

export interface SetupArgs {
  readonly difyUrl: string;
  /** '' only with --cleanup (the state file's is used). */
  readonly email: string;
  /** '' = ask on the terminal. */
  readonly password: string;
  /** True when the password came from --password (a warning is printed). */
  readonly passwordFromFlag: boolean;
  readonly initPassword: string;
  /** Without a trailing `/v1`: the OpenAI plugin appends it. */
  readonly llmBaseUrl: string;
  readonly model: string;
  readonly appName: string;
  readonly plugin: string;
  readonly statePath: string;
  readonly pluginTimeoutMs: number;
  readonly cleanup: boolean;
  readonly help: boolean;
}

type FlagName = (typeof SETUP_FLAGS)[number]['flag'];

const HTTP_URL = /^https?:\/\/[^\s/?#@]+(?:\/[^\s?#]*)?$/i;
const PLUGIN_ID = /^[\w.-]+\/[\w.-]+:[^\s@]+@[0-9a-f]{16,}$/;

function httpUrl(flag: string, env: string, value: string): string {
  if (!HTTP_URL.test(value)) throw new UsageError(`--${flag} (${env}): expected an http(s) URL without credentials or query, got "${value.replace(/\/\/[^/]*@/, '//***@')}"`);
  return value.replace(/\/+$/, '');
}

export function parseSetupArgs(argv: readonly string[], env: NodeJS.ProcessEnv): SetupArgs {
  const options = Object.fromEntries(SETUP_FLAGS.map((f) => [f.flag, { type: 'boolean' in f ? ('boolean' as const) : ('string' as const) }]));
  const { values, positionals } = parseStrict([...argv], { ...options, help: { type: 'boolean', short: 'h' } });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const raw = values as Record<string, string | boolean | undefined>;
  const get = (flag: FlagName): string => {
    const def = SETUP_FLAGS.find((f) => f.flag === flag);
    if (def === undefined) throw new Error(`no flag ${flag}`); // unreachable: FlagName comes from SETUP_FLAGS
    const v = raw[flag];
    if (typeof v === 'boolean') return String(v);
    if (v !== undefined) return v.trim();
    return (env[def.env] ?? '').trim() || def.default;
  };
  const help = raw.help === true;
  const cleanupRaw = get('cleanup').toLowerCase();
  if (!['true', 'false', '1', '0', ''].includes(cleanupRaw)) throw new UsageError(`DIFY_CLEANUP: expected true or false, got "${cleanupRaw}"`);
  const cleanup = cleanupRaw === 'true' || cleanupRaw === '1';
  const email = get('email');
  if (email === '' && !help && !cleanup) throw new UsageError('--email (DIFY_ADMIN_EMAIL) is required: the Dify admin account to create or log in to');
  if (email !== '' && !/^[^\s@]+@[^\s@]+$/.test(email)) throw new UsageError(`--email (DIFY_ADMIN_EMAIL): "${email}" is not an e-mail address`);
  const plugin = get('plugin');
  if (!PLUGIN_ID.test(plugin)) throw new UsageError(`--plugin (DIFY_OPENAI_PLUGIN): expected a marketplace identifier such as ${DEFAULT_OPENAI_PLUGIN}, got "${plugin}"`);
  const model = get('model');
  const appName = get('app-name');
  if (model === '' || appName === '') throw new UsageError('--model and --app-name must not be empty');
  const timeoutRaw = get('plugin-timeout');
  const timeout = Number(timeoutRaw);
  if (!Number.isFinite(timeout) || timeout <= 0) throw new UsageError(`--plugin-timeout (DIFY_PLUGIN_TIMEOUT): expected a positive number of seconds, got "${timeoutRaw}"`);
  return {
    difyUrl: httpUrl('dify', 'DIFY_URL', get('dify')),
    email,
    password: typeof raw.password === 'string' ? raw.password : (env.DIFY_ADMIN_PASSWORD ?? ''),
    passwordFromFlag: typeof raw.password === 'string',
    initPassword: typeof raw['init-password'] === 'string' ? raw['init-password'] : (env.DIFY_INIT_PASSWORD ?? ''),
    llmBaseUrl: httpUrl('llm-base-url', 'DIFY_LLM_BASE_URL', get('llm-base-url')).replace(/\/v1$/i, ''),
    model,
    appName,
    plugin,
    statePath: get('state'),
    pluginTimeoutMs: timeout * 1000,
    cleanup,
    help,
  };
}

export const SETUP_USAGE = `Usage: npm run setup:dify -- [options]

Turns a Dify into a benchmark target: admin account (on a fresh Dify), login, the OpenAI
plugin pointed at an OpenAI-compatible server (default: sse-bench's mock), the workflow app
dify/sse-bench-workflow.yml, an API key, publish, one verifying streamed run; then writes the
state file that npm run bench and build/sse.js read. Re-running resumes or changes nothing.

Options (each also an environment variable; a flag wins):
${SETUP_FLAGS.map((f) => `  --${f.flag}${'boolean' in f ? '' : ' <v>'}`.padEnd(24) + `${f.env}: ${f.help}${f.default !== '' && !('boolean' in f) ? ` (default ${f.default})` : ''}`).join('\n')}
  -h, --help              this text

Without --password / DIFY_ADMIN_PASSWORD the password is asked on the terminal (not echoed).
Exit code: 0 done, 1 a step failed (its name, Dify's answer and the fix are printed), 2 bad flags.`;
