import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTrustedIssuers, trustSection } from '../../src/access/trust-config.ts';
import { formatProblem, Problems } from '../../src/config-kit/problems.ts';
import { readSection } from '../../src/config-kit/section.ts';
import { problemsOf } from './config-helpers.ts';

let dir: string;
const KEY = {
  kty: 'EC',
  crv: 'P-256',
  x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
  y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'idnode-trust-config-'));
  const issuer = { iss: 'https://recyclers.example.eu', allowedRoles: ['legitimate-interest'], jwks: { keys: [KEY] } };
  await writeFile(join(dir, 'good.json'), JSON.stringify({ audience: ['https://id.example.com'], issuers: [issuer] }));
  await writeFile(join(dir, 'not-json.json'), '{ issuers: ');
  await writeFile(
    join(dir, 'private.json'),
    JSON.stringify({ issuers: [{ ...issuer, jwks: [{ ...KEY, d: 'secret' }] }] }),
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const read = async (file: string | undefined, own: readonly string[] = []) => {
  const problems = new Problems();
  const trust = await readTrustedIssuers({ file }, own, problems);
  return { trust, problems: problems.list.map(formatProblem) };
};

describe('trust config section', () => {
  it.each([
    [{}, { file: undefined }],
    [{ IDNODE_TRUSTED_ISSUERS: 'trust.json' }, { file: resolve('trust.json') }],
  ])('normalises %j', (env, expected) => {
    expect(readSection(trustSection, env)).toEqual({ value: expected, problems: [] });
  });

  it('flags mirror the variable', () => {
    expect(problemsOf({}, ['--trusted-issuers', '/etc/idnode/trust.json'])).toEqual([]);
  });

  it('refuses a misspelt variable of the section, naming the right one', () => {
    expect(problemsOf({ IDNODE_TRUSTED_ISSUER: 'x.json' })).toEqual([
      'IDNODE_TRUSTED_ISSUER is not an idnode variable; did you mean IDNODE_TRUSTED_ISSUERS?',
    ]);
  });
});

describe('trusted-issuers file, read and checked before the store is opened', () => {
  it("reads a good file and adds this node's public URL as an audience", async () => {
    const { trust, problems } = await read(join(dir, 'good.json'), ['https://node.example']);
    expect(problems).toEqual([]);
    expect([...(trust?.issuers.keys() ?? [])]).toEqual(['https://recyclers.example.eu']);
    expect(trust?.audience).toEqual(['https://id.example.com', 'https://node.example']);
  });

  it('trusts nobody when unset', async () => {
    const { trust, problems } = await read(undefined, ['https://node.example']);
    expect(problems).toEqual([]);
    expect(trust?.issuers.size).toBe(0);
  });

  it.each([
    [
      'missing.json',
      /^IDNODE_TRUSTED_ISSUERS names a file that cannot be used: .+missing\.json: cannot read it \(ENOENT\)$/,
    ],
    [
      'not-json.json',
      /^IDNODE_TRUSTED_ISSUERS names a file that cannot be used: .+not-json\.json: it is not JSON \(.+\)$/,
    ],
    [
      'private.json',
      /^IDNODE_TRUSTED_ISSUERS names a file that cannot be used: .+private\.json: \/issuers\/0\/jwks.*: .+$/,
    ],
  ])('refuses %s', async (name, line) => {
    const { problems } = await read(join(dir, name));
    expect(problems.length).toBeGreaterThan(0);
    for (const p of problems) expect(p).toMatch(line);
  });
});
