import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatProblem, Problems } from '../../src/config-kit/problems.ts';
import { readSection } from '../../src/config-kit/section.ts';
import { generateCerts } from '../../src/federation/certs-command.ts';
import { readTlsMaterial, tlsSection } from '../../src/federation/tls-config.ts';
import { problemsOf } from './config-helpers.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'idnode-tls-config-'));
  await generateCerts({ out: join(dir, 'fed'), nodes: ['n1', 'n2'] });
  await generateCerts({ out: join(dir, 'fed'), nodes: ['old'], expired: true, reuseCa: true });
  await generateCerts({ out: join(dir, 'other'), nodes: ['n1'] });
  // A certificate with another node's key; a certificate from another CA; a file that is no PEM.
  const mix = async (name: string, files: { cert: string; key: string; ca: string }) => {
    await mkdir(join(dir, name));
    await copyFile(files.cert, join(dir, name, 'node.crt'));
    await copyFile(files.key, join(dir, name, 'node.key'));
    await copyFile(files.ca, join(dir, name, 'ca.crt'));
  };
  const fed = (node: string, file: string) => join(dir, 'fed', node, file);
  await mix('wrong-key', { cert: fed('n1', 'node.crt'), key: fed('n2', 'node.key'), ca: fed('n1', 'ca.crt') });
  await mix('other-ca', {
    cert: join(dir, 'other', 'n1', 'node.crt'),
    key: join(dir, 'other', 'n1', 'node.key'),
    ca: fed('n1', 'ca.crt'),
  });
  await mix('garbage', { cert: fed('n1', 'node.crt'), key: fed('n1', 'node.key'), ca: fed('n1', 'ca.crt') });
  await writeFile(join(dir, 'garbage', 'node.key'), 'not a key\n');
}, 60_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

const read = async (tlsDir: string) => {
  const problems = new Problems();
  const files = readSection(tlsSection, { IDNODE_TLS_DIR: tlsDir }).value.files!;
  const material = await readTlsMaterial(files, problems);
  return { material, problems: problems.list.map(formatProblem) };
};

describe('tls config section', () => {
  it.each([
    [{}, { files: undefined, insecure: false }],
    [{ IDNODE_INSECURE_GRPC: '1' }, { files: undefined, insecure: true }],
    [
      { IDNODE_TLS_DIR: 'certs/top' },
      {
        files: {
          dir: resolve('certs/top'),
          cert: resolve('certs/top/node.crt'),
          key: resolve('certs/top/node.key'),
          ca: resolve('certs/top/ca.crt'),
        },
      },
    ],
  ])('normalises %j', (env, expected) => {
    const { value, problems } = readSection(tlsSection, env);
    expect(problems).toEqual([]);
    expect(value).toMatchObject(expected);
  });

  it('refuses a bad IDNODE_INSECURE_GRPC, naming the allowed values', () => {
    expect(readSection(tlsSection, { IDNODE_INSECURE_GRPC: 'true' }).problems).toEqual([
      'IDNODE_INSECURE_GRPC must be one of: 0, 1 (got "true")',
    ]);
  });

  it('requires TLS of federated roles unless the network is declared trusted (a rule across sections)', () => {
    const env = { IDNODE_ROLE: 'top-level', IDNODE_PREFIXES: '88' };
    expect(problemsOf(env)).toEqual([
      'IDNODE_TLS_DIR is required for role top-level: it talks to other nodes over mTLS (node.crt, node.key, ca.crt; ' +
        '`npm run certs -- --out <dir> --nodes <ids>` makes dev ones), or set IDNODE_INSECURE_GRPC=1 on a trusted network',
    ]);
    expect(problemsOf({ ...env, IDNODE_INSECURE_GRPC: '1' })).toEqual([]);
    expect(problemsOf({ ...env, IDNODE_TLS_DIR: join(dir, 'fed', 'n1') })).toEqual([]);
  });

  it('refuses a misspelt variable of the section, naming the right one', () => {
    expect(problemsOf({ IDNODE_TLSDIR: '/x' })).toEqual([
      'IDNODE_TLSDIR is not an idnode variable; did you mean IDNODE_TLS_DIR?',
    ]);
  });
});

describe('tls files, read and checked before anything starts', () => {
  it('reads a good directory and finds the node id in the certificate', async () => {
    const { material, problems } = await read(join(dir, 'fed', 'n1'));
    expect(problems).toEqual([]);
    expect(material?.commonName).toBe('n1');
  });

  it('names every missing file at once', async () => {
    const missing = join(dir, 'nowhere');
    expect((await read(missing)).problems).toEqual([
      `IDNODE_TLS_DIR must hold a readable ${join(missing, 'node.crt')} (no such file)`,
      `IDNODE_TLS_DIR must hold a readable ${join(missing, 'node.key')} (no such file)`,
      `IDNODE_TLS_DIR must hold a readable ${join(missing, 'ca.crt')} (no such file)`,
    ]);
  });

  it.each([
    ['wrong-key', /^IDNODE_TLS_DIR has a key that does not belong to its certificate \(.+node\.key\)$/],
    [
      'other-ca',
      /^IDNODE_TLS_DIR has a certificate not issued by its CA \(.+node\.crt is not signed by a certificate in .+ca\.crt\)$/,
    ],
    ['garbage', /^IDNODE_TLS_DIR must hold a PEM private key in .+node\.key \(.+\)$/],
  ])('refuses %s', async (name, line) => {
    const { problems } = await read(join(dir, name));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(line);
  });

  it('refuses an expired certificate, with its date', async () => {
    const { problems } = await read(join(dir, 'fed', 'old'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^IDNODE_TLS_DIR has a certificate that expired on .+ GMT \(.+node\.crt\)$/);
  });
});
