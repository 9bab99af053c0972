import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnNode, type NodeProcess } from '../helpers/spawn-node.ts';
import { basicAuth, putRecord, urlValue } from '../helpers/test-node.ts';

/** The access log as an operator reads it: one JSON line per logged request, prefix but never the suffix. */

const SECRET = 'access-log-secret-12';
const nodes: NodeProcess[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const n of nodes) await n.stop('SIGKILL');
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function start(sample: string): Promise<NodeProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'idnode-access-'));
  dirs.push(dir);
  const n = await spawnNode({ IDNODE_DATA_DIR: dir, IDNODE_ADMIN_SECRET: SECRET, IDNODE_ACCESS_LOG_SAMPLE: sample });
  nodes.push(n);
  return n;
}

const accessLines = (n: NodeProcess): Record<string, unknown>[] =>
  n
    .output()
    .split('\n')
    .filter((l) => l.includes('"log":"access"'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** Log lines are written asynchronously: wait (bounded) until the expected one shows up. */
async function settle(
  n: NodeProcess,
  until: (l: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>[]> {
  for (let i = 0; i < 100 && !accessLines(n).some(until); i++) await new Promise((r) => setTimeout(r, 50));
  return accessLines(n);
}

describe('access log', () => {
  it('logs prefix, status, Handle code, source and latency, and never the suffix', async () => {
    const n = await start('1');
    await putRecord(
      n.url,
      '88.100.5/SECRET-SERIAL-42',
      [urlValue(1, 'https://p.example/x')],
      basicAuth('300:88.100.5/ADMIN', SECRET),
    );
    await fetch(`${n.url}/api/handles/88.100.5/SECRET-SERIAL-42`);
    await fetch(`${n.url}/api/handles/88.100.5/UNKNOWN-SERIAL-7`);
    const lines = await settle(n, (l) => l.status === 404);
    const read = lines.find((l) => l.route === '/api/handles/*' && l.method === 'GET' && l.status === 200);
    expect(read).toMatchObject({ prefix: '88.100.5', rc: 1, source: 'store' });
    expect(typeof read?.ms).toBe('number');
    expect(
      lines.find((l) => l.status === 404),
      JSON.stringify(lines),
    ).toMatchObject({ rc: 100, code: 'IDN_ERR_NOT_FOUND', prefix: '88.100.5' });
    const all = JSON.stringify(lines);
    expect(all).not.toContain('SECRET-SERIAL-42');
    expect(all).not.toContain('UNKNOWN-SERIAL-7');
  });

  it('marks QR-route errors like API errors: Handle code, IDN_ERR code and the source of the answer', async () => {
    const n = await start('0');
    await fetch(`${n.url}/88.100.5/NO-SUCH-LABEL`, { headers: { accept: 'text/html' } });
    await fetch(`${n.url}/88.100.5/a%20b`, { headers: { accept: 'text/html' } });
    const lines = await settle(n, (l) => l.route === '/*' && l.status === 400);
    expect(lines.find((l) => l.route === '/*' && l.status === 404)).toMatchObject({
      rc: 100,
      code: 'IDN_ERR_NOT_FOUND',
      prefix: '88.100.5',
      source: 'store',
    });
    expect(lines.find((l) => l.route === '/*' && l.status === 400)).toMatchObject({
      rc: 102,
      code: 'IDN_ERR_WHITESPACE',
      source: 'none',
    });
    expect(JSON.stringify(lines)).not.toContain('NO-SUCH-LABEL');
  });

  it('samples successes away at rate 0 but logs every error', async () => {
    const n = await start('0');
    for (let i = 0; i < 20; i++) await fetch(`${n.url}/api/handles/88.100.5/ADMIN`);
    await fetch(`${n.url}/api/handles/88.100.5/a%20b`);
    const lines = await settle(n, (l) => l.status === 400);
    expect(lines.filter((l) => l.status === 200)).toHaveLength(0);
    expect(lines.find((l) => l.status === 400)).toMatchObject({ code: 'IDN_ERR_WHITESPACE', rc: 102 });
  });

  it('samples a cached "not found" like a success: the first miss is logged, its cache hits are not', async () => {
    const n = await start('0');
    const url = `${n.url}/api/handles/88.100.5/NEVER-REGISTERED-1`;
    const first = await fetch(url);
    await first.arrayBuffer();
    const again = await fetch(url);
    await again.arrayBuffer();
    expect(again.headers.get('x-idnode-source')).toBe('cache');
    await fetch(`${n.url}/api/handles/88.100.5/a%20b`);
    const lines = await settle(n, (l) => l.status === 400);
    expect(lines.filter((l) => l.status === 404).map((l) => l.source)).toEqual(['store']);
  });

  it('writes every routine line or counts it: an unknown-identifier flood costs a counter, not a log write', async () => {
    const n = await start('1');
    const flood = 400;
    for (let i = 0; i < flood; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, j) =>
          fetch(`${n.url}/api/handles/88.100.5/FLOOD-${i + j}`).then((r) => r.arrayBuffer()),
        ),
      );
    }
    const metrics = await (await fetch(`${n.url}/metrics`)).text();
    const suppressed = Number(/^idnode_http_access_log_suppressed_total (\d+)/m.exec(metrics)?.[1] ?? 'NaN');
    const lines = await settle(n, (l) => l.route === '/metrics');
    const logged = lines.filter((l) => l.status === 404).length;
    // Bounded (the budget, not the flood, decides how many lines) and nothing lost silently.
    expect(logged + suppressed).toBe(flood);
  });
});
