import { readFile } from 'node:fs/promises';
import { CliError, EXIT, usage } from './exit-codes.ts';

/** Options every command understands (set on the program, read with optsWithGlobals()). */
export interface GlobalOptions {
  readonly url: string;
  readonly json?: boolean;
  readonly user?: string;
  readonly secretFile?: string;
}

export interface Credentials {
  readonly user: string;
  readonly secret: string;
}

export const DEFAULT_URL = 'http://127.0.0.1:8080';

/** The node's base URL without a trailing slash; a bad one is a usage error, not a network error. */
export function baseUrl(text: string): string {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw usage('CLI_ERR_BAD_URL', `--url "${text}" is not a URL (e.g. ${DEFAULT_URL}).`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw usage('CLI_ERR_BAD_URL', `--url must be http(s), not ${u.protocol}`);
  return u.href.replace(/\/+$/, '');
}

/** `--user` / IDNODE_USER and `--secret-file` / IDNODE_SECRET; undefined when neither user nor secret is given. */
export async function credentialsOf(o: GlobalOptions): Promise<Credentials | undefined> {
  const user = o.user ?? process.env.IDNODE_USER;
  let secret = process.env.IDNODE_SECRET;
  if (o.secretFile !== undefined) {
    try {
      secret = (await readFile(o.secretFile, 'utf8')).trim();
    } catch (e) {
      throw usage('CLI_ERR_SECRET_FILE', `cannot read --secret-file ${o.secretFile}: ${(e as Error).message}`);
    }
  }
  if (user === undefined && secret === undefined) return undefined;
  if (user === undefined) throw usage('CLI_ERR_NO_USER', 'a secret was given but no --user (or IDNODE_USER).');
  if (secret === undefined || secret === '')
    throw usage('CLI_ERR_NO_SECRET', `no secret for ${user}: pass --secret-file <file> or set IDNODE_SECRET.`);
  if (!/^[0-9]+:.+\/.+$/.test(user))
    throw usage('CLI_ERR_BAD_USER', `--user "${user}" must be <index>:<admin handle>, e.g. 300:88.100.5/ADMIN.`);
  return { user, secret };
}

export async function requireCredentials(o: GlobalOptions): Promise<Credentials> {
  const c = await credentialsOf(o);
  if (c === undefined)
    throw new CliError(
      EXIT.AUTH,
      'CLI_ERR_NO_CREDENTIALS',
      'this command needs credentials: --user 300:<prefix>/ADMIN with --secret-file <file>, or IDNODE_USER and IDNODE_SECRET.',
    );
  return c;
}

/** Handle clients percent-encode the colon of `<index>:<handle>` in the Basic user name. */
export const basicAuth = (c: Credentials): string =>
  `Basic ${Buffer.from(`${c.user.replace(':', '%3A')}:${c.secret}`).toString('base64')}`;
