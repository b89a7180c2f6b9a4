import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIFY_STATE_SCHEMA, type DifyStateFile } from '../../lib/init/dify-state.ts';
import { loadStateFile, removeStateFile, saveStateFile } from './dify-state-file.ts';

const state = { schema: DIFY_STATE_SCHEMA, complete: true, baseUrl: 'http://d', apiKey: 'k-fixture' } as unknown as DifyStateFile;

describe('state file', () => {
  it('writes mode 0600 in a 0700 directory, even over a wider file, and reads it back', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'state-file-')), 'nested');
    const path = join(dir, 'dify.json');
    saveStateFile(path, state);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    chmodSync(path, 0o644);
    saveStateFile(path, state);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(loadStateFile(path)).toEqual(state);
    expect(readFileSync(path, 'utf8').endsWith('}\n')).toBe(true);
    removeStateFile(path);
    expect(loadStateFile(path)).toBeNull();
  });

  it('refuses a file that is not JSON or not a state file, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'state-file-'));
    writeFileSync(join(dir, 'a.json'), 'not json');
    writeFileSync(join(dir, 'b.json'), '{"schema":"other"}');
    expect(() => loadStateFile(join(dir, 'a.json'))).toThrow(/the state file .*a\.json is not JSON/);
    expect(() => loadStateFile(join(dir, 'b.json'))).toThrow(/b\.json is not an sse-bench Dify state file/);
  });
});
