/**
 * Entry-point helpers shared by the CLI scripts (`tsx cli/bench/bench.ts` …): whether a module
 * is the one Node was asked to run, and the console as an injectable sink.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** True when `importMetaUrl` is the script given to node/tsx (not an import from a test). */
function isMain(importMetaUrl: string): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(importMetaUrl));
  } catch {
    return false;
  }
}

/** Where a command writes: whole lines, so its output never interleaves mid-line with k6's. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
}

export const consoleIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Runs `main` as the process's entry point: its number becomes the exit code. */
export function runAsMain(importMetaUrl: string, main: () => Promise<number>): void {
  if (!isMain(importMetaUrl)) return;
  // `npm run compare … | head`: a reader that stops early is not an error of ours.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
