import type { Command } from 'commander';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const MAIN = join(import.meta.dirname, '..', '..', 'main.ts');

/** `idnode start [flags]`: exactly `npm start`: the node's own main, with the flags it reads itself. */
export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('start a node (same as npm start; configuration from IDNODE_* variables and these flags)')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .addHelpText(
      'after',
      '\nFlags: --role, --port, --host, --data-dir, --prefixes, --log-level, --grpc-port, --upstream, ' +
        '--tls-dir, --node-id, --grpc-advertise, --delegations (see README "Configuration").\n' +
        'A configuration error exits with 2 and lists every problem.',
    )
    .action(async (_opts: unknown, cmd: Command) => {
      // main.ts reads its flags from process.argv (config/load.ts) and runs on import.
      process.argv = [process.argv[0]!, MAIN, ...cmd.args];
      await import(pathToFileURL(MAIN).href);
    });
}
