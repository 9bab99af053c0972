import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, jsonLines } from '../cli/cli-helpers.ts';
import { spawnNode, type NodeProcess } from '../helpers/spawn-node.ts';
import { basicAuth } from '../helpers/test-node.ts';

/**
 * Issue 13 item 9: a secret rotated with `idnode keys rotate-secret` is where the walk-through
 * looks for it (admin-credentials.json, `keys show --reveal`), the old one is nowhere, and a
 * planted secret never reaches an output of a real node process in the clear.
 */

const PREFIX = '88.100.5';
const USER = `300:${PREFIX}/ADMIN`;
let dir: string;
let node: NodeProcess;

const credentialsOf = async (): Promise<Record<string, { user: string; secret: string }>> =>
  JSON.parse(await readFile(join(dir, 'data', 'admin-credentials.json'), 'utf8')) as Record<
    string,
    { user: string; secret: string }
  >;

async function auditText(root: string): Promise<string> {
  const entries = await readdir(root, { withFileTypes: true, recursive: true });
  const files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  return (await Promise.all(files.map((f) => readFile(f, 'utf8')))).join('\n');
}

/** Polls (bounded) until the node's own rewrite of the credentials file shows `secret`. */
async function fileHolds(secret: string): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    if ((await credentialsOf())[PREFIX]?.secret === secret) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'idnode-secrets-'));
  node = await spawnNode({
    IDNODE_DATA_DIR: join(dir, 'data'),
    IDNODE_PREFIXES: PREFIX,
    IDNODE_ACCESS_LOG_SAMPLE: '1',
    IDNODE_LOG_LEVEL: 'debug',
  });
}, 30_000);

afterAll(async () => {
  await node.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('admin secret rotation', () => {
  it('rotate-secret updates admin-credentials.json and keys show --reveal; the old secret fails', async () => {
    const old = (await credentialsOf())[PREFIX]?.secret ?? '';
    expect(old.length).toBeGreaterThan(11);
    const oldFile = join(dir, 'old-secret');
    const newFile = join(dir, 'new-secret');
    const planted = `planted-${randomBytes(12).toString('hex')}`;
    await writeFile(oldFile, old, { mode: 0o600 });
    await writeFile(newFile, planted, { mode: 0o600 });
    const rotated = await runCli(
      [
        'keys',
        'rotate-secret',
        '--prefix',
        PREFIX,
        '--new-secret-file',
        newFile,
        '--data-dir',
        join(dir, 'data'),
        '--json',
      ],
      { env: { IDNODE_URL: node.url, IDNODE_USER: USER, IDNODE_SECRET: old } },
    );
    expect(rotated.code, rotated.stderr).toBe(0);
    expect((await credentialsOf())[PREFIX]?.secret).toBe(planted);
    const shown = await runCli(['keys', 'show', '--reveal', '--json', '--data-dir', join(dir, 'data')]);
    expect(JSON.stringify(jsonLines(shown))).toContain(planted);
    expect(shown.stdout).not.toContain(old);
    const withOld = await fetch(`${node.url}/api/handles/${PREFIX}/ADMIN?auth=true`, {
      headers: { authorization: basicAuth(USER, old) },
    });
    expect(withOld.status).toBe(401);
    const withNew = await fetch(`${node.url}/api/handles/${PREFIX}/ADMIN?auth=true`, {
      headers: { authorization: basicAuth(USER, planted) },
    });
    expect(withNew.status).toBe(200);
  });

  it('a rotation by a plain PUT (no CLI) is written into admin-credentials.json by the node', async () => {
    const current = (await credentialsOf())[PREFIX]?.secret ?? '';
    const next = `by-put-${randomBytes(12).toString('hex')}`;
    const put = await fetch(`${node.url}/api/handles/${PREFIX}/ADMIN?index=300`, {
      method: 'PUT',
      headers: { authorization: basicAuth(USER, current), 'content-type': 'application/json' },
      body: JSON.stringify({ values: [{ index: 300, type: 'HS_SECKEY', data: { format: 'string', value: next } }] }),
    });
    expect(put.status, await put.text()).toBeLessThan(300);
    expect(await fileHolds(next)).toBe(true);
  });
});

describe('a planted secret never reaches an output in the clear', () => {
  it('logs, access log, /metrics, audit log, change history, error bodies', async () => {
    const admin = (await credentialsOf())[PREFIX]?.secret ?? '';
    const auth = basicAuth(USER, admin);
    const planted = `PLANTED-${randomBytes(16).toString('hex')}`;
    const id = `${PREFIX}/secret-holder`;
    const bodies: string[] = [];
    const call = async (path: string, init: RequestInit = {}) => {
      const r = await fetch(`${node.url}${path}`, init);
      bodies.push(JSON.stringify([...r.headers]), await r.text());
      return r;
    };
    const json = { authorization: auth, 'content-type': 'application/json' };
    const value = { index: 300, type: 'HS_SECKEY', data: { format: 'string', value: planted } };
    await call(`/api/handles/${id}`, { method: 'PUT', headers: json, body: JSON.stringify({ values: [value] }) });
    // A wrong-type PUT echoes nothing of the value back.
    await call(`/api/handles/${id}`, {
      method: 'PUT',
      headers: json,
      body: JSON.stringify({ values: [{ ...value, type: 'HS_SECKEY', data: { format: 'nope', value: planted } }] }),
    });
    // The planted secret as a login: right user, and as a wrong secret of the real admin.
    await call(`/api/handles/${id}?auth=true`, { headers: { authorization: basicAuth(`300:${id}`, planted) } });
    await call(`/api/handles/${PREFIX}/ADMIN?auth=true`, { headers: { authorization: basicAuth(USER, planted) } });
    await call('/api/tokens', { method: 'POST', headers: { authorization: basicAuth(`300:${id}`, planted) } });
    await call(`/api/handles/${id}?auth=true`, { headers: { authorization: auth } });
    await call(`/api/handles/${id}?history=true`, { headers: { authorization: auth } });
    await call(`/api/admin/prefixes/${PREFIX}/audit/reads`, { headers: { authorization: auth } });
    await call('/metrics');
    const outputs = {
      responses: bodies.join('\n'),
      process: node.output(),
      audit: await auditText(join(dir, 'data', 'audit')),
    };
    const encoded = Buffer.from(planted).toString('base64');
    for (const [where, text] of Object.entries(outputs)) {
      expect(text, `${where} holds the planted secret`).not.toContain(planted);
      expect(text, `${where} holds the planted secret in base64`).not.toContain(encoded.slice(0, 20));
    }
    // The test saw the outputs it claims to grep.
    expect(outputs.process).toContain('"log":"access"');
    expect(outputs.responses).toContain('idnode_');
  });
});
