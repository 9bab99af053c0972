import type { Command } from 'commander';
import { action, addGlobals, type Run } from '../command-kit.ts';
import { requireCredentials } from '../context.ts';

async function flush(run: Run) {
  const auth = await requireCredentials(run.globals);
  const a = await run.client.json<{ flushed: number }>('POST', '/api/admin/cache/flush', { auth });
  run.out.result({ ok: true, ...a }, () => `flushed ${a.flushed} cached answers`);
}

export function registerCacheCommand(program: Command): void {
  const cache = program.command('cache').description("the node's resolution cache");
  addGlobals(cache.command('flush').description('drop every cached answer (admin of a homed prefix)')).action(
    action(flush),
  );
}
