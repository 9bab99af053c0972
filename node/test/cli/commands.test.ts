import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnNode, type NodeProcess } from '../helpers/spawn-node.ts';
import { ADMIN_SECRET, adminEnv, jsonLines, runCli, useCliNode } from './cli-helpers.ts';

/* The `idnode` command against a real node process: exit codes, writes, resolve --trace, cache, qr, backup. */

let dir: string;
let node: NodeProcess;
let env: Record<string, string>;

const cli = useCliNode('idnode-cli-');
beforeAll(() => void ({ dir, node, env } = cli));

describe('help and exit codes', () => {
  it('--help lists every command and the exit codes (0)', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const c of [
      'start',
      'resolve',
      'register',
      'delete',
      'import',
      'prefix',
      'qr',
      'cache',
      'backup',
      'restore',
      'keys',
      'certs',
    ])
      expect(r.stdout).toContain(c);
    expect(r.stdout).toContain('Exit codes: 0 ok');
  });

  it('usage errors exit 2: unknown command, missing argument, bad --url, both --url and --values', async () => {
    expect((await runCli(['bogus'])).code).toBe(2);
    expect((await runCli(['resolve'])).code).toBe(2);
    expect((await runCli(['resolve', '88.100.5/X', '--url', 'not a url'])).code).toBe(2);
    const both = await runCli(['register', '88.100.5/X', '--json'], { env });
    expect(both.code).toBe(2);
    expect(jsonLines(both)[0]).toMatchObject({ ok: false, exit: 2, code: 'CLI_ERR_REGISTER_VALUES' });
  });

  it('not found 3, auth 4 (none and wrong), unavailable 5', async () => {
    expect((await runCli(['resolve', '88.100.5/NOPE'], { env })).code).toBe(3);
    expect((await runCli(['cache', 'flush'], { env: { IDNODE_URL: node.url } })).code).toBe(4);
    const wrong = await runCli(['cache', 'flush', '--json'], {
      env: { ...env, IDNODE_SECRET: 'not-the-secret-at-all' },
    });
    expect(wrong.code).toBe(4);
    expect(jsonLines(wrong)[0]).toMatchObject({ code: 'IDN_ERR_AUTH_FAILED' });
    const down = await runCli(['resolve', '88.100.5/X', '--url', 'http://127.0.0.1:1', '--json']);
    expect(down.code).toBe(5);
    expect(jsonLines(down)[0]).toMatchObject({ code: 'CLI_ERR_UNREACHABLE' });
  });
});

describe('register, resolve --trace, delete', () => {
  it('registers with --url and with --values, then resolves', async () => {
    const a = await runCli(['register', '88.100.5/CLI-1', '--url', 'https://passport.example/cli-1', '--json'], {
      env,
    });
    expect(a.code).toBe(0);
    expect(jsonLines(a)[0]).toMatchObject({ ok: true, handle: '88.100.5/CLI-1', version: 1 });
    const file = join(dir, 'values.json');
    await writeFile(
      file,
      JSON.stringify({ values: [{ index: 1, type: 'URL', data: 'https://passport.example/cli-2' }] }),
    );
    expect((await runCli(['register', '88.100.5/CLI-2', '--values', file], { env })).code).toBe(0);
    const r = await runCli(['resolve', '88.100.5/CLI-2', '--json'], { env });
    expect(r.code).toBe(0);
    expect(jsonLines(r)[0]).toMatchObject({ handle: '88.100.5/CLI-2', status: 200 });
  });

  it('--trace shows the stages: a miss runs cache -> authority -> store, a hit answers from the cache', async () => {
    await runCli(['register', '88.100.5/CLI-T', '--url', 'https://passport.example/t'], { env });
    const miss = jsonLines(await runCli(['resolve', '88.100.5/CLI-T', '--trace', '--json'], { env }))[0]!;
    const stages = (miss.trace as { stage: string; outcome: string; ms: number }[]).map((s) => s.stage);
    expect(stages[0]).toBe('cache');
    expect(stages).toContain('authority');
    expect(stages.at(-1)).toBe('store');
    for (const s of miss.trace as { outcome: string; ms: number }[]) {
      expect(s.outcome).toBe('found:store');
      expect(s.ms).toBeGreaterThanOrEqual(0);
    }
    const hit = jsonLines(await runCli(['resolve', '88.100.5/CLI-T', '--trace', '--json'], { env }))[0]!;
    expect(hit.trace).toEqual([expect.objectContaining({ stage: 'cache', outcome: 'found:cache', depth: 0 })]);
    const human = await runCli(['resolve', '88.100.5/CLI-T', '--trace'], { env });
    expect(human.stdout).toMatch(/trace:\n.*cache\s+found:cache\s+[0-9.]+ ms/);
  });

  it('a traced miss still exits 3 and shows where it was decided', async () => {
    const r = await runCli(['resolve', '88.100.5/CLI-MISSING', '--trace', '--json'], { env });
    expect(r.code).toBe(3);
    const body = jsonLines(r)[0]!;
    expect(body.code).toBe('IDN_ERR_NOT_FOUND');
    expect((body.trace as { stage: string }[]).at(-1)).toMatchObject({ stage: 'store', outcome: 'not-found:store' });
  });

  it('delete leaves a tombstone: resolve then exits 3 (not found, as Handle answers, marked deleted)', async () => {
    await runCli(['register', '88.100.5/CLI-D', '--url', 'https://passport.example/d'], { env });
    expect((await runCli(['delete', '88.100.5/CLI-D'], { env })).code).toBe(0);
    const r = await runCli(['resolve', '88.100.5/CLI-D', '--json'], { env });
    expect(r.code).toBe(3);
    expect(jsonLines(r)[0]).toMatchObject({ code: 'IDN_ERR_NOT_FOUND', detail: { deleted: true } });
    expect((await runCli(['delete', '88.100.5/CLI-NEVER'], { env })).code).toBe(3);
  });
});

