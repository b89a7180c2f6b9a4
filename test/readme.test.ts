/**
 * The README against what it describes: the two first commands, the CI script calling the
 * test command, the fault table against ERROR_TYPES, and every local link resolving.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_TYPES } from '../lib/error-types.ts';

const root = new URL('../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { scripts: Record<string, string> };

describe('README.md', () => {
  it('starts with the set-up-and-run command and the test command, both real npm scripts', () => {
    const first = /```bash\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const commands = first.split('\n').filter((l) => l.trim() !== '').map((l) => l.split('#')[0]!.trim());
    expect(commands).toEqual(['npm install && npm run bench', 'npm test']);
    expect(pkg.scripts['bench']).toBeDefined();
    expect(pkg.scripts['test']).toBeDefined();
    expect(pkg.scripts['prepare']).toBe('node esbuild.mjs');
  });

  it('is what CI runs: .ci/run calls the test command', () => {
    expect(readFileSync(new URL('.ci/run', root), 'utf8')).toMatch(/^npm test$/m);
  });

  it('lists exactly the error types of lib/error-types.ts in its fault table', () => {
    const section = readme.slice(readme.indexOf('### Faults'), readme.indexOf('## Thresholds'));
    const listed = [...section.matchAll(/^\| `([a-z_0-9]+)`(?: \/ `([a-z_0-9]+)`)? \|/gm)].flatMap((m) => [m[1]!, ...(m[2] ? [m[2]] : [])])
      .filter((name) => name !== 'error_type'); // the header row
    expect([...listed].sort()).toEqual([...ERROR_TYPES].sort());
  });

  it('says for every fault what its reason looks like in the log and the reports', () => {
    const section = readme.slice(readme.indexOf('### Faults'), readme.indexOf('## Thresholds'));
    const rows = section.split('\n').filter((l) => /^\| `[a-z_0-9]+`/.test(l));
    expect(rows[0]).toMatch(/^\| `error_type` \| when \| what you will see/);
    for (const row of rows.slice(1)) {
      const cells = row.split(' | ');
      expect(cells, row).toHaveLength(3);
      expect(cells[2]!.replace(/\|$/, '').trim().length, row).toBeGreaterThan(10);
    }
  });

  it('links only to files that exist', () => {
    const links = [...readme.matchAll(/\]\(((?!https?:|#)[^)#]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(5);
    for (const link of links) expect(existsSync(new URL(link, root)), link).toBe(true);
  });

  it('names every npm script it tells the reader to run', () => {
    for (const m of readme.matchAll(/npm run ([a-z:-]+)/g)) expect(pkg.scripts[m[1]!], `npm run ${m[1]}`).toBeDefined();
  });
});
