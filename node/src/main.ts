import { setLogger as setGrpcLogger } from '@grpc/grpc-js';
import cluster from 'node:cluster';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { format } from 'node:util';
import closeWithGrace from 'close-with-grace';
import { pino, type Logger } from 'pino';
import { SLOT_VAR } from './cluster/messages.ts';
import { runPrimary } from './cluster/primary.ts';
import { WorkerLink } from './cluster/worker-link.ts';
import { createAppContext, type NodeContext } from './app.ts';
import { openAuditLog } from './audit/audit-log.ts';
import { guardLogSink, LOG_BUFFER_MAX_BYTES } from './observability/log-write-guard.ts';
import { bootstrapHomedPrefixes } from './bootstrap/homed-prefix-records.ts';
import { keepCredentialsFresh } from './bootstrap/credentials-sync.ts';
import { SecretKeyring } from './auth/seal/keyring.ts';
import { CREDENTIALS_FILE, loadSealKeys, loadTokenKey, SEAL_KEY_FILE } from './bootstrap/secrets-file.ts';
import { ConfigError, loadConfig, type NodeConfig } from './config/load.ts';
import { listenOrFail, StartupFailure, stepOrFail } from './config/startup-failure.ts';
import { prepareFederation } from './federation/federation.ts';
import { federationView } from './federation/federation-view.ts';
import { readCursor } from './sync/index.ts';
import { startSenderFor, startWitnessClientFor, syncMountFor } from './federation/sync-wiring.ts';
import { buildServer } from './http/server.ts';
import { describeStore, storeInUse } from './store/config.ts';
import { bootstrapPrefixSites } from './bootstrap/homed-prefix-site.ts';
import { loadAnswerSigner, publishSigningKeys } from './bootstrap/answer-signing.ts';
import { openConfiguredStore } from './store/open-store.ts';
import { readonlyStore } from './store/readonly-store.ts';
import { originOf } from './tlog/config.ts';
import { openTransparencyLog, openWitness } from './tlog/open-log.ts';
import type { TransparencyLog } from './tlog/transparency-log.ts';

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

/** IDNODE_SEAL_KEY, or the seal-key file of the data directory (created at first start, 0600). */
async function loadKeyring(config: NodeConfig): Promise<SecretKeyring> {
  const { sealKey } = config.secrets;
  if (sealKey !== undefined) return SecretKeyring.of(sealKey);
  const path = join(config.store.dataDir, SEAL_KEY_FILE);
  const keys = await stepOrFail(`read the seal key ${path}`, 'fix the file or set IDNODE_SEAL_KEY', () =>
    loadSealKeys(config.store.dataDir),
  );
  return SecretKeyring.of(keys.current, keys.previous);
}

/** A listen host clients can reach as it is (not a wildcard), else loopback. */
const reachable = (host: string): string => (['0.0.0.0', '::', ''].includes(host) ? '127.0.0.1' : host);

/** The native Handle protocol, when configured: TCP+UDP on one port, and this node's HS_SITE on every homed 0.NA/<prefix>. */
async function startHandleFor(config: NodeConfig, ctx: NodeContext, nodeId: string, httpPort: string) {
  const h = config.handle;
  if (h.port === undefined) return undefined;
  const host = h.advertise ?? reachable(config.http.host);
  // Loaded only when the port is configured: the protocol's codec is start-up time a node without it never uses.
  const [{ startHandleServer }, { HandleMetrics }, { secretKeyVerifier }, { encodeSiteInfo }] = await Promise.all([
    import('./handle-protocol/handle-server.ts'),
    import('./handle-protocol/metrics.ts'),
    import('./handle-protocol/secret-key-verifier.ts'),
    import('./handle-protocol/site-info.ts'),
  ]);
  const server = await listenOrFail(`${config.http.host}:${h.port} (Handle TCP+UDP)`, 'IDNODE_HANDLE_PORT', () =>
    startHandleServer({
      host: config.http.host,
      port: h.port ?? 0,
      resolution: ctx.resolution,
      records: ctx.records,
      verifier: secretKeyVerifier(ctx.store, ctx.keyring, ctx.authenticator.limiter),
      metrics: new HandleMetrics(ctx.metrics.registry),
      siteSerial: 1,
      siteFor: (port) =>
        encodeSiteInfo({ host, port, httpPort: Number(httpPort), serial: 1, description: `idnode ${nodeId}` }),
      tcp: { maxConnections: h.maxConnections, idleTimeoutMs: h.idleTimeoutMs },
      udp: { maxResponsePackets: h.udpMaxResponsePackets },
    }),
  );
  await bootstrapPrefixSites(ctx.records, config.federation.prefixes, server.siteInfo);
  return server;
}

