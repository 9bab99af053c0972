import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthLimiter, type LimiterClock } from '../../src/auth/failure-limiter.ts';
import { basicAuth, TEST_SECRET } from '../helpers/test-node.ts';
import { startHandleNode, type HandleTestNode } from '../handle-protocol/handle-node.ts';

/**
 * Issue 13 item 5: one wrong-secret backoff on every path that checks a secret, shown by one table
 * of paths and one set of rules run over each. Real HTTP and real native-protocol TCP on 127.0.0.x
 * (Linux routes all of 127/8 to loopback, so 127.0.0.2 and up are other clients); the limiter's
 * clock is the test's, so "after the delay" is a clock move, not a sleep.
 */

type Result = 'ok' | 'failed' | 'backoff';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function http(from: string, method: string, url: string, headers: Record<string, string>, body?: string) {
  return new Promise<Answer>((resolve, reject) => {
    const req = request(url, { method, headers, localAddress: from }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

let now = 1_000_000;
const sleeps: number[] = [];
const clock: LimiterClock = {
  now: () => now,
  sleep: (ms) => {
    sleeps.push(ms);
    return Promise.resolve();
  },
};
const limiter = new AuthLimiter({ adminFailuresPerMinute: 12, trustLoopback: false }, clock);
let node: HandleTestNode;

/** One prefix per path, so the rules of one path never see another's failures. */
const PREFIXES = ['88.100.1', '88.100.2', '88.100.3', '88.100.4', '88.100.5'];

function classify(a: Answer): Result {
  if (a.status === 429) {
    expect(a.headers['retry-after']).toMatch(/^\d+$/);
    expect(a.body).toContain('IDN_ERR_AUTH_BACKOFF');
    return 'backoff';
  }
  return a.status < 300 ? 'ok' : 'failed';
}

/** Every path that checks an admin secret: how to try a secret for `prefix`'s admin from `from`. */
const PATHS: Record<
  string,
  { metric: string; attempt: (prefix: string, secret: string, from: string) => Promise<Result> }
> = {
  'HTTP Basic (auth=true read)': {
    metric: 'basic',
    attempt: async (p, secret, from) =>
      classify(
        await http(from, 'GET', `${node.url}/api/handles/${p}/ADMIN?auth=true`, {
          authorization: basicAuth(`300:${p}/ADMIN`, secret),
        }),
      ),
  },
  'POST /api/tokens (Basic)': {
    metric: 'basic',
    attempt: async (p, secret, from) =>
      classify(
        await http(
          from,
          'POST',
          `${node.url}/api/tokens`,
          { authorization: basicAuth(`300:${p}/ADMIN`, secret), 'content-type': 'application/json' },
          '{}',
        ),
      ),
  },
  'console login POST /api/session': {
    metric: 'basic',
    attempt: async (p, secret, from) =>
      classify(
        await http(
          from,
          'POST',
          `${node.url}/api/session`,
          { 'content-type': 'application/json' },
          JSON.stringify({ user: `300:${p}/ADMIN`, secret }),
        ),
      ),
  },
  'REST session (Authorization: Handle)': {
    metric: 'session',
    attempt: async (p, secret, from) => {
      const opened = await http(from, 'POST', `${node.url}/api/sessions`, {});
      const s = JSON.parse(opened.body) as { sessionId: string; nonce: string };
      const key = Buffer.from(secret);
      const cnonce = randomBytes(16);
      const nonce = Buffer.from(s.nonce, 'base64');
      const signature = createHash('sha256').update(key).update(nonce).update(cnonce).update(key).digest('base64');
      const fields = {
        sessionId: s.sessionId,
        id: encodeURIComponent(`300:${p}/ADMIN`),
        type: 'HS_SECKEY',
        alg: 'SHA256',
        cnonce: cnonce.toString('base64'),
        signature,
      };
      const header = `Handle ${Object.entries(fields)
        .map(([k, v]) => `${k}="${v}"`)
        .join(', ')}`;
      return classify(await http(from, 'PUT', `${node.url}/api/sessions/this`, { authorization: header }));
    },
  },
  'native protocol challenge-response (TCP)': {
    metric: 'native',
    attempt: async (p, secret, from) => {
      const handle = `${p}/N-${randomBytes(4).toString('hex')}`;
      const key = { handle: `${p}/ADMIN`, index: 300, secret };
      const a = await node.client({ udp: false, localAddress: from }).create(handle, [], key);
      if (a.rc === 1) return 'ok';
      // RC 3 (server busy) with the table's message: the backoff.
      return a.rc === 3 ? 'backoff' : 'failed';
    },
  },
};

beforeAll(async () => {
  node = await startHandleNode(PREFIXES, { authLimiter: limiter, audit: true });
});
afterAll(() => node.close());

const metricValue = async (name: string, labels: string): Promise<number> => {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? 0 : Number(line.split(' ').pop());
};

describe.each(Object.entries(PATHS).map(([name, path], i) => ({ name, path, prefix: PREFIXES[i] ?? '' })))(
  'wrong-secret backoff: $name',
  ({ path, prefix }) => {
    const A = '127.0.0.2';
    const B = '127.0.0.3';

    it('five wrong secrets are answered as wrong; the sixth attempt, even with the right secret, is refused', async () => {
      const before = await metricValue('idnode_auth_failures_total', `path="${path.metric}"`);
      for (let i = 0; i < 5; i++) expect(await path.attempt(prefix, `wrong-${i}`, A)).toBe('failed');
      expect(await path.attempt(prefix, TEST_SECRET, A)).toBe('backoff');
      expect(await metricValue('idnode_auth_failures_total', `path="${path.metric}"`)).toBe(before + 5);
    });

    it('the real admin from another address is not locked out by the guesser', async () => {
      expect(await path.attempt(prefix, TEST_SECRET, B)).toBe('ok');
    });

    it('after the delay the guessed address may try again', async () => {
      now += 1_001;
      expect(await path.attempt(prefix, TEST_SECRET, A)).toBe('ok');
    });

    it('spread over many addresses, guesses exhaust the admin budget: unknown addresses are queued, the known one is not', async () => {
      for (let i = 0; i < 14; i++) expect(await path.attempt(prefix, 'wrong', `127.0.1.${i + 1}`)).toBe('failed');
      const queued = sleeps.length;
      expect(await path.attempt(prefix, 'wrong', '127.0.2.1')).toBe('failed');
      expect(sleeps.length).toBe(queued + 1);
      expect(await path.attempt(prefix, TEST_SECRET, B)).toBe('ok');
      expect(sleeps.length).toBe(queued + 1);
      now += 60_000;
    });
  },
);

describe('what the backoff leaves behind', () => {
  it('audit lines name the admin and the address, never the secret; the refusals are counted', async () => {
    await node.ctx.audit.flush();
    const text = await readFile(join(node.dataDir, 'audit', 'auth.log'), 'utf8');
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const p of PREFIXES) {
      expect(lines.some((l) => l.event === 'client-backoff' && l.admin === `300:${p}/ADMIN`)).toBe(true);
      expect(lines.some((l) => l.event === 'admin-budget-spent' && l.admin === `300:${p}/ADMIN`)).toBe(true);
    }
    expect(text).not.toContain(TEST_SECRET);
    expect(text).not.toContain('wrong-');
    for (const m of ['basic', 'session', 'native']) {
      expect(
        await metricValue('idnode_auth_backoff_total', `path="${m}",rule="client",action="refused"`),
      ).toBeGreaterThan(0);
    }
  });
});
