import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import closeWithGrace from 'close-with-grace';
import { pino, type Logger } from 'pino';
import { loadTrustedIssuers, TrustConfigError, type TrustedIssuers } from './access/trusted-issuers.ts';
import { createAppContext } from './app.ts';
import { openAuditLog } from './audit/audit-log.ts';
import { bootstrapHomedPrefixes } from './bootstrap/homed-prefix-records.ts';
import { CREDENTIALS_FILE, loadTokenKey } from './bootstrap/secrets-file.ts';
import { ConfigError, loadConfig, type NodeConfig } from './config/load.ts';
import { prepareFederation } from './federation/federation.ts';
import { startSenderFor, syncMountFor } from './federation/sync-wiring.ts';
import { buildServer } from './http/server.ts';
import { openConfiguredStore } from './store/open-store.ts';
import { readonlyStore } from './store/readonly-store.ts';
import { storeConfigFrom } from './store/store-config.ts';

function exitWithConfigError(e: ConfigError): never {
  process.stderr.write(`idnode: ${e.message}\n`);
  process.exit(2);
}

function configOrExit(): NodeConfig {
  try {
    return loadConfig();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    exitWithConfigError(e);
  }
}

function logCredentials(logger: Logger, config: NodeConfig, generated: boolean): void {
  const credentials = config.adminSecret
    ? 'the secret in IDNODE_ADMIN_SECRET'
    : `the secret in ${join(config.dataDir, CREDENTIALS_FILE)}`;
  if (generated) logger.info({ file: join(config.dataDir, CREDENTIALS_FILE) }, 'admin secrets generated (mode 0600)');
  for (const p of config.prefixes) logger.info(`admin for ${p}: user "300:${p}/ADMIN" with ${credentials}`);
}

/** Trusted credential issuers; this node's public URL is an audience a credential may name. */
async function trustedIssuersOrExit(config: NodeConfig): Promise<TrustedIssuers> {
  try {
    const trust = await loadTrustedIssuers(config.trustedIssuersFile);
    const own = config.passport.publicUrl === undefined ? [] : [config.passport.publicUrl];
    return { ...trust, audience: [...trust.audience, ...own] };
  } catch (e) {
    if (!(e instanceof TrustConfigError)) throw e;
    exitWithConfigError(new ConfigError(e.problems));
  }
}

async function main(): Promise<void> {
  const config = configOrExit();
  // Asynchronous log destination: a log line must never block the resolution path.
  const logger = pino({ level: config.logLevel }, pino.destination({ dest: 1, sync: false }));
  await mkdir(config.dataDir, { recursive: true });
  const storeConfig = storeConfigFrom(process.env);
  if ('problems' in storeConfig) exitWithConfigError(new ConfigError(storeConfig.problems));
  // A caching node keeps an (empty) store too: it backs readiness and the token machinery, never a write.
  const opened = await openConfiguredStore(storeConfig, config.dataDir);
  const store = opened.store;
  const tokenKey = config.tokenKey ?? (await loadTokenKey(config.dataDir));
  // The directory (top-level) reads the store; its decisions are applied through ctx.records.
  const fed = await prepareFederation(config, readonlyStore(store), logger);
  const trustedIssuers = await trustedIssuersOrExit(config);
  // The audit trail is kept apart from the operational log, under the data directory.
  const audit = openAuditLog(join(config.dataDir, 'audit'));
  process.on('SIGHUP', () => audit.reopen());
  const ctx = createAppContext(store, {
    prefixes: config.prefixes,
    tokenKey,
    cache: config.cache,
    authoritativeReadsPerSecond: config.authRatePerSecond,
    trustedIssuers,
    audit,
    ...(fed.stageDeps ? { federation: fed.stageDeps } : {}),
    ...(fed.role === 'caching' && config.federation.upstream ? { cachingUpstream: config.federation.upstream } : {}),
  });
  // Bootstrap writes through the context's RecordService, like every other write.
  const boot = await bootstrapHomedPrefixes(ctx.records, config.prefixes, config.dataDir, config.adminSecret);
  await opened.attach(ctx.changes, ctx.cache);
  const accessLog = { logger: logger.child({ log: 'access' }), sampleRate: config.accessLogSample };
  const app = await buildServer(ctx, { logger, accessLog });
  const address = await app.listen({ port: config.httpPort, host: config.host });
  const syncMount = syncMountFor(fed, ctx.legacyStore, config.federation.delegations);
  const grpcPort = await fed.start(
    {
      resolvePeer: ctx.resolvePeer,
      records: ctx.records,
      readiness: ctx.readiness,
      metricsRegistry: ctx.metrics.registry,
      httpAddress: address,
    },
    syncMount ? [syncMount] : [],
  );
  const upstream = config.federation.upstream;
  const sender =
    upstream === undefined
      ? undefined
      : startSenderFor(fed, {
          store: ctx.legacyStore,
          changes: ctx.changes,
          registry: ctx.metrics.registry,
          upstream,
          logger,
        });
  closeWithGrace({ delay: config.drainDelayMs + 10_000 }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'shutting down after an error');
    else logger.info({ signal }, 'shutting down: not ready, then finishing in-flight requests');
    // Fail readiness (HTTP and grpc.health.v1) first so balancers and peers stop routing here, then drain and exit.
    ctx.readiness.startDraining();
    await new Promise((r) => setTimeout(r, config.drainDelayMs));
    await app.close();
    await sender?.stop();
    await fed.close(2_000);
    await store.close();
    await audit.close();
    logger.flush();
  });
  logger.info(
    { address, grpcPort, role: fed.role, nodeId: fed.selfId, prefixes: config.prefixes, dataDir: config.dataDir },
    'idnode listening',
  );
  logCredentials(logger, config, boot.generated.length > 0);
}

await main();