/** The transparency log (lead process only: one writer of the tiles), checked against the change log. */
async function openLogFor(
  config: NodeConfig,
  store: Parameters<typeof openTransparencyLog>[0],
  nodeId: string,
  logger: Logger,
): Promise<TransparencyLog | undefined> {
  if (!config.tlog.enabled) return undefined;
  const origin = originOf(config.tlog, config.passport.publicUrl, nodeId);
  const dataDir = config.store.dataDir;
  const { log, check } = await stepOrFail(
    `open the transparency log ${join(dataDir, 'tlog')}`,
    'set IDNODE_TLOG=off to run without it',
    () =>
      openTransparencyLog(store, {
        dataDir,
        origin,
        checkpointMs: config.tlog.checkpointMs,
        onInconsistent: (published) =>
          logger.error(
            { log: 'tlog', event: 'log-rewritten', size: published.size },
            'the change log no longer gives the root of the last published checkpoint: the store was changed outside idnode; the witness will refuse this log',
          ),
      }),
  );
  logger.info({ log: 'tlog', origin, vkey: log.signer.vkey, ...check, size: log.tree.size }, 'transparency log open');
  return log;
}

/** The top-level node witnesses its secondaries' logs with its own cosigner key (`<dataDir>/witness-key`). */
function openWitnessFor(config: NodeConfig, tlog: TransparencyLog, registry: Parameters<typeof openWitness>[2]) {
  return openWitness(config.store.dataDir, tlog.origin.replace(/\/log$/, '') + '/witness', registry);
}

