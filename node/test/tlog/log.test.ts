import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HandleValue } from '../../src/records/types.ts';
import type { ChangeEntry, StoreOp } from '../../src/store/store.ts';
import { sized } from '../helpers/scale.ts';
import { putRecord, startTestNode, urlValue, type TestNode } from '../helpers/test-node.ts';
import { expectedLeaf, digestOfValue } from './verifier/leaf.ts';
import { checkConsistency, checkInclusion, consistency, hashLeaf, mth, sha256 } from './verifier/merkle.ts';
import { readCheckpoint, readVkey, requireSignature, splitNote, type Cp } from './verifier/note.ts';
import { entries, leafHashes } from './verifier/tiles.ts';

// 100,000 changes under test:full; the default suite keeps ragged edges at several tile levels.
const CHANGES = sized(3_000, 100_000);
const IDS = sized(150, 5_000);
const SAMPLE = 12;
// At full size the checks fetch every tile and bundle and hash 100,000 leaves: minutes under load.
const LONG = sized(60_000, 900_000);
const META = { actor: 'tlog-test' };

const value = (i: number): HandleValue => ({
  index: 1,
  type: 'URL',
  data: { format: 'string', value: `https://example.com/p/${i}` },
  ttl: 86400,
  timestamp: new Date(1_700_000_000_000 + i * 1000).toISOString(),
  access: i % 3 === 0 ? 'legitimate-interest' : 'public',
});

let node: TestNode;
const published: { note: string; cp: Cp }[] = [];

async function checkpoint(): Promise<{ note: string; cp: Cp }> {
  const res = await fetch(`${node.url}/log/checkpoint`);
  expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  const note = await res.text();
  return { note, cp: readCheckpoint(splitNote(note).text) };
}

beforeAll(async () => {
  node = await startTestNode(['88.100.5'], { tlog: {} });
  const log = node.ctx.tlog!;
  // Writes in batches straight into the store (as an import does); the log catches up afterwards.
  for (let done = 0; done < CHANGES;) {
    const ops: StoreOp[] = [];
    for (let j = 0; j < 500 && done < CHANGES; j++, done++) {
      const handle = `88.100.5/T-${done % IDS}`;
      ops.push({ op: 'put', key: handle.toLowerCase(), input: { handle, values: [value(done)] }, cond: undefined });
    }
    await node.store.commit(ops, META);
    if (published.length < 6 && done % 1000 < 500) {
      await log.caughtUp();
      log.publish();
      published.push(await checkpoint());
    }
  }
  await log.caughtUp();
  log.publish();
  published.push(await checkpoint());
}, 600_000);
afterAll(() => node.close());

