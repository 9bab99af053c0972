import type { Command } from 'commander';
import { generateCerts } from '../../federation/certs-command.ts';
import { action, addGlobals, type Run } from '../command-kit.ts';
import { usage } from '../exit-codes.ts';

async function certs(run: Run, o: { out: string; nodes: string; days?: string; expired?: boolean; reuseCa?: boolean }) {
  if (o.days !== undefined && !/^[1-9][0-9]{0,4}$/.test(o.days))
    throw usage('CLI_ERR_BAD_DAYS', `--days ${o.days} must be a whole number of days (1-99999).`);
  const nodes = o.nodes
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (nodes.length === 0) throw usage('CLI_ERR_NO_NODES', '--nodes needs at least one node id, e.g. top,secA,secB.');
  let res;
  try {
    res = await generateCerts({
      out: o.out,
      nodes,
      ...(o.days === undefined ? {} : { validitySeconds: Number(o.days) * 86_400 }),
      expired: o.expired === true,
      reuseCa: o.reuseCa === true,
    });
  } catch (e) {
    const m = (e as Error).message;
    if (m.includes('must be a DNS label')) throw usage('CLI_ERR_BAD_NODE_ID', m);
    throw e;
  }
  run.out.result(res, () =>
    [`CA: ${res.caCert}`, ...Object.entries(res.nodeDirs).map(([id, dir]) => `${id}: IDNODE_TLS_DIR=${dir}`)].join(
      '\n',
    ),
  );
}

export function registerCertsCommand(program: Command): void {
  addGlobals(
    program
      .command('certs')
      .description('make a federation CA and one mTLS certificate per node (needs openssl)')
      .requiredOption('--out <dir>', 'output directory: ca.crt, ca.key, <node>/{node.crt,node.key,ca.crt}')
      .requiredOption('--nodes <ids>', 'comma-separated node ids, e.g. top,secA,secB')
      .option('--days <n>', 'validity of node certificates (default 825)')
      .option('--expired', 'make already-expired certificates (refusal tests)')
      .option('--reuse-ca', 'add nodes to the CA already in --out'),
  ).action(action(certs));
}
