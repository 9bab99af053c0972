import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialVerifier } from '../../src/access/credential.ts';
import { trustedIssuersFrom } from '../../src/access/trusted-issuers.ts';
import { issueToken, verifyToken } from '../../src/auth/bearer-token.ts';
import { WallClock } from '../../src/auth/clock.ts';
import { SessionStore } from '../../src/auth/sessions/session-store.ts';
import { generateCerts } from '../../src/federation/certs-command.ts';
import { NodeHealthTracker } from '../../src/federation/node-health.ts';
import { waitUntil } from '../helpers/redis-server.ts';
import { spawnNode, type NodeProcess } from '../helpers/spawn-node.ts';
import { basicAuth } from '../helpers/test-node.ts';

/**
 * Wall-clock steps forward and back (issue 13 item 8): in-process with injected clocks, and a
 * real node under libfaketime (Debian's faketime) whose clock the test steps through a timestamp
 * file while monotonic time runs on. Durations (cache TTLs, sessions, heartbeat age) run on the
 * monotonic clock; token and credential expiry on a wall clock that never runs back.
 */

const HOUR = 3_600_000;

/** A wall clock the test steps, a monotonic clock it advances. */
function steppedClock() {
  let wall = Date.UTC(2026, 11, 1, 12);
  let mono = 1000;
  return {
    clock: new WallClock(
      () => wall,
      () => mono,
    ),
    step: (ms: number) => void (wall += ms),
    pass: (ms: number) => {
      wall += ms;
      mono += ms;
    },
  };
}

describe('the wall clock for expiry', () => {
  it('follows a step forward, and after a step back keeps counting from where it was', () => {
    const t = steppedClock();
    const start = t.clock.nowMs();
    t.step(HOUR);
    expect(t.clock.nowMs()).toBe(start + HOUR);
    t.step(-2 * HOUR);
    expect(t.clock.nowMs()).toBe(start + HOUR);
    t.pass(5000);
    expect(t.clock.nowMs()).toBe(start + HOUR + 5000);
  });

  it('a step back never makes an expired bearer token valid again', () => {
    const t = steppedClock();
    const key = Buffer.alloc(32, 3);
    const exp = Math.floor(t.clock.nowSeconds()) + 60;
    const token = issueToken(key, { sub: '300:88.100.5/ADMIN', kv: 1, perm: 1, exp });
    expect(verifyToken(key, token, t.clock.nowSeconds())).toBeDefined();
    t.pass(120_000);
    expect(verifyToken(key, token, t.clock.nowSeconds())).toBeUndefined();
    t.step(-HOUR);
    expect(verifyToken(key, token, t.clock.nowSeconds())).toBeUndefined();
  });

  it('a step back never makes an expired passport credential valid again (cached or not)', async () => {
    const t = steppedClock();
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const iss = 'https://recyclers.example';
    const trust = trustedIssuersFrom({
      issuers: [
        {
          iss,
          jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1' }] },
          allowedRoles: ['legitimate-interest'],
        },
      ],
    });
    const verifier = new CredentialVerifier(trust, 100, t.clock);
    const nowS = Math.floor(t.clock.nowSeconds());
    const jwt = await new SignJWT({ role: 'legitimate-interest', purpose: 'recycling' })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(iss)
      .setSubject('recycler-1')
      .setIssuedAt(nowS)
      .setExpirationTime(nowS + 300)
      .sign(privateKey);
    await expect(verifier.verify(jwt)).resolves.toMatchObject({ subject: 'recycler-1' });
    t.pass(10 * 60_000);
    await expect(verifier.verify(jwt)).rejects.toThrow(/expired/i);
    t.step(-HOUR);
    await expect(verifier.verify(jwt)).rejects.toThrow(/expired/i);
  });

  it('sessions and heartbeat freshness run on the monotonic clock', () => {
    let mono = 0;
    const sessions = new SessionStore({ ttlMs: 60_000, max: 10 }, () => mono);
    const s = sessions.open();
    mono += 1000;
    expect(() => sessions.use(s.id)).not.toThrow();
    mono += 200_000;
    expect(() => sessions.use(s.id)).toThrow();
    // The tracker has no injected clock: its freshness is performance.now, which no wall step moves.
    const health = new NodeHealthTracker(1);
    health.report('secA', 'HEALTH_STATE_SERVING');
    expect(health.takeoverActive('secA')).toBe(false);
  });
});

const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';

