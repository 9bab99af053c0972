import { credentials, ServerCredentials, type ChannelCredentials } from '@grpc/grpc-js';
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';

/**
 * The node's TLS material and the credentials made from it. Both sides of every node-to-node
 * link present a certificate from the federation CA (mTLS); an unknown CA or an expired
 * certificate fails in the TLS handshake itself, before any handler runs.
 */
/** TLS material of a node: its certificate, key and the federation CA (PEM files in IDNODE_TLS_DIR). */
export interface TlsFiles {
  readonly dir: string;
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
}

export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca: Buffer;
  /** The node id in our own certificate (its CN). */
  readonly commonName: string;
}

export async function loadTlsMaterial(files: TlsFiles): Promise<TlsMaterial> {
  const [cert, key, ca] = await Promise.all([readFile(files.cert), readFile(files.key), readFile(files.ca)]);
  return { cert, key, ca, commonName: commonNameOf(new X509Certificate(cert).subject) ?? '' };
}

export function commonNameOf(subject: string): string | undefined {
  return /^CN=(.+)$/m.exec(subject)?.[1]?.trim();
}

/** IDNODE_NODE_ID, else the certificate's CN, else the host name. */
export function deriveNodeId(explicit: string | undefined, tls: TlsMaterial | undefined): string {
  return explicit ?? (tls?.commonName || hostname().split('.')[0] || 'idnode');
}

export function serverCredentials(tls: TlsMaterial | undefined): ServerCredentials {
  if (tls === undefined) return ServerCredentials.createInsecure();
  return ServerCredentials.createSsl(tls.ca, [{ cert_chain: tls.cert, private_key: tls.key }], true);
}

export function channelCredentials(tls: TlsMaterial | undefined): ChannelCredentials {
  if (tls === undefined) return credentials.createInsecure();
  return credentials.createSsl(tls.ca, tls.key, tls.cert);
}
