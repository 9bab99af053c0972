import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';

/**
 * Passport settings (read by the passport config section, ./config.ts, and carried to the routes
 * on the app context):
 * - publicUrl (IDNODE_PUBLIC_URL): the base URL printed in QR codes and used as linkset anchor;
 *   default `http://<listen host>:<port>` (never the request's Host header, which a client controls).
 * - gs1Prefix (IDNODE_GS1_PREFIX): the prefix GS1 Digital Link paths map under; default the first homed prefix.
 */
export interface PassportSettings {
  readonly publicUrl: string | undefined;
  readonly gs1Prefix: string | undefined;
}

export const DEFAULT_PASSPORT_SETTINGS: PassportSettings = { publicUrl: undefined, gs1Prefix: undefined };

/**
 * Where each server listens, asked once: `server.address()` is a getsockname syscall, and the
 * QR route needs the base on every scan. A server listens on one address for its whole life.
 */
const listenBases = new WeakMap<FastifyInstance, string>();

/** The resolver's base URL: configured, else where this server listens. */
export function publicBase(app: FastifyInstance, settings: PassportSettings): string {
  if (settings.publicUrl !== undefined) return settings.publicUrl;
  const known = listenBases.get(app);
  if (known !== undefined) return known;
  const base = listenBase(app);
  // Not listening yet (inject() in tests): asked again next time.
  if (app.server.listening) listenBases.set(app, base);
  return base;
}

function listenBase(app: FastifyInstance): string {
  const addr = app.server.address();
  if (addr === null || typeof addr === 'string') return 'http://127.0.0.1';
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  // A node serving TLS itself (IDNODE_TLS_CERT) is reached over https.
  const scheme = 'setSecureContext' in app.server ? 'https' : 'http';
  // A wildcard bind address is no address a phone can reach: the machine's name is the better guess.
  return `${scheme}://${host === '0.0.0.0' || host === '[::]' ? hostname() : host}:${addr.port}`;
}

/** Characters encodeURIComponent leaves alone, plus the "/" kept between the segments. */
const URL_SAFE = /^[A-Za-z0-9\-_.!~*'()/]*$/;

/** The resolver URL of an identifier: base + "/" + the identifier, percent-encoded where a URL needs it. */
export const resolverUrl = (base: string, handle: string): string =>
  // Most identifiers need no encoding: one test instead of a split, a map and a join per scan.
  URL_SAFE.test(handle) ? `${base}/${handle}` : `${base}/${handle.split('/').map(encodeURIComponent).join('/')}`;
