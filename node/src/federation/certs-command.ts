import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';

/**
 * Development certificates for a federation: one CA, and per node a key and a certificate with
 * CN = node id and SAN = DNS:<node id>, DNS:localhost, IP:127.0.0.1 (client and server use).
 *
 * Why the openssl CLI: it is on every machine that runs nodes, it is the tool operators already use
 * to inspect and rotate certificates, and it adds no dependency to the server. `openssl ca` (not
 * `x509 -req`) is used because only it takes explicit start and end dates, which the expiry tests need
 * (OpenSSL 3.0 refuses non-positive -days).
 *
 * Layout: <out>/ca.crt, <out>/ca.key, and <out>/<node>/{node.crt,node.key,ca.crt} = an IDNODE_TLS_DIR.
 */

const run = promisify(execFile);

export interface CertOptions {
  readonly out: string;
  readonly nodes: readonly string[];
  /** Validity of node certificates; default 825 days. */
  readonly validitySeconds?: number;
  /** Make the node certificates already expired (for refusal tests). */
  readonly expired?: boolean;
  /** Reuse the CA in `out` when present (add nodes to an existing federation). */
  readonly reuseCa?: boolean;
}

export interface CertResult {
  readonly caCert: string;
  readonly nodeDirs: Readonly<Record<string, string>>;
}

const NODE_ID = /^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/;
const DAY_S = 86_400;

async function openssl(args: readonly string[], env?: Record<string, string>): Promise<void> {
  try {
    await run('openssl', [...args], { env: { ...process.env, ...env } });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`openssl ${args[0]} failed: ${err.stderr ?? err.message}`, { cause: e });
  }
}

/** openssl ca date format (UTC). */
const asn1Time = (ms: number): string =>
  new Date(ms)
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d+Z$/, 'Z');

async function makeCa(out: string): Promise<void> {
  await openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', join(out, 'ca.key')]);
  await openssl([
    ...['req', '-x509', '-new', '-key', join(out, 'ca.key'), '-out', join(out, 'ca.crt')],
    ...['-days', '3650', '-subj', '/CN=idnode dev CA', '-sha256'],
    ...['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
  ]);
}

function caConfig(work: string): string {
  return [
    '[ca]',
    'default_ca = dev',
    '[dev]',
    `database = ${join(work, 'index.txt')}`,
    `new_certs_dir = ${work}`,
    `serial = ${join(work, 'serial')}`,
    'default_md = sha256',
    'policy = anything',
    'unique_subject = no',
    'copy_extensions = none',
    '[anything]',
    'commonName = supplied',
    '[node]',
    'basicConstraints = critical,CA:FALSE',
    'keyUsage = critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage = serverAuth,clientAuth',
    'subjectAltName = $ENV::IDNODE_SAN',
    '',
  ].join('\n');
}

async function makeNode(out: string, work: string, id: string, window: { start: number; end: number }) {
  const dir = join(out, id);
  await mkdir(dir, { recursive: true });
  const csr = join(work, `${id}.csr`);
  await openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', join(dir, 'node.key')]);
  await openssl(['req', '-new', '-key', join(dir, 'node.key'), '-subj', `/CN=${id}`, '-out', csr]);
  const args = [
    ...['ca', '-batch', '-config', join(work, 'ca.cnf'), '-extensions', 'node', '-notext'],
    ...['-cert', join(out, 'ca.crt'), '-keyfile', join(out, 'ca.key'), '-in', csr, '-out', join(dir, 'node.crt')],
    ...['-startdate', asn1Time(window.start), '-enddate', asn1Time(window.end)],
  ];
  await openssl(args, { IDNODE_SAN: `DNS:${id},DNS:localhost,IP:127.0.0.1` });
  await copyFile(join(out, 'ca.crt'), join(dir, 'ca.crt'));
  return dir;
}

/** Generates the CA (unless reused) and one certificate per node; returns where each node's TLS dir is. */
export async function generateCerts(opts: CertOptions): Promise<CertResult> {
  for (const id of opts.nodes) {
    if (!NODE_ID.test(id)) throw new Error(`node id "${id}" must be a DNS label (letters, digits, "-")`);
  }
  const out = resolve(opts.out);
  await mkdir(out, { recursive: true });
  if (opts.reuseCa !== true) await makeCa(out);
  const work = await mkdtemp(join(tmpdir(), 'idnode-ca-'));
  try {
    await writeFile(join(work, 'ca.cnf'), caConfig(work));
    await writeFile(join(work, 'index.txt'), '');
    await writeFile(join(work, 'serial'), `${Date.now().toString(16).padStart(16, '0')}\n`);
    const now = Date.now();
    const life = (opts.validitySeconds ?? 825 * DAY_S) * 1000;
    const window =
      opts.expired === true
        ? { start: now - 2 * DAY_S * 1000, end: now - DAY_S * 1000 }
        : { start: now - 60_000, end: now + life };
    const nodeDirs: Record<string, string> = {};
    // Sequential: `openssl ca` keeps its serial and index in files.
    for (const id of opts.nodes) nodeDirs[id] = await makeNode(out, work, id, window);
    return { caCert: join(out, 'ca.crt'), nodeDirs };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** `npm run certs -- --out <dir> --nodes top,secA,secB [--days n] [--expired] [--reuse-ca]` */
export async function certsCommand(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      out: { type: 'string' },
      nodes: { type: 'string' },
      days: { type: 'string' },
      expired: { type: 'boolean' },
      'reuse-ca': { type: 'boolean' },
    },
  });
  if (values.out === undefined || values.nodes === undefined) {
    throw new Error('usage: certs --out <dir> --nodes top,secA,secB [--days n] [--expired] [--reuse-ca]');
  }
  const res = await generateCerts({
    out: values.out,
    nodes: values.nodes.split(',').map((s) => s.trim()),
    validitySeconds: values.days === undefined ? undefined : Number(values.days) * DAY_S,
    expired: values.expired,
    reuseCa: values['reuse-ca'],
  });
  process.stdout.write(`CA: ${res.caCert}\n`);
  for (const [id, dir] of Object.entries(res.nodeDirs)) process.stdout.write(`${id}: IDNODE_TLS_DIR=${dir}\n`);
}

if (import.meta.main) {
  certsCommand(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`certs: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
