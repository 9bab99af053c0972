import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { TrustedIssuers } from '../../src/access/trusted-issuers.ts';
import { createAppContext } from '../../src/app.ts';
import { openAuditLog } from '../../src/audit/audit-log.ts';
import { SecretKeyring } from '../../src/auth/seal/keyring.ts';
import { AuthLimiter } from '../../src/auth/failure-limiter.ts';
import { bootstrapHomedPrefixes } from '../../src/bootstrap/homed-prefix-records.ts';
import { loadSealKeys } from '../../src/bootstrap/secrets-file.ts';
import type { AppContext } from '../../src/http/app-context.ts';
import type { CachePolicy } from '../../src/cache/cache-policy.ts';
import type { HttpsMaterial } from '../../src/http/config.ts';
import type { HttpLimits } from '../../src/http/limits.ts';
import type { ShedSettings } from '../../src/http/shedding.ts';
import type { PassportSettings } from '../../src/passport/settings.ts';
import type { Store } from '../../src/store/store.ts';
import { buildServer } from '../../src/http/server.ts';
import { openLmdbStore } from '../../src/store/lmdb-store.ts';
import { openTransparencyLog } from '../../src/tlog/open-log.ts';
import { AnswerSigner } from '../../src/signing/answer-signer.ts';
import type { SignMode } from '../../src/signing/config.ts';
import { loadSigningSeeds } from '../../src/signing/key-file.ts';
import { SigningKeys } from '../../src/signing/signing-keys.ts';

/** A real node in this process: real LMDB files in a temp dir, real HTTP on 127.0.0.1. */
export interface TestNode {
  readonly url: string;
  readonly ctx: AppContext;
  /** The writable store under the node, for fixtures only (the node itself writes through ctx.records). */
  readonly store: Store;
  readonly app: FastifyInstance;
  readonly dataDir: string;
  /** The admin secret every homed prefix's `<prefix>/ADMIN` got. */
  readonly secret: string;
  /** `Authorization` header value for `300:<prefix>/ADMIN`. */
  adminAuth(prefix: string, secret?: string): string;
  close(): Promise<void>;
}

export const TEST_SECRET = 'test-secret-0123456789';

/** For tests of something else that send many wrong secrets on purpose (the authorisation matrix). */
export const noBackoff = (): AuthLimiter =>
  new AuthLimiter({ freeFailures: Number.MAX_SAFE_INTEGER, adminFailuresPerMinute: Number.MAX_SAFE_INTEGER });

export const basicAuth = (user: string, secret: string): string =>
  `Basic ${Buffer.from(`${user.replace(':', '%3A')}:${secret}`).toString('base64')}`;

export interface TestNodeOptions {
  readonly cache?: CachePolicy;
  readonly authoritativeReadsPerSecond?: number;
  /** Fault injection around the real store (latency, failures); the store itself stays real. */
  readonly wrapStore?: (store: Store) => Store;
  /** Passport credential issuers the node trusts. */
  readonly trustedIssuers?: TrustedIssuers;
  /** Write the audit trail to `<dataDir>/audit` (reads.log, changes.log), as main.ts does. */
  readonly audit?: boolean;
  /** The cache's clock (TTL, stale window, prefetch), so a test moves time instead of sleeping. */
  readonly now?: () => number;
  /** Public URL and GS1 prefix, as the passport config section gives them (IDNODE_PUBLIC_URL, IDNODE_GS1_PREFIX). */
  readonly passport?: PassportSettings;
  /** Serve HTTPS (HTTP/2 and HTTP/1.1) with this certificate and key, as IDNODE_TLS_CERT / IDNODE_TLS_KEY do. */
  readonly https?: HttpsMaterial;
  /** Use this data directory (kept on close) instead of a fresh temp one: a restart of the same node. */
  readonly dataDir?: string;
  /** REST sessions' settings and clock (a test moves the clock to expire a session). */
  readonly sessions?: { readonly ttlMs: number; readonly max: number };
  readonly sessionClock?: () => number;
  /** Keep the transparency log (`<dataDir>/tlog`), as main.ts does with IDNODE_TLOG=on. */
  readonly tlog?: { readonly origin?: string; readonly checkpointMs?: number };
  /** The wrong-secret backoff, with its own settings and clock. */
  readonly authLimiter?: AuthLimiter;
  /** HTTP limits and load shedding as main.ts passes them from IDNODE_HTTP_* / IDNODE_SHED_*. */
  readonly limits?: HttpLimits;
  readonly shed?: ShedSettings;
  /** Sign answers (ADR 0011) with `<dataDir>/signing-key`, as main.ts does with IDNODE_SIGN_ANSWERS. */
  readonly signing?: SignMode;
}

