/**
 * The workflow DSL sse-bench ships (dify/sse-bench-workflow.yml), made into the text that
 * `npm run setup:dify` imports: app name, the LLM node's model and the plugin dependency set
 * from the flags. Also reads a draft workflow back (Dify's `GET …/workflows/draft`) to tell
 * whether an existing app still uses that model.
 */
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';

export const DSL_PATH = new URL('../../dify/sse-bench-workflow.yml', import.meta.url);

/** Dify's provider segment of the OpenAI plugin: `<org>/<plugin>/<provider>`. */
export const OPENAI_PROVIDER = 'langgenius/openai/openai';
/** The plugin id (`<org>/<plugin>`) of a marketplace identifier `langgenius/openai:0.2.5@<hash>`. */
export const pluginIdOf = (identifier: string): string => identifier.split(':')[0] ?? identifier;

export interface DslSettings {
  readonly appName: string;
  readonly model: string;
  /** Marketplace identifier of the OpenAI plugin, `langgenius/openai:<version>@<hash>`. */
  readonly plugin: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function obj(parent: unknown, key: string, where: string): Obj {
  const v = isObj(parent) ? parent[key] : undefined;
  if (!isObj(v)) throw new Error(`${where}: "${key}" is missing or not a mapping`);
  return v;
}

function list(parent: unknown, key: string, where: string): unknown[] {
  const v = isObj(parent) ? parent[key] : undefined;
  if (!Array.isArray(v)) throw new Error(`${where}: "${key}" is missing or not a list`);
  return v;
}

/** The graph's node of a type (`llm`, `start`, `end`), or null. */
export function nodeOfType(graph: unknown, type: string): Obj | null {
  const nodes = isObj(graph) && Array.isArray(graph.nodes) ? graph.nodes : [];
  for (const n of nodes) {
    if (isObj(n) && isObj(n.data) && n.data.type === type) return n.data;
  }
  return null;
}

/** The shipped DSL with the settings applied, as YAML text for `POST /console/api/apps/imports`. */
export function buildDsl(settings: DslSettings, text = readFileSync(DSL_PATH, 'utf8')): string {
  const where = 'dify/sse-bench-workflow.yml';
  const doc: unknown = parse(text);
  obj(doc, 'app', where).name = settings.appName;
  const llm = nodeOfType(obj(obj(doc, 'workflow', where), 'graph', where), 'llm');
  if (llm === null) throw new Error(`${where}: no llm node in workflow.graph.nodes`);
  const model = obj(llm, 'model', where);
  model.name = settings.model;
  model.provider = OPENAI_PROVIDER;
  for (const dep of list(doc, 'dependencies', where)) {
    const value = obj(dep, 'value', where);
    if (pluginIdOf(String(value.marketplace_plugin_unique_identifier ?? '')) === pluginIdOf(settings.plugin)) {
      value.marketplace_plugin_unique_identifier = settings.plugin;
    }
  }
  return stringify(doc);
}

/** The DSL version the shipped file declares. */
export function dslVersion(text = readFileSync(DSL_PATH, 'utf8')): string {
  const doc: unknown = parse(text);
  return isObj(doc) && typeof doc.version === 'string' ? doc.version : '';
}

/** True when a draft workflow (Dify's JSON) has our Start → LLM → End with this model. */
export function draftMatches(draft: unknown, model: string): boolean {
  const graph = isObj(draft) ? draft.graph : undefined;
  const llm = nodeOfType(graph, 'llm');
  const m = llm !== null && isObj(llm.model) ? llm.model : null;
  const end = nodeOfType(graph, 'end');
  const outputs = end !== null && Array.isArray(end.outputs) ? end.outputs : [];
  return (
    m !== null &&
    m.name === model &&
    m.provider === OPENAI_PROVIDER &&
    nodeOfType(graph, 'start') !== null &&
    outputs.some((o) => isObj(o) && o.variable === 'answer')
  );
}
