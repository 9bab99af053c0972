import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve as resolvePath } from 'node:path';
import { parseArgs } from 'node:util';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { isPurpose, PURPOSES } from './purposes.ts';
import { CREDENTIAL_ROLES, type CredentialRole } from './trusted-issuers.ts';

/**
 * `npm run credential -- --role legitimate-interest --purpose recycling`: a development issuer for
 * passport credentials. The first run makes a key pair in --dir (default ./data/dev-issuer) and a
 * trusted-issuers.json naming its public key; every run prints one signed token on stdout. Start the
 * node with IDNODE_TRUSTED_ISSUERS=<dir>/trusted-issuers.json and send the token as a Bearer header.
 * For development only: a real deployment trusts the issuers of recyclers' and authorities' identity
 * schemes, whose private keys never come near the node.
 */

export const DEV_ISSUER = 'https://issuer.dev.idnode.local';
const ALG = 'ES256';

export interface DevIssuer {
  readonly iss: string;
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
}

async function loadOrCreate(dir: string, iss: string): Promise<DevIssuer> {
  const keyFile = join(dir, 'issuer-key.json');
  try {
    return JSON.parse(await readFile(keyFile, 'utf8')) as DevIssuer;
  } catch {
    const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
    const kid = `dev-${Date.now().toString(36)}`;
    const issuer: DevIssuer = {
      iss,
      privateJwk: { ...(await exportJWK(privateKey)), kid, alg: ALG },
      publicJwk: { ...(await exportJWK(publicKey)), kid, alg: ALG, use: 'sig' },
    };
    await mkdir(dir, { recursive: true });
    await writeFile(keyFile, JSON.stringify(issuer, null, 2), { mode: 0o600 });
    await chmod(keyFile, 0o600);
    const trust = { issuers: [{ iss, allowedRoles: [...CREDENTIAL_ROLES], jwks: { keys: [issuer.publicJwk] } }] };
    await writeFile(join(dir, 'trusted-issuers.json'), `${JSON.stringify(trust, null, 2)}\n`);
    return issuer;
  }
}

export interface CredentialClaims {
  readonly sub: string;
  readonly role: CredentialRole;
  readonly purpose?: string;
  readonly aud?: string;
  readonly ttlSeconds: number;
}

export async function signCredential(issuer: DevIssuer, c: CredentialClaims): Promise<string> {
  const key = await importJWK(issuer.privateJwk, ALG);
  const jwt = new SignJWT({ role: c.role, ...(c.purpose === undefined ? {} : { purpose: c.purpose }) })
    .setProtectedHeader({ alg: ALG, typ: 'JWT', kid: issuer.privateJwk.kid! })
    .setIssuer(issuer.iss)
    .setSubject(c.sub)
    .setIssuedAt()
    .setExpirationTime(`${c.ttlSeconds}s`);
  if (c.aud !== undefined) jwt.setAudience(c.aud);
  return jwt.sign(key);
}

const USAGE =
  `usage: npm run credential -- --role legitimate-interest|authority ` +
  `[--purpose ${Object.keys(PURPOSES).join('|')}] [--sub NAME] [--aud PREFIX-OR-URL] [--ttl SECONDS] [--dir DIR] [--iss URL]\n`;

function usage(problem: string): never {
  process.stderr.write(`credential: ${problem}\n${USAGE}`);
  process.exit(2);
}

/** parseArgs throws on an unknown flag: that is the user's typing, answered as usage (exit 2), not a stack trace. */
function args(): ReturnType<typeof parse> {
  try {
    return parse();
  } catch (e) {
    return usage(e instanceof Error ? e.message : String(e));
  }
}

function parse() {
  return parseArgs({
    options: {
      help: { type: 'boolean', short: 'h' },
      role: { type: 'string' },
      purpose: { type: 'string' },
      sub: { type: 'string' },
      aud: { type: 'string' },
      ttl: { type: 'string', default: '3600' },
      dir: { type: 'string', default: './data/dev-issuer' },
      iss: { type: 'string', default: DEV_ISSUER },
    },
  });
}

async function main(): Promise<void> {
  const { values } = args();
  if (values.help === true) {
    process.stdout.write(USAGE);
    return;
  }
  const role = values.role as CredentialRole;
  if (!(CREDENTIAL_ROLES as readonly string[]).includes(role)) usage(`--role must be ${CREDENTIAL_ROLES.join(' or ')}`);
  if (values.purpose !== undefined && !isPurpose(values.purpose)) usage(`unknown --purpose "${values.purpose}"`);
  if (role === 'legitimate-interest' && values.purpose === undefined)
    usage('--purpose is required for legitimate-interest');
  const ttl = Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 86_400 * 30) usage('--ttl must be 1..2592000 seconds');
  const dir = resolvePath(values.dir);
  const issuer = await loadOrCreate(dir, values.iss);
  const token = await signCredential(issuer, {
    sub: values.sub ?? (role === 'authority' ? 'market-surveillance-dev' : `${values.purpose}-operator-dev`),
    role,
    ...(values.purpose === undefined ? {} : { purpose: values.purpose }),
    ...(values.aud === undefined ? {} : { aud: values.aud }),
    ttlSeconds: ttl,
  });
  process.stdout.write(`${token}\n`);
  process.stderr.write(
    `signed by ${issuer.iss} (valid ${ttl} s). Trust it with: IDNODE_TRUSTED_ISSUERS=${join(dir, 'trusted-issuers.json')}\n`,
  );
}

if (import.meta.main) await main();
