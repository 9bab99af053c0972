import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import closeWithGrace from 'close-with-grace';
import { pino } from 'pino';
import { createAppContext } from './app.ts';
import { bootstrapHomedPrefixes } from './bootstrap/homed-prefix-records.ts';
import { CREDENTIALS_FILE, loadTokenKey } from './bootstrap/secrets-file.ts';
import { ConfigError, loadConfig, type NodeConfig } from './config/load.ts';
import { buildServer } from './http/server.ts';
import { openConfiguredStore } from './store/open-store.ts';
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

async function main(): Promise<void> {
  const config = configOrExit();
  // Asynchronous log destination: a log line must never block the resolution path.
  const logger = pino({ level: config.logLevel }, pino.destination({ dest: 1, sync: false }));
  await mkdir(config.dataDir, { recursive: true });
  const storeConfig = storeConfigFrom(process.env);
  if ('problems' in storeConfig) exitWithConfigError(new ConfigError(storeConfig.problems));
  const opened = await openConfiguredStore(storeConfig, config.dataDir);
  const store = opened.store;
  const boot = await bootstrapHomedPrefixes(store, config.prefixes, config.dataDir, config.adminSecret);
  const tokenKey = config.tokenKey ?? (await loadTokenKey(config.dataDir));
  const ctx = createAppContext(store, { prefixes: config.prefixes, tokenKey, cache: config.cache });
  await opened.attach(ctx.changes, ctx.cache);
  const app = await buildServer(ctx, { logger });
  closeWithGrace({ delay: config.drainDelayMs + 10_000 }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'shutting down after an error');
    else logger.info({ signal }, 'shutting down: not ready, then finishing in-flight requests');
    // Fail readiness first so load balancers stop routing here, then drain and exit.
    ctx.readiness.startDraining();
    await new Promise((r) => setTimeout(r, config.drainDelayMs));
    await app.close();
    await store.close();
    logger.flush();
  });
  const address = await app.listen({ port: config.httpPort, host: config.host });
  const credentials = config.adminSecret
    ? 'the secret in IDNODE_ADMIN_SECRET'
    : `the secret in ${join(config.dataDir, CREDENTIALS_FILE)}`;
  logger.info({ address, prefixes: config.prefixes, dataDir: config.dataDir }, 'idnode listening');
  if (boot.generated.length > 0)
    logger.info({ file: join(config.dataDir, CREDENTIALS_FILE) }, 'admin secrets generated (mode 0600)');
  for (const p of config.prefixes) {
    logger.info(`admin for ${p}: user "300:${p}/ADMIN" with ${credentials}`);
  }
}

await main();
