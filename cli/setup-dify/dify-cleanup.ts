/**
 * `npm run setup:dify -- --cleanup`: removes from Dify what setup created, as recorded in the
 * state file (the app and its keys, or only the key when the app was there before; the
 * credential and the plugin only when setup installed them), then the state file. Each removal
 * is saved in the state at once, so a re-run after a failure resumes; something already gone
 * (404) counts as removed.
 */
import { isObj, str } from './dify-console-client.ts';
import { OPENAI_PROVIDER } from './dify-dsl.ts';
import { items, loginStep, type Step, StepFailure } from './dify-setup-steps.ts';

const CREDENTIALS = `/workspaces/current/model-providers/${OPENAI_PROVIDER}/credentials`;

export const removeAppStep: Step = {
  name: 'app',
  async run(ctx) {
    const { state } = ctx;
    const appId = state.appId;
    if (appId === null || (!state.created.app && !state.created.apiKey)) return 'no app or key of ours to remove';
    const listed = await ctx.console.request('GET', `/apps/${appId}/api-keys`, undefined, { accept: [404] });
    const ids = state.created.app ? items(listed.body).map((k) => str(k.id)) : [state.apiKeyId ?? ''];
    for (const id of ids.filter((i) => i !== '')) {
      await ctx.console.request('DELETE', `/apps/${appId}/api-keys/${id}`, undefined, { accept: [404] });
    }
    const removed = [`removed ${ids.length} API key(s)`];
    state.apiKey = null;
    state.apiKeyId = null;
    state.created.apiKey = false;
    ctx.save();
    if (state.created.app) {
      await ctx.console.request('DELETE', `/apps/${appId}`, undefined, { accept: [404] });
      state.appId = null;
      state.created.app = false;
      removed.push(`app ${appId}`);
      ctx.save();
    }
    ctx.changes.push(...removed);
    return removed.join(' and ');
  },
};

export const removeCredentialStep: Step = {
  name: 'provider',
  async run(ctx) {
    const { state } = ctx;
    const id = state.created.credentialId;
    const done: string[] = [];
    if (id !== null) {
      const previous = state.created.previousCredentialId;
      if (previous !== null) {
        // Give the provider back its former credential, if it still exists.
        const res = await ctx.console.request('POST', `${CREDENTIALS}/switch`, { credential_id: previous }, { accept: [400, 404] });
        if (res.status < 300) done.push('switched the provider back to its former credential');
      }
      const providers = await ctx.console.request('GET', '/workspaces/current/model-providers');
      const openai = items(providers.body).find((p) => p.provider === OPENAI_PROVIDER);
      const listed = items(isObj(openai?.custom_configuration) ? openai.custom_configuration : {}, 'available_credentials');
      if (listed.some((c) => c.credential_id === id)) await ctx.console.request('DELETE', CREDENTIALS, { credential_id: id });
      state.created.credentialId = null;
      state.created.previousCredentialId = null;
      ctx.save();
      done.push(`removed credential ${id}`);
    }
    const pluginId = state.created.pluginId;
    if (pluginId !== null) {
      const res = await ctx.console.request('POST', '/workspaces/current/plugin/list/installations/ids', { plugin_ids: [pluginId] });
      const installed = items(res.body, 'plugins').find((p) => p.plugin_id === pluginId);
      if (installed !== undefined) {
        const out = await ctx.console.request('POST', '/workspaces/current/plugin/uninstall', { plugin_installation_id: str(installed.id) });
        if (isObj(out.body) && out.body.success === false) throw new StepFailure(`Dify did not uninstall ${pluginId}`, 'uninstall it in the console (Plugins), then run again');
      }
      state.created.pluginId = null;
      ctx.save();
      done.push(`uninstalled plugin ${pluginId}`);
    }
    ctx.changes.push(...done);
    return done.length === 0 ? 'no credential or plugin of ours to remove' : done.join('; ');
  },
};

/** Cleanup's steps; the runner removes the state file after them. */
export const CLEANUP_STEPS: readonly Step[] = [loginStep, removeAppStep, removeCredentialStep];
