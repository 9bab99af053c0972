import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { registerBackupCommands } from './commands/backup.ts';
import { registerCacheCommand } from './commands/cache.ts';
import { registerCertsCommand } from './commands/certs.ts';
import { registerImportCommand } from './commands/import.ts';
import { registerKeysCommand } from './commands/keys.ts';
import { registerPrefixCommand } from './commands/prefix.ts';
import { registerQrCommand } from './commands/qr.ts';
import { registerRegisterCommands } from './commands/register.ts';
import { registerResolveCommand } from './commands/resolve.ts';
import { registerStartCommand } from './commands/start.ts';
import { registerVerifyCommand } from './commands/verify.ts';
import { addGlobals } from './command-kit.ts';
import { EXIT } from './exit-codes.ts';
import { stopQuietlyWhenStdoutCloses } from './output.ts';

/**
 * `idnode`: the operator's command line. commander (not node:util parseArgs) because the CLI is
 * a tree of subcommands (`prefix approve`, `cache flush`) that each need generated --help, typed
 * option errors and "did you mean" suggestions; parseArgs parses flags but has none of that.
 */

const ROOT = join(import.meta.dirname, '..', '..', '..');
const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

const EXIT_HELP = `
Exit codes: 0 ok, 1 operation failed, 2 usage or configuration error, 3 not found,
            4 authentication or authorisation refused, 5 node unavailable.
Credentials: --user 300:<prefix>/ADMIN --secret-file <file>, or IDNODE_USER / IDNODE_SECRET.`;

function program(): Command {
  const p = new Command('idnode')
    .description('Operate an idnode resolution node: start it, resolve, register, import, administer.')
    .version(version)
    .enablePositionalOptions()
    .showSuggestionAfterError()
    .addHelpText('after', EXIT_HELP)
    .exitOverride();
  addGlobals(p);
  registerStartCommand(p);
  registerResolveCommand(p);
  registerRegisterCommands(p);
  registerImportCommand(p);
  registerPrefixCommand(p);
  registerQrCommand(p);
  registerCacheCommand(p);
  registerBackupCommands(p);
  registerKeysCommand(p);
  registerCertsCommand(p);
  registerVerifyCommand(p);
  // Subcommands throw usage errors instead of exiting, so the exit code is always ours (2).
  for (const c of p.commands) {
    c.exitOverride();
    for (const sub of c.commands) sub.exitOverride();
  }
  return p;
}

stopQuietlyWhenStdoutCloses();
try {
  await program().parseAsync(process.argv);
} catch (e) {
  if (!(e instanceof CommanderError)) throw e;
  // --help and --version "fail" with exit code 0; every other commander error is a usage error.
  process.exitCode = e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
}