export async function startTestNode(
  prefixes: readonly string[] = ['88.100.5', '88.100.6'],
  opts: TestNodeOptions = {},
): Promise<TestNode> {
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'idnode-test-')));
  // The seal key as main.ts keeps it: <dataDir>/seal-key, created at first start.
  const seal = await loadSealKeys(dataDir);
  const store = await openLmdbStore({ path: join(dataDir, 'lmdb') });
  const backend = opts.wrapStore ? opts.wrapStore(store) : store;
  const audit = opts.audit ? openAuditLog(join(dataDir, 'audit')) : undefined;
  const tlog = opts.tlog
    ? (
        await openTransparencyLog(store, {
          dataDir,
          origin: opts.tlog.origin ?? 'idnode.test/log',
          checkpointMs: opts.tlog.checkpointMs ?? 60_000,
        })
      ).log
    : undefined;
  const ctx = createAppContext(backend, {
    ...(tlog ? { tlog } : {}),
    prefixes,
    tokenKey: Buffer.alloc(32, 7),
    keyring: SecretKeyring.of(seal.current, seal.previous),
    ...(opts.cache ? { cache: opts.cache } : {}),
    ...(opts.authoritativeReadsPerSecond ? { authoritativeReadsPerSecond: opts.authoritativeReadsPerSecond } : {}),
    ...(opts.trustedIssuers ? { trustedIssuers: opts.trustedIssuers } : {}),
    ...(audit ? { audit } : {}),
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.sessions ? { sessions: opts.sessions } : {}),
    ...(opts.sessionClock ? { sessionClock: opts.sessionClock } : {}),
    ...(opts.authLimiter ? { authLimiter: opts.authLimiter } : {}),
    ...(opts.passport ? { passport: opts.passport } : {}),
    ...(opts.signing
      ? { signing: new AnswerSigner(SigningKeys.of(await loadSigningSeeds(dataDir)), opts.signing) }
      : {}),
  });
  await bootstrapHomedPrefixes(ctx.records, prefixes, dataDir, TEST_SECRET);
  const app = await buildServer(ctx, {
    logger: false,
    ...(opts.https ? { https: opts.https } : {}),
    ...(opts.limits ? { limits: opts.limits } : {}),
    ...(opts.shed ? { shed: opts.shed } : {}),
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    ctx,
    store,
    app,
    dataDir,
    secret: TEST_SECRET,
    adminAuth: (prefix, secret = TEST_SECRET) => basicAuth(`300:${prefix}/ADMIN`, secret),
    async close() {
      await app.close();
      await tlog?.stop();
      await audit?.close();
      await store.close();
      if (opts.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** PUT a record as JSON; returns status and parsed body. */
export async function putRecord(
  base: string,
  handle: string,
  values: unknown[],
  auth?: string,
  query = '',
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${base}/api/handles/${handle}${query}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}), ...headers },
    body: JSON.stringify({ values }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

export const urlValue = (index: number, url: string, extra: Record<string, unknown> = {}) => ({
  index,
  type: 'URL',
  data: { format: 'string', value: url },
  ...extra,
});
