import type { Command } from 'commander';
import { baseUrl, DEFAULT_URL, type GlobalOptions } from './context.ts';
import { EXIT } from './exit-codes.ts';
import { createClient, type NodeClient } from './http-client.ts';
import { createOutput, reportFailure, type Output } from './output.ts';

/** What every command's action gets: merged options, output, a client for the node. */
export interface Run {
  readonly globals: GlobalOptions;
  readonly out: Output;
  readonly client: NodeClient;
}

/**
 * Global options are accepted before the command (program level) and after it (command level);
 * the command's own spelling wins. `register --url` is the value's URL, so the node's URL for
 * register comes from before the command or IDNODE_URL.
 */
export function addGlobals(cmd: Command, opts: { url?: boolean } = {}): Command {
  if (opts.url !== false) cmd.option('--url <url>', `the node's base URL (env IDNODE_URL; default ${DEFAULT_URL})`);
  return cmd
    .option('--json', 'machine-readable output: one JSON document per result')
    .option('--user <user>', 'admin user, e.g. 300:88.100.5/ADMIN (env IDNODE_USER)')
    .option('--secret-file <file>', 'file holding the secret (env IDNODE_SECRET)');
}

export function globalsOf(cmd: Command, nodeUrlFromCommand = true): GlobalOptions {
  const root = cmd.parent?.parent ?? cmd.parent ?? cmd;
  const top = root.opts<Partial<GlobalOptions>>();
  const own = cmd.opts<Partial<GlobalOptions>>();
  const url = (nodeUrlFromCommand ? own.url : undefined) ?? top.url ?? process.env.IDNODE_URL ?? DEFAULT_URL;
  return {
    url,
    json: own.json ?? top.json ?? false,
    user: own.user ?? top.user,
    secretFile: own.secretFile ?? top.secretFile,
  };
}

type Body<A extends unknown[]> = (run: Run, ...args: A) => Promise<number | void>;

/** Wraps an action: builds the Run, and turns any failure into its printed form and exit code. */
export function action<A extends unknown[]>(body: Body<A>, opts: { nodeUrlFromCommand?: boolean } = {}) {
  return async (...args: [...A, Command]): Promise<void> => {
    const cmd = args[args.length - 1] as Command;
    let json = false;
    try {
      const globals = globalsOf(cmd, opts.nodeUrlFromCommand ?? true);
      json = globals.json === true;
      const run: Run = { globals, out: createOutput(json), client: createClient(baseUrl(globals.url)) };
      // commander passes the arguments, the command's options, then the command itself.
      const code = await body(run, ...(args.slice(0, -1) as unknown as A));
      process.exitCode = code ?? EXIT.OK;
    } catch (e) {
      process.exitCode = reportFailure(e, json);
    }
  };
}
