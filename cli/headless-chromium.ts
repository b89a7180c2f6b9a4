/**
 * Headless Chromium for the screenshot tests of the HTML pages (run report, sweep knee chart):
 * Debian's `chromium` package (`.ci/run` installs it) or CHROMIUM_BIN. Test support only.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

/** The Chromium binary, or '' when there is none (the tests then skip with a message). */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  for (const c of [env.CHROMIUM_BIN ?? '', '/usr/bin/chromium', '/usr/bin/chromium-browser']) if (c !== '' && existsSync(c)) return c;
  return '';
}

/** Runs headless Chromium with a fresh profile in `userDataDir`; resolves with its stdout (e.g. --dump-dom). */
export function runChromium(bin: string, args: readonly string[], userDataDir: string): Promise<string> {
  const base = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${userDataDir}`];
  return new Promise((resolve, reject) => {
    execFile(bin, [...base, ...args], { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}