describe('cache flush', () => {
  it('empties the cache: the next traced resolve runs to the store again', async () => {
    await runCli(['register', '88.100.5/CLI-C', '--url', 'https://passport.example/c'], { env });
    await runCli(['resolve', '88.100.5/CLI-C'], { env });
    const f = await runCli(['cache', 'flush', '--json'], { env });
    expect(f.code).toBe(0);
    expect((jsonLines(f)[0]!.flushed as number) >= 1).toBe(true);
    const after = jsonLines(await runCli(['resolve', '88.100.5/CLI-C', '--trace', '--json'], { env }))[0]!;
    expect((after.trace as { stage: string }[]).at(-1)).toMatchObject({ stage: 'store' });
  });
});

describe('qr', () => {
  it('writes a valid SVG and a valid PNG of the resolver URL', async () => {
    const svgFile = join(dir, 'label.svg');
    expect((await runCli(['qr', '88.100.5/CLI-1', '--out', svgFile], { env })).code).toBe(0);
    const svg = await readFile(svgFile, 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*viewBox=/);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    const pngFile = join(dir, 'label.png');
    expect(
      (await runCli(['qr', '88.100.5/CLI-1', '--format', 'png', '--size', '300', '--out', pngFile], { env })).code,
    ).toBe(0);
    const png = PNG.sync.read(await readFile(pngFile));
    expect(png.width).toBe(300);
    expect((await runCli(['qr', '88.100.5/CLI-1', '--format', 'gif'], { env })).code).toBe(2);
  });
});

describe('backup and restore', () => {
  it('backs up while the node runs, refuses to restore into a store in use, restores into a stopped one', async () => {
    await runCli(['register', '88.100.5/CLI-B', '--url', 'https://passport.example/b'], { env });
    const data = join(dir, 'data');
    const bk = join(dir, 'backup');
    const b = await runCli(['backup', bk, '--data-dir', data, '--json']);
    expect(b.code).toBe(0);
    expect((jsonLines(b)[0]!.records as number) >= 2).toBe(true);
    // The log's key goes with the store: a restored node keeps its log's identity (ADR 0012).
    expect(jsonLines(b)[0]!.files).toContain('tlog-key');
    const busy = await runCli(['restore', bk, '--data-dir', data, '--json']);
    expect(busy.code).toBe(1);
    expect(jsonLines(busy)[0]).toMatchObject({ code: 'CLI_ERR_STORE_IN_USE' });
    const fresh = join(dir, 'restored');
    const r = await runCli(['restore', bk, '--data-dir', fresh, '--json']);
    expect(r.code).toBe(0);
    const second = await spawnNode({
      IDNODE_DATA_DIR: fresh,
      IDNODE_ADMIN_SECRET: ADMIN_SECRET,
      IDNODE_LOG_LEVEL: 'warn',
    });
    try {
      const got = await runCli(['resolve', '88.100.5/CLI-B', '--json'], { env: adminEnv(second.url) });
      expect(got.code).toBe(0);
      // The public key (the vkey's last field): the origin, and so the key name, may follow the port.
      const vkey = async (url: string) => (await (await fetch(`${url}/log/vkey`)).text()).trim().split('+').at(-1);
      expect(await vkey(second.url)).toBe(await vkey(node.url));
    } finally {
      await second.stop();
    }
    expect((await runCli(['restore', join(dir, 'nothing-here'), '--data-dir', fresh])).code).toBe(2);
  });
});
