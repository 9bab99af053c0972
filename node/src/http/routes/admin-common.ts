import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { requirePermissions } from '../../auth/authorise.ts';
import type { Identity } from '../../auth/identity.ts';
import { naHandleOf } from '../../authority/homed-prefixes.ts';
import { IdnError } from '../../errors/idn-error.ts';
import { parseIdentifier, parsePrefix } from '../../identifier/index.ts';
import { isLive } from '../../records/types.ts';
import type { AppContext } from '../app-context.ts';

/** Shared by the registry admin routes (admin-*.ts): who asks, and may they act on this prefix. */

export async function requireIdentity(ctx: AppContext, request: FastifyRequest): Promise<Identity> {
  const identity = await ctx.authenticator.authenticate(request.headers.authorization, request.ip);
  if (!identity) throw new IdnError('IDN_ERR_AUTH_REQUIRED');
  return identity;
}

/** The canonical spelling of a homed prefix, or IDN_ERR_NOT_RESPONSIBLE. */
export function homedPrefix(ctx: AppContext, text: string): string {
  const p = parsePrefix(text, 'text');
  if (!ctx.homed.covers(p.prefixKey)) {
    throw new IdnError('IDN_ERR_NOT_RESPONSIBLE', `Prefix ${p.prefix} is not homed on this node.`, {
      prefix: p.prefix,
    });
  }
  return p.prefix;
}

/**
 * Requires `needed` HS_ADMIN bits on `0.NA/<prefix>`: ADD_NA for reviewers of prefix applications
 * under it, ADD_HANDLE for an enterprise admin registering under its own prefix.
 */
export async function requireOnPrefix(
  ctx: AppContext,
  identity: Identity,
  prefix: string,
  needed: number,
): Promise<void> {
  const na = await ctx.store.get(parseIdentifier(naHandleOf(prefix), 'text').key);
  if (!isLive(na)) throw new IdnError('IDN_ERR_PREFIX_NOT_FOUND', `Prefix ${prefix} does not exist here.`, { prefix });
  requirePermissions(identity, na.values, needed, na.handle);
}

/** The `Idempotency-Key` header; without one the request simply is not replayable. */
export function idempotencyKey(request: FastifyRequest): string {
  return clientIdempotencyKey(request) ?? `anonymous-${randomUUID()}`;
}

/** The `Idempotency-Key` header, or undefined when the client sent none (nothing to record then). */
export function clientIdempotencyKey(request: FastifyRequest): string | undefined {
  const h = request.headers['idempotency-key'];
  const key = Array.isArray(h) ? h[0] : h;
  if (key === undefined || key === '') return undefined;
  if (key.length > 200)
    throw new IdnError('IDN_ERR_BAD_REQUEST', 'The Idempotency-Key header is longer than 200 characters.');
  return `client-${key}`;
}

/** Who the registry acts as for this caller: the change log names both. */
export const registryActor = (caller: string): string => `prefix-registry (${caller})`;
