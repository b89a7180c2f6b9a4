import { parseArgs } from 'node:util';
import { KNOBS, MockOptionError, renderHelp, renderKnobTable, resolveCliOptions } from './options.ts';
import { startMockServer } from './server.ts';

/**
 * `npm run mock -- [flags]`: starts the mock server, prints the URL it listens on
 * (`mock server listening on http://…`), and on SIGINT/SIGTERM stops accepting, ends the
 * open streams and exits 0.
 */
async function main(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        ...Object.fromEntries(KNOBS.map((k) => [k.name, { type: 'string' as const }])),
        help: { type: 'boolean' },
        'help-markdown': { type: 'boolean' },
      },
    }));
  } catch (err) {
    console.error(`mock: ${(err as Error).message}\nRun with --help for the list of flags.`); // parseArgs throws TypeErrors with a message
    return 2;
  }
  if (values.help) {
    console.log(renderHelp());
    return 0;
  }
  if (values['help-markdown']) {
    console.log(renderKnobTable());
    return 0;
  }
  const flags: Record<string, string | undefined> = {};
  for (const k of KNOBS) {
    const v = values[k.name];
    if (typeof v === 'string') flags[k.name] = v;
  }
  let resolved;
  try {
    resolved = resolveCliOptions(flags, process.env);
  } catch (err) {
    if (err instanceof MockOptionError) {
      console.error(`mock: ${err.message}\nRun with --help for the list of flags.`);
      return 2;
    }
    throw err;
  }
  const server = await startMockServer(resolved);
  console.log(`mock server listening on ${server.url}`);
  return new Promise<number>((resolve) => {
    const stop = (signal: string): void => {
      console.log(`mock server: ${signal}, ending ${server.stats().activeStreams} open stream(s)`);
      void server.close().then(() => resolve(0));
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('mock:', err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