describe('the transparency log over the change log (independent verifier)', () => {
  it(
    'signs every checkpoint with the key it publishes; the tree holds every change',
    async () => {
      const vkey = readVkey((await (await fetch(`${node.url}/log/vkey`)).text()).trim());
      for (const { note } of published)
        expect(readCheckpoint(requireSignature(note, vkey)).origin).toBe('idnode.test/log');
      expect(published.at(-1)!.cp.size).toBe(await node.store.lastSeq());
    },
    LONG,
  );

  it(
    'serves tiles and bundles that rebuild the signed root, entry for entry the change log',
    async () => {
      const { cp } = published.at(-1)!;
      const leaves = await leafHashes(node.url, cp.size);
      expect(mth(leaves).equals(cp.root)).toBe(true);
      const log: ChangeEntry[] = [];
      while (log.length < cp.size)
        log.push(...(await node.store.changesSince(log.length, Math.min(10_000, cp.size - log.length))));
      for (let n = 0; n * 256 < cp.size; n++) {
        const bundle = await entries(node.url, n, Math.min(256, cp.size - n * 256));
        bundle.forEach((e, i) => {
          const at = n * 256 + i;
          expect(hashLeaf(e).equals(leaves[at]!)).toBe(true);
          expect(e.equals(expectedLeaf(log[at] as never))).toBe(true);
        });
      }
    },
    LONG,
  );

  it(
    'proves every version of a sample of identifiers against the latest checkpoint',
    async () => {
      const vkey = readVkey((await (await fetch(`${node.url}/log/vkey`)).text()).trim());
      for (let s = 0; s < SAMPLE; s++) {
        const handle = `88.100.5/T-${Math.floor((s * IDS) / SAMPLE)}`;
        const versions = (await node.store.get(handle.toLowerCase()))!.version;
        for (let version = 1; version <= versions; version++) {
          const res = await fetch(`${node.url}/log/proof/${handle}?version=${version}`);
          const p = (await res.json()) as {
            index: number;
            leaf: string;
            inclusion: string[];
            checkpoint: string;
            valueDigests: string[];
          };
          const cp = readCheckpoint(requireSignature(p.checkpoint, vkey));
          const leaf = Buffer.from(p.leaf, 'base64');
          const fields = JSON.parse(leaf.toString()) as { id: string; version: number; values: string };
          expect([fields.id, fields.version]).toEqual([handle, version]);
          expect(sha256(...p.valueDigests.map((d) => Buffer.from(d, 'base64'))).toString('base64')).toBe(fields.values);
          const path = p.inclusion.map((h) => Buffer.from(h, 'base64'));
          expect(checkInclusion(p.index, cp.size, hashLeaf(leaf), path, cp.root), `${handle} v${version}`).toBe(true);
        }
      }
    },
    LONG,
  );

  it(
    'finds every pair of published checkpoints consistent (proofs from tiles and from the server)',
    async () => {
      const last = published.at(-1)!.cp;
      const leaves = await leafHashes(node.url, last.size);
      for (const [i, a] of published.entries()) {
        for (const b of published.slice(i + 1)) {
          const proof = consistency(a.cp.size, leaves.slice(0, b.cp.size));
          expect(checkConsistency(a.cp.size, b.cp.size, a.cp.root, b.cp.root, proof)).toBe(true);
          const served = node.ctx.tlog!.tree.consistency(a.cp.size, b.cp.size);
          expect(checkConsistency(a.cp.size, b.cp.size, a.cp.root, b.cp.root, served)).toBe(true);
        }
      }
    },
    LONG,
  );

  it(
    'answers ?proof=true with the tlog-proof of the version served; its values check against the leaf',
    async () => {
      const handle = '88.100.5/PROOF-1';
      // A pooled connection idle through the long checks above may be closed under the next request:
      // spend it on an idempotent GET (retried), not on the PUT.
      await fetch(`${node.url}/livez`).catch(() => fetch(`${node.url}/livez`));
      expect(
        (await putRecord(node.url, handle, [urlValue(1, 'https://example.com/a')], node.adminAuth('88.100.5'))).status,
      ).toBe(201);
      const res = await fetch(`${node.url}/api/handles/${handle}?proof=true`);
      const body = (await res.json()) as { values: Parameters<typeof digestOfValue>[0][] };
      const text = Buffer.from(res.headers.get('idnode-tlog-proof') ?? '', 'base64').toString();
      const [magic, extraLine, indexLine, ...rest] = text.split('\n');
      expect(magic).toBe('c2sp.org/tlog-proof@v1');
      const blank = rest.indexOf('');
      const path = rest.slice(0, blank).map((h) => Buffer.from(h, 'base64'));
      const cp = readCheckpoint(splitNote(rest.slice(blank + 1).join('\n')).text);
      const extra = JSON.parse(Buffer.from(extraLine!.slice(6), 'base64').toString()) as {
        leaf: string;
        valueDigests: string[];
      };
      const leaf = Buffer.from(extra.leaf, 'base64');
      expect(checkInclusion(Number(indexLine!.slice(6)), cp.size, hashLeaf(leaf), path, cp.root)).toBe(true);
      for (const v of body.values) expect(extra.valueDigests).toContain(digestOfValue(v).toString('base64'));
    },
    LONG,
  );

  it('names the fix for a bad tile path and a tile beyond the tree', async () => {
    const bad = await fetch(`${node.url}/log/tile/0/5`);
    expect([bad.status, ((await bad.json()) as { code: string }).code]).toEqual([400, 'IDN_ERR_TLOG_BAD_PATH']);
    const far = await fetch(`${node.url}/log/tile/0/x999/000`);
    expect([far.status, ((await far.json()) as { code: string }).code]).toEqual([404, 'IDN_ERR_TLOG_TILE_NOT_FOUND']);
    const full = await fetch(`${node.url}/log/tile/0/000`);
    expect(full.headers.get('cache-control')).toContain('immutable');
    expect(full.headers.get('content-type')).toBe('application/octet-stream');
  });
});

describe("Go's golang.org/x/mod sumdb/note and sumdb/tlog (when go and x/mod are installed)", () => {
  const gopath = '/usr/share/gocode';
  const haveGo =
    spawnSync('go', ['version']).status === 0 && existsSync(join(gopath, 'src/golang.org/x/mod/sumdb/tlog'));
  it.skipIf(!haveGo)(
    'verify the checkpoint, the root from every entry, sample inclusions, every consistency',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'idnode-go-'));
      const files = published.slice(0, -1).map(({ note }, i) => {
        const f = join(dir, `cp-${i}`);
        writeFileSync(f, note);
        return f;
      });
      const vkey = (await (await fetch(`${node.url}/log/vkey`)).text()).trim();
      const checker = join(import.meta.dirname, 'go-checker/checker.go');
      const env = { ...process.env, GO111MODULE: 'off', GOPATH: gopath, GOCACHE: join(dir, 'cache'), GOFLAGS: '' };
      const out = await new Promise<string>((resolve) => {
        const child = spawn('go', ['run', checker, node.url, vkey, ...files], { env });
        let text = '';
        child.stdout.on('data', (d: Buffer) => (text += d.toString()));
        child.stderr.on('data', (d: Buffer) => (text += d.toString()));
        child.on('close', () => resolve(text));
      });
      rmSync(dir, { recursive: true, force: true });
      // The live checkpoint: later tests may have added changes since the last one collected.
      expect(out.trim()).toMatch(/^ok \d+$/);
      expect(Number(out.trim().slice(3))).toBeGreaterThanOrEqual(published.at(-1)!.cp.size);
    },
    300_000,
  );
  if (!haveGo)
    it('is skipped: install golang-go and golang-golang-x-mod-dev (Debian) to run the Go checker', () => undefined);
});
