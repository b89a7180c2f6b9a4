/**
 * The `provider` step of `npm run setup:dify`: the OpenAI plugin from Dify's marketplace (only
 * when not installed; its install task polled with a deadline), then a provider credential whose
 * `openai_api_base` is --llm-base-url (an existing one pointing there is reused; Dify validates a
 * new one by calling that server from its plugin daemon), made the provider's active credential.
 */
import { isObj, str } from './dify-console-client.ts';
import { OPENAI_PROVIDER, pluginIdOf } from './dify-dsl.ts';
import { items, type Step, type StepContext, StepFailure } from './dify-setup-steps.ts';

const PLUGIN = '/workspaces/current/plugin';
const CREDENTIALS = `/workspaces/current/model-providers/${OPENAI_PROVIDER}/credentials`;

/** The placeholder key the credential carries: the mock ignores it (not a secret). */
export const LLM_PLACEHOLDER_KEY = 'sse-bench';

async function installedPlugin(ctx: StepContext, pluginId: string): Promise<Record<string, unknown> | null> {
  const res = await ctx.console.request('POST', `${PLUGIN}/list/installations/ids`, { plugin_ids: [pluginId] });
  return items(res.body, 'plugins').find((p) => p.plugin_id === pluginId) ?? null;
}

async function ensurePlugin(ctx: StepContext): Promise<string> {
  const pluginId = pluginIdOf(ctx.args.plugin);
  const have = await installedPlugin(ctx, pluginId);
  if (have !== null) return `plugin ${pluginId}${str(have.version) === '' ? '' : ` ${str(have.version)}`} installed already`;
  const res = await ctx.console.request('POST', `${PLUGIN}/install/marketplace`, { plugin_unique_identifiers: [ctx.args.plugin] });
  const answer = isObj(res.body) ? res.body : {};
  const taskId = str(answer.task_id);
  if (answer.all_installed === true || taskId === '') return `plugin ${pluginId} installed already (the marketplace says so)`;
  ctx.io.out(`  installing ${ctx.args.plugin} from the marketplace (task ${taskId}, up to ${ctx.args.pluginTimeoutMs / 1000} s)`);
  ctx.state.created.pluginId = pluginId; // from here on, ours to remove (even if this run fails mid-way)
  ctx.save();
  const deadline = ctx.now() + ctx.args.pluginTimeoutMs;
  let last = '';
  for (;;) {
    const polled = await ctx.console.request('GET', `${PLUGIN}/tasks/${encodeURIComponent(taskId)}`);
    const task = isObj(polled.body) && isObj(polled.body.task) ? polled.body.task : {};
    const status = str(task.status);
    const shown = `${status} (${Number(task.completed_plugins ?? 0)}/${Number(task.total_plugins ?? 1)} plugins)`;
    if (shown !== last) ctx.io.out(`  plugin task ${taskId}: ${shown}`);
    last = shown;
    if (status === 'success') break;
    if (status === 'failed') {
      const why = items(task, 'plugins').map((p) => str(p.message)).filter((m) => m !== '').join('; ');
      ctx.state.created.pluginId = null;
      throw new StepFailure(`the plugin install task ${taskId} failed${why === '' ? '' : `: ${why}`}`, 'check the plugin daemon logs (docker compose logs plugin_daemon) and the marketplace access, then run again');
    }
    if (ctx.now() >= deadline) {
      throw new StepFailure(`the plugin install task ${taskId} is still ${status || 'unknown'} after ${ctx.args.pluginTimeoutMs / 1000} s`, 'run again later (the install goes on in Dify), or raise --plugin-timeout');
    }
    await ctx.sleep(ctx.pollIntervalMs);
  }
  ctx.changes.push(`plugin ${pluginId} installed`);
  return `installed plugin ${ctx.args.plugin}`;
}

const normBase = (u: string): string => u.trim().replace(/\/+$/, '').replace(/\/v1$/i, '');

