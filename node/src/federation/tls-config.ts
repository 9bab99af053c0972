import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve as resolvePath } from 'node:path';
import { Type } from 'typebox';
import type { Problems } from '../config-kit/problems.ts';
import type { ConfigSection } from '../config-kit/section.ts';
import { enumVar, textVar } from '../config-kit/vars.ts';
import type { NodeRole } from './config.ts';
import { commonNameOf, type TlsFiles, type TlsMaterial } from './tls-material.ts';

/** mTLS between nodes: the PEM files in IDNODE_TLS_DIR, or (on a trusted network only) none. */
export interface TlsSettings {
  readonly files: TlsFiles | undefined;
  readonly insecure: boolean;
}

const raw = Type.Object({
  IDNODE_TLS_DIR: Type.Optional(
    textVar('a directory holding node.crt, node.key and ca.crt', {
      description: 'mTLS material for gRPC: node.crt, node.key, ca.crt; required for federated roles',
    }),
  ),
  IDNODE_INSECURE_GRPC: enumVar(['0', '1'], {
    description: '1: federated roles run gRPC without TLS (trusted networks only)',
    default: '0',
  }),
});

export const tlsSection: ConfigSection<typeof raw.properties, TlsSettings> = {
  name: 'tls',
  raw,
  normalise: (v) => {
    if (v.IDNODE_TLS_DIR === undefined) return { files: undefined, insecure: v.IDNODE_INSECURE_GRPC === '1' };
    const dir = resolvePath(v.IDNODE_TLS_DIR);
    const files = { dir, cert: join(dir, 'node.crt'), key: join(dir, 'node.key'), ca: join(dir, 'ca.crt') };
    return { files, insecure: v.IDNODE_INSECURE_GRPC === '1' };
  },
};

/** Federated roles talk to other nodes: mTLS unless the operator says the network is trusted. */
export function validateTls(
  whole: { readonly tls: TlsSettings; readonly federation: { readonly role: NodeRole } },
  problems: Problems,
): void {
  const role = whole.federation.role;
  if (role === 'standalone' || whole.tls.files !== undefined || whole.tls.insecure) return;
  problems.add(
    'IDNODE_TLS_DIR',
    `is required for role ${role}: it talks to other nodes over mTLS (node.crt, node.key, ca.crt; ` +
      '`npm run certs -- --out <dir> --nodes <ids>` makes dev ones), or set IDNODE_INSECURE_GRPC=1 on a trusted network',
    ['IDNODE_ROLE', 'IDNODE_INSECURE_GRPC'],
  );
}

const CODES: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a path component is not a directory',
};
const why = (e: unknown): string => CODES[(e as NodeJS.ErrnoException).code ?? ''] ?? (e as Error).message;

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const certsIn = (pem: Buffer): X509Certificate[] =>
  [...pem.toString('utf8').matchAll(PEM_CERT)].map((m) => new X509Certificate(m[0]));

/**
 * Reads the three files and checks what would otherwise fail only in a peer's handshake: PEM
 * that parses, a key that belongs to the certificate, a certificate within its validity and
 * issued by the CA given. Every problem is reported; nothing else has started yet.
 */
export async function readTlsMaterial(files: TlsFiles, problems: Problems): Promise<TlsMaterial | undefined> {
  const bad = (text: string) => problems.add('IDNODE_TLS_DIR', text);
  const read = async (path: string) =>
    readFile(path).catch((e: unknown) => void bad(`must hold a readable ${path} (${why(e)})`));
  const [cert, key, ca] = await Promise.all([read(files.cert), read(files.key), read(files.ca)]);
  if (cert === undefined || key === undefined || ca === undefined) return undefined;
  const parse = <T>(path: string, what: string, f: () => T): T | undefined => {
    try {
      return f();
    } catch (e) {
      bad(`must hold ${what} in ${path} (${(e as Error).message})`);
      return undefined;
    }
  };
  const chain = parse(files.cert, 'a PEM certificate', () => certsIn(cert));
  const privateKey = parse(files.key, 'a PEM private key', () => createPrivateKey(key));
  const cas = parse(files.ca, 'PEM CA certificates', () => certsIn(ca));
  const leaf = chain?.[0];
  if (chain === undefined || privateKey === undefined || cas === undefined) return undefined;
  if (leaf === undefined) return void bad(`must hold a PEM certificate in ${files.cert} (none found)`);
  if (cas.length === 0) return void bad(`must hold PEM CA certificates in ${files.ca} (none found)`);
  if (!leaf.checkPrivateKey(privateKey)) bad(`has a key that does not belong to its certificate (${files.key})`);
  const now = Date.now();
  if (Date.parse(leaf.validTo) < now) bad(`has a certificate that expired on ${leaf.validTo} (${files.cert})`);
  if (Date.parse(leaf.validFrom) > now) bad(`has a certificate not valid before ${leaf.validFrom} (${files.cert})`);
  const issuers = [...chain.slice(1), ...cas];
  if (!issuers.some((c) => leaf.checkIssued(c) && leaf.verify(c.publicKey))) {
    bad(`has a certificate not issued by its CA (${files.cert} is not signed by a certificate in ${files.ca})`);
  }
  return { cert, key, ca, commonName: commonNameOf(leaf.subject) ?? '' };
}