describe('a real node whose wall clock steps (libfaketime)', () => {
  const SECRET = 'clock-secret-0123456789';
  let dir = '';
  let offset = '';
  let node: NodeProcess | undefined;
  const setOffset = (o: string): Promise<void> => writeFile(offset, `${o}\n`);

  beforeAll(async () => {
    if (!existsSync(LIBFAKETIME)) return;
    dir = await mkdtemp(join(tmpdir(), 'idnode-clock-'));
    offset = join(dir, 'faketime-offset');
    await setOffset('+0');
    node = await spawnNode(
      {
        IDNODE_DATA_DIR: join(dir, 'data'),
        IDNODE_ADMIN_SECRET: SECRET,
        IDNODE_LOG_LEVEL: 'warn',
        LD_PRELOAD: LIBFAKETIME,
        FAKETIME_TIMESTAMP_FILE: offset,
        FAKETIME_NO_CACHE: '1',
        // Only the wall clock steps; timers and performance.now run on.
        FAKETIME_DONT_FAKE_MONOTONIC: '1',
      },
      60_000,
    );
  }, 90_000);
  afterAll(async () => {
    await node?.stop();
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('keeps cached answers for their TTL and expired tokens expired across steps', async (t) => {
    if (node === undefined) return t.skip(`faketime is not installed (${LIBFAKETIME}): apt-get install -y faketime`);
    const auth = basicAuth('300:88.100.5/ADMIN', SECRET);
    const put = await fetch(`${node.url}/api/handles/88.100.5/CLOCK-1`, {
      method: 'PUT',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ values: [{ index: 1, type: 'URL', data: 'https://p.example/clock' }] }),
    });
    expect(put.status).toBe(201);
    const source = async (): Promise<string | null> =>
      (await fetch(`${node!.url}/api/handles/88.100.5/CLOCK-1`)).headers.get('x-idnode-source');
    await source();
    expect(await source()).toBe('cache');

    const issued = await fetch(`${node.url}/api/tokens`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ ttlSeconds: 60 }),
    });
    expect(issued.status).toBe(201);
    const { token } = (await issued.json()) as { token: string };
    const useToken = async (): Promise<number> =>
      (
        await fetch(`${node!.url}/api/handles/88.100.5/CLOCK-TOKEN`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ values: [{ index: 1, type: 'URL', data: 'https://p.example/t' }] }),
        })
      ).status;
    expect(await useToken()).toBeLessThan(300);

    await setOffset('+2h');
    // A wall step is no time passing for a cache TTL.
    expect(await source()).toBe('cache');
    expect(await useToken()).toBe(401);
    await setOffset('+0');
    // Back by two hours: the token, expired a moment ago, stays expired.
    expect(await useToken()).toBe(401);
    expect(await source()).toBe('cache');
  }, 60_000);
});

describe('heartbeat takeover on a top-level node whose wall clock steps (libfaketime)', () => {
  const SECRET = 'clock-fed-secret-0123456789';
  let dir = '';
  const procs: NodeProcess[] = [];
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('a step forward starts no takeover, a step back does not hide a silent node', async (t) => {
    if (!existsSync(LIBFAKETIME))
      return t.skip(`faketime is not installed (${LIBFAKETIME}): apt-get install -y faketime`);
    dir = await mkdtemp(join(tmpdir(), 'idnode-clock-fed-'));
    const offset = join(dir, 'faketime-offset');
    await writeFile(offset, '+0\n');
    const certs = join(dir, 'certs');
    await generateCerts({ out: certs, nodes: ['top', 'secA'] });
    const common = { IDNODE_ADMIN_SECRET: SECRET, IDNODE_LOG_LEVEL: 'warn', IDNODE_HEARTBEAT_S: '1' };
    const top = await spawnNode(
      {
        ...common,
        IDNODE_DATA_DIR: join(dir, 'top'),
        IDNODE_ROLE: 'top-level',
        IDNODE_PREFIXES: '88',
        IDNODE_TLS_DIR: join(certs, 'top'),
        IDNODE_DELEGATIONS: '88.100=secA',
        LD_PRELOAD: LIBFAKETIME,
        FAKETIME_TIMESTAMP_FILE: offset,
        FAKETIME_NO_CACHE: '1',
        FAKETIME_DONT_FAKE_MONOTONIC: '1',
      },
      60_000,
      { grpc: true },
    );
    procs.push(top);
    const sec = await spawnNode(
      {
        ...common,
        IDNODE_DATA_DIR: join(dir, 'secA'),
        IDNODE_ROLE: 'secondary',
        IDNODE_PREFIXES: '88.100,88.100.5',
        IDNODE_UPSTREAM: `127.0.0.1:${top.grpcPort}`,
        IDNODE_TLS_DIR: join(certs, 'secA'),
      },
      60_000,
      { grpc: true },
    );
    procs.push(sec);
    const auth = basicAuth('300:88/ADMIN', SECRET);
    const takeover = async (): Promise<boolean | undefined> => {
      const body = (await (await fetch(`${top.url}/api/admin/nodes`, { headers: { authorization: auth } })).json()) as {
        nodes: { nodeId: string; takeover: boolean; heartbeat: unknown }[];
      };
      const n = body.nodes.find((x) => x.nodeId.toLowerCase() === 'seca');
      return n?.heartbeat === null ? undefined : n?.takeover;
    };
    await waitUntil('a first heartbeat of secA', 30_000, async () => (await takeover()) === false);

    await writeFile(offset, '+1h\n');
    expect(await takeover()).toBe(false);
    await writeFile(offset, '-1h\n');
    expect(await takeover()).toBe(false);
    // Two hours back from the last heartbeat's wall time, the node goes silent: takeover all the same.
    await sec.stop('SIGKILL');
    await waitUntil('the takeover of silent secA', 30_000, async () => (await takeover()) === true);
  }, 180_000);
});
