import { setLogger as setGrpcLogger } from '@grpc/grpc-js';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { format } from 'node:util';
import closeWithGrace from 'close-with-grace';
import { pino, type Logger } from 'pino';
import { createAppContext } from './app.ts';
import { openAuditLog } from './audit/audit-log.ts';
import { bootstrapHomedPrefixes } from './bootstrap/homed-prefix-records.ts';
import { CREDENTIALS_FILE, loadTokenKey } from './bootstrap/secrets-file.ts';
import { ConfigError, loadConfig, type NodeConfig } from './config/load.ts';
import { listenOrFail, StartupFailure, stepOrFail } from './config/startup-failure.ts';
import { prepareFederation } from './federation/federation.ts';
import { federationView } from './federation/federation-view.ts';
import { readCursor } from './sync/index.ts';
import { startSenderFor, syncMountFor } from './federation/sync-wiring.ts';
import { buildServer } from './http/server.ts';
import { describeStore, storeInUse } from './store/config.ts';
import { openConfiguredStore } from './store/open-store.ts';
import { readonlyStore } from './store/readonly-store.ts';

/** Configuration problems and startup failures: one line each, exit 2, no stack (unless debugging). */
function exitOnStartupFailure(e: unknown): never {
  if (e instanceof ConfigError) for (const line of e.problems) process.stderr.write(`idnode: ${line}\n`);
  else if (e instanceof StartupFailure) process.stderr.write(`idnode: ${e.message}\n`);
  else {
    // Unforeseen: still one line; the stack only when asked for.
    const debugging = ['debug', 'trace'].includes(process.env.IDNODE_LOG_LEVEL ?? '');
    const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
    process.stderr.write(`idnode: startup failed: ${message} (IDNODE_LOG_LEVEL=debug shows where)\n`);
    if (debugging && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  }
  process.exit(2);
}

function logCredentials(logger: Logger, config: NodeConfig, generated: boolean): void {
  const dataDir = config.store.dataDir;
  const credentials = config.secrets.adminSecret
    ? 'the secret in IDNODE_ADMIN_SECRET'
    : `the secret in ${join(dataDir, CREDENTIALS_FILE)}`;
  if (generated) logger.info({ file: join(dataDir, CREDENTIALS_FILE) }, 'admin secrets generated (mode 0600)');
  for (const p of config.federation.prefixes) logger.info(`admin for ${p}: user "300:${p}/ADMIN" with ${credentials}`);
}

async function main(): Promise<void> {
  // Every configuration problem at once, TLS and trust files read: nothing is created or opened before this.
  const config = await loadConfig(process.env, process.argv.slice(2));
  const { http, federation } = config;
  const dataDir = config.store.dataDir;
  // Asynchronous log destination: a log line must never block the resolution path.
  const logger = pino({ level: config.log.level }, pino.destination({ dest: 1, sync: false }));
  // grpc-js writes its errors to stderr on its own: they belong in the log, and a bind failure is reported once, below.
  setGrpcLogger({
    error: (...a: unknown[]) => logger.warn({ log: 'grpc' }, format(...a)),
    info: (...a: unknown[]) => logger.info({ log: 'grpc' }, format(...a)),
    debug: (...a: unknown[]) => logger.debug({ log: 'grpc' }, format(...a)),
  });
  await stepOrFail(`create the data directory ${dataDir}`, 'set IDNODE_DATA_DIR', () =>
    mkdir(dataDir, { recursive: true }),
  );
  // A caching node keeps an (empty) store too: it backs readiness and the token machinery, never a write.
  const backend = config.store.backend;
  const { where, hint } = describeStore(config.store);
  const opened = await stepOrFail(`open ${where}`, hint, () => openConfiguredStore(backend, dataDir));
  const store = opened.store;
  // Which data this node serves is the first thing an operator checks: one line, every start.
  logger.info({ log: 'store', ...storeInUse(config.store) }, `store: ${where}`);
  // Warn level: an operator running at warn must still see the store go and come back.
  opened.watchConnection({
    lost: () =>
      logger.warn(
        { log: 'store', event: 'connection-lost', ...storeInUse(config.store) },
        `lost the connection to ${where}: reads not in the cache and every write answer 503 until it is back`,
      ),
    restored: () =>
      logger.warn(
        { log: 'store', event: 'connection-restored', ...storeInUse(config.store) },
        `the connection to ${where} is restored (caches dropped: news may have been missed)`,
      ),
  });
  const tokenKey = config.secrets.tokenKey ?? (await loadTokenKey(dataDir));
  const fed = await prepareFederation(
    { federation, host: http.host, tls: config.tlsMaterial, negativeTtlSeconds: config.cache.negativeTtlMs / 1000 },
    // The directory (top-level) reads the store; its decisions are applied through ctx.records.
    readonlyStore(store),
    logger,
  );
  // The audit trail is kept apart from the operational log, under the data directory.
  const audit = openAuditLog(join(dataDir, 'audit'));
  process.on('SIGHUP', () => audit.reopen());
  const ctx = createAppContext(store, {
    prefixes: federation.prefixes,
    tokenKey,
    cache: config.cache,
    authoritativeReadsPerSecond: http.authRatePerSecond,
    trustedIssuers: config.trustedIssuers,
    audit,
    passport: config.passport,
    metricsPrefixes: config.metrics.prefixes,
    metricsPrefixLimit: config.metrics.prefixLimit,
    ...(fed.stageDeps ? { federation: fed.stageDeps } : {}),
    ...(fed.role === 'caching' && federation.upstream ? { cachingUpstream: federation.upstream } : {}),
  });
  // Bootstrap writes through the context's RecordService, like every other write.
  const boot = await bootstrapHomedPrefixes(ctx.records, federation.prefixes, dataDir, config.secrets.adminSecret);
  await opened.attach(ctx.changes);
  const accessLog = { logger: logger.child({ log: 'access' }), sampleRate: http.accessLogSample };
  const view = federationView({
    role: fed.role,
    selfId: fed.selfId,
    directory: fed.directory,
    health: fed.health,
    store: ctx.store,
    appliedSeq: async (nodeId) => (await readCursor(store, nodeId)).appliedThrough,
  });
  const consoleOptions = {
    federation: view,
    ...(config.metrics.grafanaUrl ? { grafanaUrl: config.metrics.grafanaUrl } : {}),
  };
  const app = await buildServer(ctx, {
    logger,
    accessLog,
    console: consoleOptions,
    ...(config.httpsMaterial === undefined ? {} : { https: config.httpsMaterial }),
  });
  const address = await listenOrFail(`${http.host}:${http.port}`, 'IDNODE_HTTP_PORT', () =>
    app.listen({ port: http.port, host: http.host }),
  );
  const syncMount = syncMountFor(fed, ctx.records, federation.delegations);
  const grpcPort = await listenOrFail(`${http.host}:${federation.grpc?.port ?? ''} (gRPC)`, 'IDNODE_GRPC_PORT', () =>
    fed.start(
      {
        resolvePeer: ctx.resolvePeer,
        records: ctx.records,
        readiness: ctx.readiness,
        metricsRegistry: ctx.metrics.registry,
        httpAddress: address,
      },
      syncMount ? [syncMount] : [],
    ),
  );
  const upstream = federation.upstream;
  const sender =
    upstream === undefined
      ? undefined
      : startSenderFor(fed, {
          store: ctx.store,
          changes: ctx.changes,
          registry: ctx.metrics.registry,
          upstream,
          logger,
        });
  closeWithGrace({ delay: http.drainDelayMs + 10_000 }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'shutting down after an error');
    else logger.info({ signal }, 'shutting down: not ready, then finishing in-flight requests');
    // Fail readiness (HTTP and grpc.health.v1) first so balancers and peers stop routing here, then drain and exit.
    ctx.readiness.startDraining();
    await new Promise((r) => setTimeout(r, http.drainDelayMs));
    await app.close();
    await sender?.stop();
    await fed.close(2_000);
    await store.close();
    await audit.close();
    logger.flush();
  });
  logger.info(
    {
      address,
      https: config.httpsMaterial !== undefined,
      grpcPort,
      role: fed.role,
      nodeId: fed.selfId,
      prefixes: federation.prefixes,
      dataDir,
    },
    'idnode listening',
  );
  logCredentials(logger, config, boot.generated.length > 0);
}

// Failures before the node serves end it (exit 2, one line each); after that, closeWithGrace owns errors.
await main().catch(exitOnStartupFailure);
