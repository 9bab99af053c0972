import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { action, addGlobals, type Run } from '../command-kit.ts';
import { requireCredentials } from '../context.ts';
import { usage } from '../exit-codes.ts';
import { handlePath } from '../http-client.ts';

interface WriteAnswer {
  readonly responseCode: number;
  readonly handle: string;
  readonly version?: number;
}

/** `--values` file: a JSON array of Handle values, or `{values: [...]}`. */
async function valuesFrom(file: string): Promise<unknown[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw usage('CLI_ERR_VALUES_FILE', `cannot read --values ${file}: ${(e as Error).message}`);
  }
  const values = Array.isArray(parsed) ? parsed : (parsed as { values?: unknown } | null)?.values;
  if (!Array.isArray(values))
    throw usage('CLI_ERR_VALUES_FILE', `--values ${file} must hold a JSON array of values or {"values": [...]}.`);
  return values as unknown[];
}

async function register(run: Run, id: string, o: { url?: string; values?: string; overwrite?: boolean }) {
  if ((o.url === undefined) === (o.values === undefined))
    throw usage('CLI_ERR_REGISTER_VALUES', 'give exactly one of --url <passport url> or --values <json file>.');
  const values =
    o.values !== undefined
      ? await valuesFrom(o.values)
      : [{ index: 1, type: 'URL', data: { format: 'string', value: o.url } }];
  const auth = await requireCredentials(run.globals);
  const qs = o.overwrite === false ? '?overwrite=false' : '';
  const a = await run.client.json<WriteAnswer>('PUT', `/api/handles/${handlePath(id)}${qs}`, {
    auth,
    body: { values },
  });
  run.out.result({ ok: true, ...a }, () => `registered ${a.handle} (version ${a.version})`);
}

async function remove(run: Run, id: string, o: { index?: string[] }) {
  const auth = await requireCredentials(run.globals);
  const bad = (o.index ?? []).find((i) => !/^[1-9][0-9]{0,9}$/.test(i));
  if (bad !== undefined) throw usage('CLI_ERR_BAD_INDEX', `--index ${bad} is not a positive integer.`);
  const qs = o.index === undefined ? '' : `?${o.index.map((i) => `index=${i}`).join('&')}`;
  const a = await run.client.json<WriteAnswer>('DELETE', `/api/handles/${handlePath(id)}${qs}`, { auth });
  run.out.result({ ok: true, ...a }, () => `deleted ${o.index ? `values ${o.index.join(',')} of ` : ''}${a.handle}`);
}

export function registerRegisterCommands(program: Command): void {
  // Here --url is the passport URL; the node's URL goes before the command or in IDNODE_URL.
  addGlobals(
    program
      .command('register <id>')
      .description('create or replace an identifier (PUT); the node URL: `idnode --url <node> register ...`')
      .option('--url <url>', 'the URL the identifier resolves to (value index 1, type URL)')
      .option('--values <file>', 'JSON file: an array of Handle values, or {"values": [...]}')
      .option('--no-overwrite', 'fail (exit 1, IDN_ERR_ALREADY_EXISTS) if the identifier exists'),
    { url: false },
  ).action(action(register, { nodeUrlFromCommand: false }));
  addGlobals(
    program
      .command('delete <id>')
      .description('delete an identifier (a tombstone stays) or, with --index, only some values')
      .option('--index <n...>', 'remove only these value indexes'),
  ).action(action(remove));
}
