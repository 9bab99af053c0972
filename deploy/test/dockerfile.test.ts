import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_DIR, readDeployFile } from './helpers.ts';

/** Dockerfile instructions, continuation lines joined, comments dropped. */
function instructions(text: string): { op: string; args: string }[] {
  const joined = text.replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const [op = '', ...rest] = l.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

describe('deploy/Dockerfile', () => {
  const ins = instructions(readDeployFile('Dockerfile'));
  const args = (op: string) => ins.filter((i) => i.op === op).map((i) => i.args);
  const froms = args('FROM');
  const lastFrom = ins.findLastIndex((i) => i.op === 'FROM');
  const runtime = ins.slice(lastFrom);

  it('is multi-stage on a Node 24 slim base', () => {
    expect(froms.length).toBeGreaterThanOrEqual(2);
    const base = /^ARG NODE_IMAGE=(\S+)$/m.exec(readDeployFile('Dockerfile'))?.[1];
    expect(base).toMatch(/^node:24(-bookworm)?-slim$/);
    for (const f of froms) expect(f).toMatch(/^\$\{NODE_IMAGE\} AS [a-z]+$/);
    expect(runtime[0]?.args).toMatch(/AS runtime$/);
  });

  it('installs production dependencies only, in a separate stage', () => {
    const runs = args('RUN').join('\n');
    expect(runs).toMatch(/npm ci --omit=dev/);
    expect(
      runtime.some((i) => i.op === 'COPY' && i.args.includes('--from=deps') && i.args.includes('node_modules')),
    ).toBe(true);
  });

  it('copies the sources Node 24 runs directly (no build step), and they exist', () => {
    const copies = runtime.filter((i) => i.op === 'COPY').map((i) => i.args);
    for (const dir of ['node/', 'proto/', 'prefix-registry/']) {
      expect(copies.some((c) => c.split(' ').includes(dir))).toBe(true);
      expect(existsSync(join(REPO_DIR, dir))).toBe(true);
    }
    expect(copies.some((c) => c.includes('package.json') && c.includes('package-lock.json'))).toBe(true);
    expect(existsSync(join(REPO_DIR, 'node/src/main.ts'))).toBe(true);
  });

  it('runs as a non-root user with /data as the data volume', () => {
    const users = runtime.filter((i) => i.op === 'USER').map((i) => i.args);
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    expect(args('VOLUME').join(' ')).toContain('/data');
    const env = runtime
      .filter((i) => i.op === 'ENV')
      .map((i) => i.args)
      .join(' ');
    expect(env).toMatch(/IDNODE_HOST=0\.0\.0\.0/);
    expect(env).toMatch(/IDNODE_DATA_DIR=\/data/);
  });

  it('checks /livez with node (no curl), exposes HTTP and gRPC, starts start.ts (the heap sized to the cache, then main.ts)', () => {
    const hc = args('HEALTHCHECK').join(' ');
    expect(hc).toContain('/livez');
    expect(hc).toContain('"node"');
    expect(hc).not.toMatch(/curl|wget/);
    expect(args('EXPOSE').join(' ').split(/\s+/).sort()).toEqual(['50051', '8080']);
    expect(JSON.parse(args('CMD').at(-1) ?? 'null')).toEqual(['node', 'node/src/start.ts']);
  });
});

describe('.dockerignore', () => {
  const lines = readFileSync(join(REPO_DIR, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));

  it('leaves out local state and dependencies', () => {
    for (const p of ['node_modules', 'data', '.git', 'loadtest/results', 'coverage']) expect(lines).toContain(p);
  });

  it('keeps what the Dockerfile copies', () => {
    for (const p of ['node', 'proto', 'prefix-registry', 'package.json', 'package-lock.json']) {
      expect(lines.some((l) => l === p || l === `${p}/` || l === '*' || l === '**')).toBe(false);
    }
  });
});
