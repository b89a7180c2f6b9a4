/**
 * Reads and writes the state file of `npm run setup:dify` (shape: lib/init/dify-state.ts). It holds
 * the app's API key, so it is written mode 0600 (its directory 0700), through a temporary file
 * renamed over the old one: a crash never leaves half a file, and no other user can read it.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DIFY_STATE_SCHEMA, type DifyStateFile } from '../../lib/init/dify-state.ts';

export const STATE_FILE_MODE = 0o600;

/** The file at `path`, null when there is none; throws for a file that is not a state file. */
export function loadStateFile(path: string): DifyStateFile | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`cannot read the state file ${path}: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`the state file ${path} is not JSON (${(err as Error).message}); move it away or pass --state another path`);
  }
  if (typeof value !== 'object' || value === null || (value as { schema?: unknown }).schema !== DIFY_STATE_SCHEMA) {
    throw new Error(`${path} is not an sse-bench Dify state file (schema ${DIFY_STATE_SCHEMA}); move it away or pass --state another path`);
  }
  return value as DifyStateFile; // schema checked; written only by saveStateFile
}

/** Writes the state atomically with mode 0600 (also tightening an existing file's mode). */
export function saveStateFile(path: string, state: DifyStateFile): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: STATE_FILE_MODE });
    chmodSync(tmp, STATE_FILE_MODE); // whatever the umask
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new Error(`cannot write the state file ${path}: ${(err as Error).message}`);
  }
}

export function removeStateFile(path: string): void {
  rmSync(path, { force: true });
}
