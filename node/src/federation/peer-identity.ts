import type { PeerCertificate } from 'node:tls';
import { Metadata, type ServiceError } from '@grpc/grpc-js';
import { IdnError, isIdnError } from '../errors/idn-error.ts';

/**
 * Who is calling: the node id in the peer's verified client certificate (CN, which must also be a
 * DNS SAN). The TLS handshake has already refused unknown CAs and expired certificates; this only
 * reads the identity that the CA vouched for, so a node cannot act for another one.
 */
/** The part of a server call that carries the TLS peer (every grpc-js server call has it). */
export interface AuthCall {
  getAuthContext(): { readonly sslPeerCertificate?: PeerCertificate } | null;
}

export interface PeerCheck {
  /** false on an insecure (dev) server: identities are then taken as claimed. */
  readonly tls: boolean;
}

export function peerNodeId(call: AuthCall): string | undefined {
  const cert = call.getAuthContext()?.sslPeerCertificate;
  if (cert === undefined) return undefined;
  const cn = Array.isArray(cert.subject.CN) ? cert.subject.CN[0] : cert.subject.CN;
  if (cn === undefined) return undefined;
  const sans = (cert.subjectaltname ?? '').split(',').map((s) => s.trim());
  return sans.includes(`DNS:${cn}`) ? cn : undefined;
}

/** The caller must be `claimed` (a node acting for itself); returns the verified id. */
export function requirePeer(call: AuthCall, claimed: string, check: PeerCheck): string {
  if (!check.tls) return claimed;
  const peer = peerNodeId(call);
  if (peer === undefined) throw new IdnError('IDN_ERR_AUTH_REQUIRED', 'The peer presented no usable node certificate.');
  if (peer !== claimed) {
    throw new IdnError('IDN_ERR_NOT_AUTHORIZED', `Certificate of node ${peer} cannot act for node ${claimed}.`, {
      peer,
      claimed,
    });
  }
  return peer;
}

/** A coded error as a gRPC status, from the one error table. */
export function toServiceError(e: unknown): Partial<ServiceError> {
  const err = isIdnError(e) ? e : new IdnError('IDN_ERR_INTERNAL', undefined, { cause: String(e) });
  const metadata = new Metadata();
  metadata.set('idnode-error-code', err.code);
  return { code: err.spec.grpc, details: `${err.code}: ${err.message}`, metadata };
}
