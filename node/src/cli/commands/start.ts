import type { Command } from 'commander';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const MAIN = join(import.meta.dirname, '..', '..', 'main.ts');

/** `idnode start [flags]`: exactly `npm start`: the node's own main, with the flags it reads itself. */
export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('start a node (same as npm start; configuration from IDNODE_* variables and these flags)')
    .allowUnknownOption()
    .allowExcessArguments()
    .addHelpText(
      'after',
      '\nFlags mirror the IDNODE_* variables: --port (IDNODE_HTTP_PORT), --host, --data-dir, --prefixes, ' +
        '--log-level, --role, --grpc-port, --upstream, --tls-dir, ..., --cache-max-mb (IDNODE_CACHE_MAX_MB); ' +
        'secrets (IDNODE_ADMIN_SECRET, IDNODE_TOKEN_KEY) have none (see README "Configuration").\n' +
        'A configuration error exits with 2 and lists every problem, one per line.',
    )
    .action(async (_opts: unknown, cmd: Command) => {
      // main.ts reads its flags from process.argv (config/load.ts) and runs on import.
      process.argv = [process.argv[0]!, MAIN, ...cmd.args];
      await import(pathToFileURL(MAIN).href);
    });
}
