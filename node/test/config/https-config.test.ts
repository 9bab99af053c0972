import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatProblem, Problems } from '../../src/config-kit/problems.ts';
import { readSection } from '../../src/config-kit/section.ts';
import { httpSection, readHttpsMaterial } from '../../src/http/config.ts';

/**
 * IDNODE_TLS_CERT / IDNODE_TLS_KEY (http config section): HTTPS served by the node itself. Both
 * or neither; the files are read and checked at startup (PEM, key of the certificate, validity),
 * every problem named with its variable. Real certificates from the openssl CLI.
 */

const run = promisify(execFile);
let dir: string;

async function selfSigned(name: string, days = '2'): Promise<{ cert: string; key: string }> {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  await run('openssl', [
    ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
    ...['-keyout', key, '-out', cert, '-days', days, '-subj', '/CN=localhost'],
  ]);
  return { cert, key };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'idnode-https-config-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('http section: IDNODE_TLS_CERT and IDNODE_TLS_KEY', () => {
  it('neither: plain HTTP', () => {
    expect(readSection(httpSection, {})).toMatchObject({ value: { tls: undefined }, problems: [] });
  });

  it('both: the paths, made absolute', () => {
    const { value, problems } = readSection(httpSection, { IDNODE_TLS_CERT: 'tls/a.crt', IDNODE_TLS_KEY: 'tls/a.key' });
    expect(problems).toEqual([]);
    expect(value.tls).toEqual({ cert: resolve('tls/a.crt'), key: resolve('tls/a.key') });
  });

  it.each([
    [
      { IDNODE_TLS_CERT: 'a.crt' },
      'IDNODE_TLS_KEY is required when IDNODE_TLS_CERT is set: HTTPS needs the certificate and its key',
    ],
    [
      { IDNODE_TLS_KEY: 'a.key' },
      'IDNODE_TLS_CERT is required when IDNODE_TLS_KEY is set: HTTPS needs the certificate and its key',
    ],
  ])('one without the other is refused: %j', (env, line) => {
    expect(readSection(httpSection, env).problems).toEqual([line]);
  });
});

describe('the certificate and key, read at startup', () => {
  it('a matching pair is read', async () => {
    const files = await selfSigned('ok');
    const problems = new Problems();
    const material = await readHttpsMaterial(files, problems);
    expect(problems.list).toEqual([]);
    expect(material?.cert.toString()).toContain('BEGIN CERTIFICATE');
  });

  it('a missing file, a file that is no PEM, a key of another certificate: each named', async () => {
    const a = await selfSigned('a');
    const b = await selfSigned('b');
    const garbage = join(dir, 'garbage.pem');
    await writeFile(garbage, 'not a certificate');
    const lines = async (files: { cert: string; key: string }) => {
      const problems = new Problems();
      await readHttpsMaterial(files, problems);
      return problems.list.map(formatProblem);
    };
    expect(await lines({ cert: join(dir, 'nope.crt'), key: a.key })).toEqual([
      `IDNODE_TLS_CERT must name a readable file (${join(dir, 'nope.crt')}: no such file)`,
    ]);
    expect((await lines({ cert: garbage, key: a.key }))[0]).toMatch(/^IDNODE_TLS_CERT must hold a PEM certificate/);
    expect((await lines({ cert: a.cert, key: garbage }))[0]).toMatch(/^IDNODE_TLS_KEY must hold a PEM private key/);
    expect(await lines({ cert: a.cert, key: b.key })).toEqual([
      `IDNODE_TLS_KEY must be the key of the certificate in IDNODE_TLS_CERT (${b.key} is another key)`,
    ]);
  });
});
