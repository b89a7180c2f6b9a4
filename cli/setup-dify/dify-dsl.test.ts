import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildDsl, draftMatches, DSL_PATH, dslVersion, nodeOfType, OPENAI_PROVIDER, pluginIdOf } from './dify-dsl.ts';
import { DEFAULT_OPENAI_PLUGIN } from './setup-dify-args.ts';

type Doc = { app: { name: string; mode: string }; version: string; kind: string; dependencies: { value: { marketplace_plugin_unique_identifier: string } }[]; workflow: { graph: unknown } };

describe('the shipped DSL', () => {
  const doc = parse(readFileSync(DSL_PATH, 'utf8')) as Doc;

  it('is a workflow app of DSL 0.6.0 (Dify’s CURRENT_APP_DSL_VERSION) depending on the OpenAI plugin the CLI installs', () => {
    expect(dslVersion()).toBe('0.6.0');
    expect(doc.kind).toBe('app');
    expect(doc.app.mode).toBe('workflow');
    expect(doc.dependencies.map((d) => d.value.marketplace_plugin_unique_identifier)).toEqual([DEFAULT_OPENAI_PLUGIN]);
  });

  it('is Start(question) → LLM(OpenAI, chat) → End(answer = llm.text)', () => {
    const graph = doc.workflow.graph as { edges: { source: string; target: string }[] };
    expect(graph.edges.map((e) => `${e.source}->${e.target}`)).toEqual(['start->llm', 'llm->end']);
    expect(nodeOfType(graph, 'start')).toMatchObject({ variables: [{ variable: 'question', required: true }] });
    expect(nodeOfType(graph, 'llm')).toMatchObject({ model: { provider: OPENAI_PROVIDER, mode: 'chat', name: 'gpt-4o' }, prompt_template: [{ role: 'system' }, { role: 'user', text: '{{#start.question#}}' }] });
    expect(nodeOfType(graph, 'end')).toMatchObject({ outputs: [{ variable: 'answer', value_selector: ['llm', 'text'], value_type: 'string' }] });
    expect(draftMatches({ graph }, 'gpt-4o')).toBe(true);
  });
});

describe('buildDsl', () => {
  it('sets the app name, the model and the plugin version', () => {
    const plugin = 'langgenius/openai:0.3.0@0123456789abcdef0123';
    const doc = parse(buildDsl({ appName: 'my-bench', model: 'qwen3', plugin })) as Doc;
    expect(doc.app.name).toBe('my-bench');
    expect(nodeOfType(doc.workflow.graph, 'llm')).toMatchObject({ model: { name: 'qwen3', provider: OPENAI_PROVIDER } });
    expect(doc.dependencies[0]!.value.marketplace_plugin_unique_identifier).toBe(plugin);
    expect(draftMatches({ graph: doc.workflow.graph }, 'qwen3')).toBe(true);
    expect(draftMatches({ graph: doc.workflow.graph }, 'gpt-4o')).toBe(false);
  });

  it('names the file and the missing part of a broken DSL', () => {
    expect(() => buildDsl({ appName: 'a', model: 'm', plugin: DEFAULT_OPENAI_PLUGIN }, 'kind: app\n')).toThrow('dify/sse-bench-workflow.yml: "app" is missing or not a mapping');
  });
});

describe('draftMatches', () => {
  it('is false for another graph or no draft', () => {
    expect(draftMatches(null, 'gpt-4o')).toBe(false);
    expect(draftMatches({ graph: { nodes: [{ data: { type: 'llm', model: { name: 'gpt-4o', provider: OPENAI_PROVIDER } } }] } }, 'gpt-4o')).toBe(false); // no start / end(answer)
  });

  it('pluginIdOf drops version and hash', () => {
    expect(pluginIdOf(DEFAULT_OPENAI_PLUGIN)).toBe('langgenius/openai');
  });
});
