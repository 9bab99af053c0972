import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCerts } from '../../src/federation/certs-command.ts';
import { channelOptions } from '../../src/federation/peer-client.ts';
import { RegistryClient, type RegistryClientType } from '../../../proto/load.ts';
import { spawnNode, type NodeProcess } from '../helpers/spawn-node.ts';

/**
 * mTLS between nodes against a real top-level process: a certificate only acts for its own node
 * id, and an expired certificate or one from another CA never gets past the TLS handshake.
 */

let dir: string;
let top: NodeProcess;
let address: string;

async function clientFor(tlsDir: string, opts: Record<string, string | number> = {}): Promise<RegistryClientType> {
  const [ca, key, cert] = await Promise.all(['ca.crt', 'node.key', 'node.crt'].map((f) => readFile(join(tlsDir, f))));
  return new RegistryClient(address, credentials.createSsl(ca, key, cert), {
    ...channelOptions(undefined),
    ...opts,
  });
}

type Call<Req, Res> = (
  req: Req,
  opts: { deadline: number },
  cb: (err: ServiceError | null, res?: Res) => void,
) => unknown;

function call<Req, Res>(fn: Call<Req, Res>, req: Req): Promise<{ err: ServiceError | null; res?: Res }> {
  return new Promise((resolve) => {
    fn(req, { deadline: Date.now() + 5_000 }, (err, res) => resolve({ err, res }));
  });
}

const register = (c: RegistryClientType, nodeId: string, prefixes: string[] = []) =>
  call(
    c.RegisterNode.bind(c) as Call<unknown, { accepted: boolean; claims: { prefix: string; confirmed: boolean }[] }>,
    {
      node: { nodeId, role: 'NODE_ROLE_SECONDARY', grpcAddress: '127.0.0.1:1' },
      claimedPrefixes: prefixes,
    },
  );

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'idnode-mtls-'));
  await generateCerts({ out: join(dir, 'certs'), nodes: ['top', 'secA', 'secB'] });
  await generateCerts({ out: join(dir, 'certs'), nodes: ['old'], expired: true, reuseCa: true });
  await generateCerts({ out: join(dir, 'rogue-ca'), nodes: ['secA'] });
  top = await spawnNode(
    {
      IDNODE_DATA_DIR: join(dir, 'top'),
      IDNODE_ROLE: 'top-level',
      IDNODE_PREFIXES: '88',
      IDNODE_TLS_DIR: join(dir, 'certs', 'top'),
      IDNODE_DELEGATIONS: '88.100=secA,88.200=secB',
      IDNODE_LOG_LEVEL: 'warn',
      IDNODE_DRAIN_DELAY_MS: '0',
    },
    20_000,
    { grpc: true },
  );
  address = `127.0.0.1:${top.grpcPort}`;
}, 60_000);

afterAll(async () => {
  await top?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('mTLS peer identity', () => {
  it('lets a node register itself and confirms only its planned prefix', async () => {
    const secA = await clientFor(join(dir, 'certs', 'secA'));
    const { err, res } = await register(secA, 'secA', ['88.100', '88.200']);
    expect(err).toBeNull();
    expect(res?.accepted).toBe(true);
    expect(res?.claims.map((c) => [c.prefix, c.confirmed])).toEqual([
      ['88.100', true],
      ['88.200', false],
    ]);
    secA.close();
  });

  it('refuses a certificate acting for another node id, and a delegation not planned for it', async () => {
    const secB = await clientFor(join(dir, 'certs', 'secB'));
    const asOther = await register(secB, 'secA', ['88.100']);
    expect(asOther.err?.code).toBe(status.PERMISSION_DENIED);
    expect(asOther.err?.details).toContain('IDN_ERR_NOT_AUTHORIZED');
    const steal = await call(secB.RequestDelegation.bind(secB) as Call<unknown, unknown>, {
      prefix: '88.100',
      nodeId: 'secB',
    });
    expect(steal.err?.code).toBe(status.PERMISSION_DENIED);
    const beat = await call(secB.Heartbeat.bind(secB) as Call<unknown, unknown>, { nodeId: 'secA' });
    expect(beat.err?.code).toBe(status.PERMISSION_DENIED);
    secB.close();
  });

  it('refuses an expired certificate in the handshake', async () => {
    const old = await clientFor(join(dir, 'certs', 'old'));
    const { err } = await register(old, 'old');
    expect(err?.code).toBe(status.UNAVAILABLE);
    old.close();
  });

  it('refuses a certificate from an unknown CA (and a client that does not trust ours refuses the server)', async () => {
    const rogue = await clientFor(join(dir, 'rogue-ca', 'secA'));
    const { err } = await register(rogue, 'secA');
    expect(err?.code).toBe(status.UNAVAILABLE);
    rogue.close();
  });

  it('a client expecting one node id refuses a server whose certificate names another', async () => {
    const secA = await clientFor(join(dir, 'certs', 'secA'), { 'grpc.ssl_target_name_override': 'secB' });
    const { err } = await register(secA, 'secA');
    expect(err?.code).toBe(status.UNAVAILABLE);
    secA.close();
  });
});
