import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { DOC_BLOCKS, markdownTable, readBlock, renderEnvTable, renderMetricTable, renderThresholdTable, updateDocBlocks } from '../lib/docs-tables';
import { ENV_VARS } from '../lib/env-vars';
import { METRIC_LIST } from '../lib/metric-defs';

const root = fileURLToPath(new URL('..', import.meta.url));
const GEN = 'npx tsx scripts/gen-docs.ts';

describe('README.md tables match their definitions', () => {
  const readmePath = join(root, 'README.md');

  it.each(DOC_BLOCKS.map((b) => [b.name, b] as const))('%s', (name, block) => {
    if (!existsSync(readmePath)) expect.fail(`README.md not found at the repository root; create it with the ${name} markers, then run ${GEN}`);
    const current = readBlock(readFileSync(readmePath, 'utf8'), name);
    if (current === undefined) {
      expect.fail(`README.md has no <!-- ${name}:start --> … <!-- ${name}:end --> markers: add them where the table goes, then run ${GEN}`);
    }
    expect(current, `README.md's ${name} is out of date: run ${GEN}`).toBe(block.render());
  });
});

describe('rendered tables', () => {
  it('env table: header, one row per ENV_VARS entry, in order', () => {
    const lines = renderEnvTable().split('\n');
    expect(lines.slice(0, 2)).toEqual(['| Variable | Default | Accepted | Meaning |', '| --- | --- | --- | --- |']);
    expect(lines).toHaveLength(2 + ENV_VARS.length);
    expect(lines.map((l) => /^\| `([A-Z_]+)`/.exec(l)?.[1]).slice(2)).toEqual(ENV_VARS.map((v) => v.name));
    expect(lines).toContain(
      '| `TARGET` | `dify-workflow` | `dify-workflow`, `dify-chat`, `openai-chat`, `generic` | Which API is benchmarked: request body, endpoint and how events are read. |',
    );
    expect(lines.find((l) => l.startsWith('| `API_KEY`'))).toMatch(/^\| `API_KEY` \| \(unset\) \|  \| /);
  });

  it('metric table: name, type, tags, meaning for every metric', () => {
    const lines = renderMetricTable().split('\n');
    expect(lines[0]).toBe('| Metric | Type | Tags | Meaning |');
    expect(lines).toHaveLength(2 + METRIC_LIST.length);
    expect(lines).toContain('| `sse_ttfe` | Trend (time, ms) | `scenario`, `target`, `turn` | request start → first SSE event that is not a keep-alive (`ping`, comment-only); with TURNS > 1 tagged `turn` (`1`, `2`, `3`, `4+`) |');
    expect(lines).toContain('| `sse_errors` | Counter | `scenario`, `target`, `error_type` | failed streams, one per stream, by `error_type` |');
    expect(lines).toContain('| `sse_stream_success` | Rate | `scenario`, `target` | 1 per stream: 2xx `text/event-stream`, terminal event seen, no fault on the way; else 0 |');
  });

  it('threshold table: one row per bundled set, expressions from thresholds/*.json', () => {
    expect(renderThresholdTable().split('\n')).toEqual([
      '| THRESHOLDS | file | thresholds |',
      '| --- | --- | --- |',
      '| `default` | `thresholds/default.json` | `sse_ttfe` `p(95)<500`, `sse_stream_success` `rate>0.99`, `sse_streams_closed` `count>0` |',
      '| `strict` | `thresholds/strict.json` | `sse_ttfe` `p(95)<100`, `sse_stream_success` `rate>0.99`, `sse_streams_closed` `count>0` |',
      '| `none` | `thresholds/none.json` | (none) |',
    ]);
  });

  it('escapes pipes and folds newlines in cells', () => {
    expect(markdownTable(['a|b', 'c'], [['x|y', 'line\nnext']])).toBe('| a\\|b | c |\n| --- | --- |\n| x\\|y | line next |');
  });
});

describe('updateDocBlocks', () => {
  const doc = ['# T', '<!-- env-table:start -->', 'old', '<!-- env-table:end -->', 'middle', '<!-- metric-table:start -->', '<!-- metric-table:end -->', '<!-- threshold-table:start -->', '<!-- threshold-table:end -->', 'end'].join('\n');

  it('replaces only the content between the markers, idempotently', () => {
    const updated = updateDocBlocks(doc);
    expect(updated).toBe(
      [
        '# T',
        '<!-- env-table:start -->',
        renderEnvTable(),
        '<!-- env-table:end -->',
        'middle',
        '<!-- metric-table:start -->',
        renderMetricTable(),
        '<!-- metric-table:end -->',
        '<!-- threshold-table:start -->',
        renderThresholdTable(),
        '<!-- threshold-table:end -->',
        'end',
      ].join('\n'),
    );
    expect(updateDocBlocks(updated)).toBe(updated);
    expect(readBlock(updated, 'metric-table')).toBe(renderMetricTable());
  });

  it('throws naming the missing markers', () => {
    expect(() => updateDocBlocks('# no markers')).toThrow(
      'missing markers <!-- env-table:start --> … <!-- env-table:end -->: put both on their own lines where the table goes',
    );
  });
});

describe('scripts/gen-docs.ts on a temporary file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gen-docs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // node --import tsx: what `npx tsx` runs, without npx's start-up cost.
  const run = (file: string) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/gen-docs.ts', file], { cwd: root, timeout: 15_000 });

  it('writes fresh tables into the file it is given', async () => {
    const file = join(dir, 'README.md');
    writeFileSync(
      file,
      'intro\n<!-- env-table:start -->\n<!-- env-table:end -->\n<!-- metric-table:start -->\nstale\n<!-- metric-table:end -->\n<!-- threshold-table:start -->\n<!-- threshold-table:end -->\n',
    );
    const { stdout } = await run(file);
    expect(stdout.trim()).toBe(`${file}: tables updated`);
    const text = readFileSync(file, 'utf8');
    expect(readBlock(text, 'env-table')).toBe(renderEnvTable());
    expect(readBlock(text, 'metric-table')).toBe(renderMetricTable());
    expect(readBlock(text, 'threshold-table')).toBe(renderThresholdTable());
    expect(text.startsWith('intro\n')).toBe(true);
    expect((await run(file)).stdout.trim()).toBe(`${file}: tables already up to date`);
  });

  it('exits 1 with a message when the markers are missing, leaving the file alone', async () => {
    const file = join(dir, 'bare.md');
    writeFileSync(file, '# bare\n');
    const failure = await run(file).then(
      () => undefined,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain(`gen-docs: ${file}: missing markers <!-- env-table:start -->`);
    expect(readFileSync(file, 'utf8')).toBe('# bare\n');
  });
});