async function main(): Promise<void> {
  // Every configuration problem at once, TLS and trust files read: nothing is created or opened before this.
  const config = await loadConfig(process.env, process.argv.slice(2));
  const { http } = config;
  const dataDir = config.store.dataDir;
  // Asynchronous log destination: a log line must never block the resolution path.
  const out = pino.destination({ dest: 1, sync: false, maxLength: LOG_BUFFER_MAX_BYTES });
  // stdout redirected to a full disk must not stop resolution (the access log is a child of this).
  guardLogSink(out, 'stdout');
  const logger = pino({ level: config.log.level }, out);
  if (config.workers.workers > 1 && cluster.isPrimary) {
    // IDNODE_WORKERS: this process only supervises; each worker runs this file again as a node.
    return runPrimary({ workers: config.workers.workers, logger, stopTimeoutMs: http.drainDelayMs + 12_000 });
  }
  const link = cluster.isWorker ? new WorkerLink(Number(process.env[SLOT_VAR] ?? '0')) : undefined;
  // Single-port listeners other than HTTP (gRPC) and the change audit belong to worker 0 alone.
  const lead = link === undefined || link.slot === 0;
  const federation = lead ? config.federation : { ...config.federation, grpc: undefined };
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
  const tokenKey = config.secrets.tokenKey ?? (await loadTokenKey(dataDir));
  const keyring = await loadKeyring(config);
  const signing = await loadAnswerSigner(dataDir, config.signing);
  const fed = await prepareFederation(
    { federation, host: http.host, tls: config.tlsMaterial, negativeTtlSeconds: config.cache.negativeTtlMs / 1000 },
    // The directory (top-level) reads the store; its decisions are applied through ctx.records.
    readonlyStore(store),
    logger,
  );
  // The audit trail is kept apart from the operational log, under the data directory.
  const audit = openAuditLog(join(dataDir, 'audit'));
  process.on('SIGHUP', () => audit.reopen());
  const tlog = lead ? await openLogFor(config, readonlyStore(store), fed.selfId, logger) : undefined;
  const ctx = createAppContext(store, {
    ...(tlog ? { tlog } : {}),
    prefixes: federation.prefixes,
    tokenKey,
    keyring,
    sessions: config.sessions,
    cache: config.cache,
    authoritativeReadsPerSecond: http.authRatePerSecond,
    trustedIssuers: config.trustedIssuers,
    audit,
    auditChanges: lead,
    passport: config.passport,
    signing,
    metricsPrefixes: config.metrics.prefixes,
    metricsPrefixLimit: config.metrics.prefixLimit,
    ...(fed.stageDeps ? { federation: fed.stageDeps } : {}),
    ...(fed.role === 'caching' && federation.upstream ? { cachingUpstream: federation.upstream } : {}),
  });
  ctx.metrics.storeInfo.labels(backend.kind).set(1);
  ctx.metrics.storeConnected.set(1);
  // Warn level: an operator running at warn must still see the store go and come back.
  opened.watchConnection({
    lost: () => {
      ctx.metrics.storeConnectionEvents.labels('lost').inc();
      ctx.metrics.storeConnected.set(0);
      logger.warn(
        { log: 'store', event: 'connection-lost', ...storeInUse(config.store) },
        `lost the connection to ${where}: reads not in the cache and every write answer 503 until it is back`,
      );
    },
    restored: () => {
      ctx.metrics.storeConnectionEvents.labels('restored').inc();
      ctx.metrics.storeConnected.set(1);
      logger.warn(
        { log: 'store', event: 'connection-restored', ...storeInUse(config.store) },
        `the connection to ${where} is restored (caches dropped: news may have been missed)`,
      );
    },
  });
  // Bootstrap writes through the context's RecordService, like every other write.
  const boot = await bootstrapHomedPrefixes(ctx.records, federation.prefixes, dataDir, config.secrets.adminSecret);
  // A rotated admin secret (any write path) is written into admin-credentials.json: it never goes stale.
  await keepCredentialsFresh(dataDir, ctx, federation.prefixes, logger);
  const stopKeyWatch = await publishSigningKeys({
    signer: signing,
    records: ctx.records,
    prefixes: federation.prefixes,
    dataDir,
    logger,
    lead,
  });
  await opened.attach(ctx.changes);
  if (link) joinCluster(link, ctx, opened.refreshReads);
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
    limits: http.limits,
    shed: http.shed,
    ...(config.httpsMaterial === undefined ? {} : { https: config.httpsMaterial }),
  });
  if (link) {
    // Which worker answered: operators (and the multi-worker tests) can tell the processes apart.
    const slot = String(link.slot);
    app.addHook('onRequest', (_request, reply, done) => {
      reply.header('x-idnode-worker', slot);
      done();
    });
  }
  const address = await listenOrFail(`${http.host}:${http.port}`, 'IDNODE_HTTP_PORT', () =>
    app.listen({ port: http.port, host: http.host }),
  );
  // Like gRPC, one process owns the Handle port: a challenge and its answer must reach the same state.
  const handle = lead ? await startHandleFor(config, ctx, fed.selfId, new URL(address).port) : undefined;
  const witness = tlog && fed.role === 'top-level' ? openWitnessFor(config, tlog, ctx.metrics.registry) : undefined;
  const syncMount = syncMountFor(fed, ctx.records, federation.delegations, witness);
  const grpcPort = await listenOrFail(`${http.host}:${federation.grpc?.port ?? ''} (gRPC)`, 'IDNODE_GRPC_PORT', () =>
    fed.start(
      {
        resolvePeer: ctx.resolvePeer,
        records: ctx.records,
        readiness: ctx.readiness,
        metricsRegistry: ctx.metrics.registry,
        httpAddress: address,
        signer: signing,
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
  const witnessClient =
    upstream === undefined
      ? undefined
      : startWitnessClientFor(fed, {
          store: ctx.store,
          changes: ctx.changes,
          registry: ctx.metrics.registry,
          upstream,
          logger,
          ...(tlog ? { tlog, checkpointMs: config.tlog.checkpointMs } : {}),
        });
  let closing = false;
  if (link) watchPrimary(() => closing);
  // A worker drains when the primary says so (SIGTERM); a terminal's Ctrl-C reaches the primary too.
  const skip: ('SIGINT' | 'SIGTERM')[] = link ? ['SIGINT'] : [];
  if (link) process.on('SIGINT', () => undefined);
  closeWithGrace({ delay: http.drainDelayMs + 10_000, skip }, async ({ signal, err }) => {
    closing = true;
    if (err) logger.error({ err }, 'shutting down after an error');
    else logger.info({ signal }, 'shutting down: not ready, then finishing in-flight requests');
    // Fail readiness (HTTP and grpc.health.v1) first so balancers and peers stop routing here, then drain and exit.
    ctx.readiness.startDraining();
    await new Promise((r) => setTimeout(r, http.drainDelayMs));
    stopKeyWatch();
    await app.close();
    await handle?.close();
    await sender?.stop();
    witnessClient?.stop();
    await tlog?.stop();
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
      handlePort: handle?.port,
      role: fed.role,
      nodeId: fed.selfId,
      prefixes: federation.prefixes,
      dataDir,
    },
    'idnode listening',
  );
  logCredentials(logger, config, boot.generated.length > 0);
}

/** Worker of IDNODE_WORKERS > 1: other workers' commits reach this cache; /metrics answers for all. */
function joinCluster(link: WorkerLink, ctx: ReturnType<typeof createAppContext>, refreshReads?: () => void): void {
  link.serveMetrics(ctx.metrics);
  // Redis reaches every process through its own pub/sub; LMDB has no channel, so the primary relays.
  if (refreshReads) link.bridge(ctx.changes, refreshReads);
}

/** The primary gone (killed hard), a worker must not serve on alone: it drains and exits. */
function watchPrimary(closing: () => boolean): void {
  process.on('disconnect', () => {
    if (!closing()) process.kill(process.pid, 'SIGTERM');
  });
}

// Failures before the node serves end it (exit 2, one line each); after that, closeWithGrace owns errors.
await main().catch(exitOnStartupFailure);