/** A short stable name per base URL (Dify: ≤ 30 characters, unique per provider). */
export function credentialName(llmBaseUrl: string): string {
  let h = 2166136261;
  for (const ch of normBase(llmBaseUrl)) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return `sse-bench ${h.toString(16).padStart(8, '0')}`;
}

interface Provider {
  readonly currentId: string;
  readonly credentials: readonly { id: string; name: string }[];
}

async function openaiProvider(ctx: StepContext): Promise<Provider> {
  const res = await ctx.console.request('GET', '/workspaces/current/model-providers');
  const p = items(res.body).find((x) => x.provider === OPENAI_PROVIDER);
  if (p === undefined) {
    throw new StepFailure(`Dify lists no model provider ${OPENAI_PROVIDER} although the plugin is installed`, 'restart Dify’s api and plugin_daemon containers, then run again');
  }
  const custom = isObj(p.custom_configuration) ? p.custom_configuration : {};
  if (!Array.isArray(custom.available_credentials) && custom.status === 'active') {
    throw new StepFailure('this Dify has no multi-credential provider API (custom_configuration.available_credentials)', 'upgrade Dify, or configure the OpenAI provider by hand and set API_KEY/BASE_URL yourself');
  }
  const credentials = items(custom, 'available_credentials').map((c) => ({ id: str(c.credential_id), name: str(c.credential_name) }));
  return { currentId: str(custom.current_credential_id), credentials };
}

async function credentialBase(ctx: StepContext, id: string): Promise<string> {
  const res = await ctx.console.request('GET', `${CREDENTIALS}?credential_id=${encodeURIComponent(id)}`);
  const creds = isObj(res.body) && isObj(res.body.credentials) ? res.body.credentials : {};
  return normBase(str(creds.openai_api_base));
}

async function ensureCredential(ctx: StepContext): Promise<string> {
  const { state, args } = ctx;
  const want = normBase(args.llmBaseUrl);
  let provider = await openaiProvider(ctx);
  const ordered = [...provider.credentials].sort((a, b) => Number(b.id === state.created.credentialId) - Number(a.id === state.created.credentialId));
  let ours: { id: string; name: string } | undefined;
  for (const c of ordered) {
    if ((await credentialBase(ctx, c.id)) === want) {
      ours = c;
      break;
    }
  }
  let message: string;
  if (ours !== undefined) {
    if (ours.id !== state.created.credentialId && state.created.credentialId !== null) state.created.credentialId = null;
    message = `reusing credential "${ours.name}" → ${want}`;
  } else {
    const name = credentialName(want);
    await ctx.console.request('POST', CREDENTIALS, {
      credentials: { openai_api_key: LLM_PLACEHOLDER_KEY, openai_organization: null, openai_api_base: want },
      name,
    });
    provider = await openaiProvider(ctx);
    ours = provider.credentials.find((c) => c.name === name);
    if (ours === undefined) throw new StepFailure(`Dify accepted credential "${name}" but does not list it`, 'report your Dify version (see the README)');
    state.created.credentialId = ours.id;
    ctx.changes.push(`credential "${name}" created`);
    ctx.save();
    message = `created credential "${name}" → ${want} (validated by Dify)`;
  }
  if (provider.currentId !== ours.id) {
    await ctx.console.request('POST', `${CREDENTIALS}/switch`, { credential_id: ours.id });
    if (provider.currentId !== '' && state.created.previousCredentialId === null) state.created.previousCredentialId = provider.currentId;
    ctx.changes.push('provider switched to the sse-bench credential');
    ctx.save();
    message += '; made it the active one';
  }
  return message;
}

export const providerStep: Step = {
  name: 'provider',
  async run(ctx) {
    const plugin = await ensurePlugin(ctx);
    const credential = await ensureCredential(ctx);
    return `${plugin}; ${credential}`;
  },
};
