import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { parsePrefix } from '../identifier/index.ts';

/**
 * Passport settings from the environment (validated at startup by config/load.ts, read again
 * here by the routes so the HTTP layer needs nothing threaded through the app context):
 * - IDNODE_PUBLIC_URL: the base URL printed in QR codes and used as linkset anchor; default
 *   `http://<listen host>:<port>` (never the request's Host header, which a client controls).
 * - IDNODE_GS1_PREFIX: the prefix GS1 Digital Link paths map under; default the first homed prefix.
 */
export interface PassportSettings {
  readonly publicUrl: string | undefined;
  readonly gs1Prefix: string | undefined;
}

export function readPassportSettings(env: Readonly<Record<string, string | undefined>>): PassportSettings {
  return { publicUrl: publicUrlFrom(env.IDNODE_PUBLIC_URL), gs1Prefix: gs1PrefixFrom(env.IDNODE_GS1_PREFIX) };
}

function publicUrlFrom(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  let u: URL;
  try {
    u = new URL(raw);
  } catch (e) {
    throw new Error(`IDNODE_PUBLIC_URL="${raw}": not an absolute URL`, { cause: e });
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    throw new Error(`IDNODE_PUBLIC_URL="${raw}": must be http or https`);
  if (u.search !== '' || u.hash !== '') throw new Error(`IDNODE_PUBLIC_URL="${raw}": no query or fragment`);
  return u.href.replace(/\/+$/, '');
}

function gs1PrefixFrom(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  try {
    return parsePrefix(raw, 'text').prefix;
  } catch (e) {
    throw new Error(`IDNODE_GS1_PREFIX="${raw}": ${(e as Error).message}`, { cause: e });
  }
}

/** The resolver's base URL: configured, else where this server listens. */
export function publicBase(app: FastifyInstance, settings: PassportSettings): string {
  if (settings.publicUrl !== undefined) return settings.publicUrl;
  const addr = app.server.address();
  if (addr === null || typeof addr === 'string') return 'http://127.0.0.1';
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  // A wildcard bind address is no address a phone can reach: the machine's name is the better guess.
  return `http://${host === '0.0.0.0' || host === '[::]' ? hostname() : host}:${addr.port}`;
}

/** The resolver URL of an identifier: base + "/" + the identifier, percent-encoded where a URL needs it. */
export const resolverUrl = (base: string, handle: string): string =>
  `${base}/${handle.split('/').map(encodeURIComponent).join('/')}`;
