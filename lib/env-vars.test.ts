import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ENV_VARS, TARGET_DEFAULTS, TARGET_NAMES, envVarDef } from './env-vars';

const root = fileURLToPath(new URL('..', import.meta.url));
const names = new Set<string>(ENV_VARS.map((v) => v.name));

function sources(dir: string): { file: string; text: string }[] {
  if (!existsSync(`${root}${dir}`)) return [];
  return readdirSync(`${root}${dir}`)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => ({ file: `${dir}/${f}`, text: readFileSync(`${root}${dir}/${f}`, 'utf8') }));
}

describe('ENV_VARS', () => {
  it('defines each variable once', () => {
    expect(names.size).toBe(ENV_VARS.length);
  });

  it('gives every variable a description', () => {
    for (const v of ENV_VARS) expect(v.description.length, v.name).toBeGreaterThan(10);
  });

  it('lists a variable only with an accepted default', () => {
    for (const v of ENV_VARS) {
      const accepted: readonly string[] | undefined = 'accepted' in v ? v.accepted : undefined;
      if (accepted !== undefined && v.default !== '') {
        for (const d of v.default.split(',')) expect(accepted, v.name).toContain(d);
      }
    }
  });

  it('knows the defaults of every target', () => {
    expect(Object.keys(TARGET_DEFAULTS).sort()).toEqual([...TARGET_NAMES].sort());
    expect(envVarDef('TERMINAL_EVENTS').description).toContain('dify-chat `message_end,error`');
  });
});

describe('only variables in ENV_VARS are read', () => {
  const config = readFileSync(`${root}lib/init/config.ts`, 'utf8');

  it('loadConfig reads the environment only through read()/isSet() with an ENV_VARS name', () => {
    // The two helpers are the only places that index `env`; everything else passes a literal name.
    expect(config.match(/\benv\[/g)).toHaveLength(2);
    expect(config).not.toMatch(/\benv\.[A-Za-z_]/);
    const read = [...config.matchAll(/\(env, '([A-Z0-9_]+)'/g)].map((m) => m[1]);
    expect(read.length).toBeGreaterThan(10);
    for (const name of read) expect(names, `config.ts reads ${name}`).toContain(name);
  });

  it('every ENV_VARS entry is read by loadConfig (no stale definitions)', () => {
    for (const name of names) expect(config, `${name} is never read`).toContain(`'${name}'`);
  });

  it('no lib/ or scenarios/ module reads __ENV.X outside ENV_VARS', () => {
    for (const { file, text } of [...sources('lib'), ...sources('scenarios')]) {
      for (const m of text.matchAll(/__ENV(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*['"]([^'"]+)['"]\s*\])/g)) {
        const name = m[1] ?? m[2] ?? '';
        expect(names, `${file} reads __ENV.${name}`).toContain(name);
      }
    }
  });
});
