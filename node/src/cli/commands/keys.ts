import type { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { action, addGlobals, type Run } from '../command-kit.ts';
import { requireCredentials } from '../context.ts';
import { usage } from '../exit-codes.ts';
import { handlePath } from '../http-client.ts';
import { dataDirOf } from './data-dir.ts';
import { CREDENTIALS_FILE, updateCredentialsFile } from './keys-credentials.ts';
import { rotateSigningSeeds, signingKeyPath } from '../../signing/key-file.ts';
import { KEY_POLL_MS } from '../../signing/key-watch.ts';
import { SigningKeys } from '../../signing/signing-keys.ts';

const TOKEN_KEY_FILE = 'token-key';
const SEAL_KEY_FILE = 'seal-key';

async function describe(path: string): Promise<{ path: string; exists: boolean; mode?: string }> {
  try {
    const s = await stat(path);
    return { path, exists: true, mode: (s.mode & 0o777).toString(8) };
  } catch {
    return { path, exists: false };
  }
}

/** Where the node's secrets live; values are printed only with --reveal. */
async function show(run: Run, o: { dataDir?: string; reveal?: boolean }) {
  const dir = dataDirOf(o.dataDir);
  const tokenKey = await describe(join(dir, TOKEN_KEY_FILE));
  const credentials = await describe(join(dir, CREDENTIALS_FILE));
  const sealKey = await describe(join(dir, SEAL_KEY_FILE));
  const signingKey = await describe(signingKeyPath(dir));
  const reveal = o.reveal === true && credentials.exists;
  const admins = reveal ? (JSON.parse(await readFile(credentials.path, 'utf8')) as unknown) : undefined;
  const env = {
    IDNODE_TOKEN_KEY: process.env.IDNODE_TOKEN_KEY !== undefined,
    IDNODE_ADMIN_SECRET: process.env.IDNODE_ADMIN_SECRET !== undefined,
    IDNODE_SEAL_KEY: process.env.IDNODE_SEAL_KEY !== undefined,
  };
  run.out.result({ dataDir: dir, tokenKey, sealKey, signingKey, credentials, env, ...(reveal ? { admins } : {}) }, () =>
    [
      `token key:   ${tokenKey.path} ${tokenKey.exists ? `(mode ${tokenKey.mode})` : '(absent: IDNODE_TOKEN_KEY or not started yet)'}`,
      `seal key:    ${sealKey.path} ${sealKey.exists ? `(mode ${sealKey.mode})` : '(absent: IDNODE_SEAL_KEY or not started yet)'}`,
      `signing key: ${signingKey.path} ${signingKey.exists ? `(mode ${signingKey.mode})` : '(absent: not started yet)'}`,
      `credentials: ${credentials.path} ${credentials.exists ? `(mode ${credentials.mode})` : '(absent: IDNODE_ADMIN_SECRET or not started yet)'}`,
      ...(reveal ? [JSON.stringify(admins, null, 2)] : []),
    ].join('\n'),
  );
}

/** New admin secret through the API: PUT of HS_SECKEY at index 300 (the node stores it sealed, ADR 0002; old tokens die). */
async function rotateSecret(
  run: Run,
  o: { prefix: string; newSecretFile?: string; writeSecret?: string; dataDir?: string },
) {
  const auth = await requireCredentials(run.globals);
  const secret =
    o.newSecretFile === undefined
      ? randomBytes(24).toString('base64url')
      : (await readFile(o.newSecretFile, 'utf8')).trim();
  if (secret.length < 12) throw usage('CLI_ERR_WEAK_SECRET', 'the new secret must have at least 12 characters.');
  const admin = `${o.prefix}/ADMIN`;
  await run.client.json('PUT', `/api/handles/${handlePath(admin)}?index=300`, {
    auth,
    body: { values: [{ index: 300, type: 'HS_SECKEY', data: { format: 'string', value: secret } }] },
  });
  if (o.writeSecret !== undefined) {
    await writeFile(o.writeSecret, `${secret}\n`, { mode: 0o600 });
    await chmod(o.writeSecret, 0o600);
  }
  // The node's credentials file must not keep the old secret (the walk-through reads it).
  const credentialsFile = await updateCredentialsFile(dataDirOf(o.dataDir), o.prefix, secret);
  const shown = o.writeSecret === undefined && o.newSecretFile === undefined;
  const where = credentialsFile === undefined ? '' : `; ${credentialsFile} holds the new secret`;
  run.out.result(
    {
      ok: true,
      user: `300:${admin}`,
      ...(shown ? { secret } : { secretFile: o.writeSecret ?? o.newSecretFile }),
      ...(credentialsFile === undefined ? {} : { credentialsFile }),
    },
    () =>
      shown
        ? `new secret of 300:${admin} (shown once): ${secret}${where}`
        : `rotated the secret of 300:${admin}${where}`,
  );
}

/** A new token signing key file: takes effect at the node's next start and invalidates every issued token. */
async function rotateTokenKey(run: Run, o: { dataDir?: string }) {
  const path = join(dataDirOf(o.dataDir), TOKEN_KEY_FILE);
  await writeFile(path, randomBytes(32).toString('base64'), { mode: 0o600 });
  await chmod(path, 0o600);
  run.out.result(
    { ok: true, tokenKey: resolve(path), restartNeeded: true },
    () => `wrote a new token key to ${path}; restart the node to use it`,
  );
}

/**
 * A new answer signing key (ADR 0011): the old one stays in the file as the previous key, still in
 * /.well-known/jwks.json; running nodes on this data directory notice the file and sign with the
 * new key within about a second, without a restart. Prints key ids only, never a key.
 */
async function rotateSigning(run: Run, o: { dataDir?: string }) {
  const dir = dataDirOf(o.dataDir);
  const keys = SigningKeys.of(await rotateSigningSeeds(dir));
  const previous = keys.previous.map((k) => k.kid);
  run.out.result(
    { ok: true, signingKey: resolve(signingKeyPath(dir)), kid: keys.current.kid, previous, restartNeeded: false },
    () =>
      `new signing key ${keys.current.kid} (previous: ${previous.join(', ') || 'none'}); ` +
      `running nodes use it within ${KEY_POLL_MS / 1000} s`,
  );
}

export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description("the node's token key and admin secrets");
  addGlobals(
    keys
      .command('show')
      .description('where the token key and admin credentials are (values only with --reveal)')
      .option('--data-dir <dir>', 'the node data directory (env IDNODE_DATA_DIR; default ./data)')
      .option('--reveal', 'print the stored admin secrets too'),
  ).action(action(show));
  addGlobals(
    keys
      .command('rotate-secret')
      .description("set a new admin secret (PUT HS_SECKEY index 300 of <prefix>/ADMIN); revokes the admin's tokens")
      .requiredOption('--prefix <prefix>', 'whose admin, e.g. 88.100.5')
      .option('--new-secret-file <file>', 'use this secret instead of a random one')
      .option('--write-secret <file>', 'write the new secret to this file (mode 0600) instead of printing it')
      .option(
        '--data-dir <dir>',
        'the node data directory whose admin-credentials.json is updated (env IDNODE_DATA_DIR; default ./data)',
      ),
  ).action(action(rotateSecret));
  addGlobals(
    keys
      .command('rotate-token-key')
      .description('write a new Bearer-token signing key (restart the node; issued tokens stop working)')
      .option('--data-dir <dir>', 'the node data directory (env IDNODE_DATA_DIR; default ./data)'),
  ).action(action(rotateTokenKey));
  addGlobals(
    keys
      .command('rotate-signing')
      .description('new answer signing key (Ed25519); the old one stays published as previous; no restart')
      .option('--data-dir <dir>', 'the node data directory (env IDNODE_DATA_DIR; default ./data)'),
  ).action(action(rotateSigning));
}
