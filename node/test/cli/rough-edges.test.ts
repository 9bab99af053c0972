import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { freePort, NODE_BIN } from '../helpers/spawn-node.ts';
import { ADMIN_SECRET, CLI, jsonLines, runCli, useCliNode } from './cli-helpers.ts';

/* What a new user hit on the command line (issue 14), each as the user would notice it. */

const ROOT = join(import.meta.dirname, '..', '..', '..');
const SYSTEM_NODE = '/usr/bin/node';
const SYSTEM_PATH = '/usr/local/bin:/usr/bin:/bin';

let env: Record<string, string>;
const cli = useCliNode('idnode-rough-');
beforeAll(() => void ({ env } = cli));

/** The system Node's major version, or undefined when there is none (the launcher tests need one below 24). */
function systemNodeMajor(): number | undefined {
  if (!existsSync(SYSTEM_NODE)) return undefined;
  return Number(execFileSync(SYSTEM_NODE, ['-p', 'process.versions.node.split(".")[0]']).toString().trim());
}
const oldSystemNode = (systemNodeMajor() ?? 99) < 24;

describe('output to a reader that goes away', () => {
  it('`idnode prefix list ... | head -1`: a closed stdout ends the command quietly, no EPIPE stack trace', async () => {
    const child = spawn(NODE_BIN, [CLI, 'prefix', 'list', '88.100.5'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy(); // `head` read its line and left
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(stderr).not.toContain('EPIPE');
    expect(stderr).not.toContain('Unhandled');
    expect(code).toBe(0);
  });
});

describe('qr reads the identifier with the node parser', () => {
  it.each([
    ['88.100.5/bat x', 'IDN_ERR_WHITESPACE'],
    ['88.100.5/../x', 'IDN_ERR_DOT_SEGMENT'],
    ['88.100.5/bat%20x', 'IDN_ERR_SUFFIX_CHARACTER'],
  ])('refuses %s (exit 2, %s) instead of printing a label the node refuses', async (id, code) => {
    const r = await runCli(['qr', id, '--json'], { env });
    expect(r.code).toBe(2);
    expect(jsonLines(r)[0]).toMatchObject({ ok: false, exit: 2, code });
    expect(r.stdout).not.toContain('<svg');
  });

  it('encodes a good identifier once (NFC spelling, "/" kept between segments)', async () => {
    const out = join(cli.dir, 'ok.svg');
    const r = await runCli(['qr', '88.100.5/Bat/Ünï', '--out', out, '--json'], { env });
    expect(r.code).toBe(0);
    expect(jsonLines(r)[0]!.url).toBe(`${cli.node.url}/88.100.5/Bat/${encodeURIComponent('Ünï'.normalize('NFC'))}`);
  });
});

describe('import file formats', () => {
  it('a .txt file is refused with the fix (--format or a .csv/.ndjson name), not silently read as NDJSON', async () => {
    const file = join(cli.dir, 'items.txt');
    await writeFile(file, 'suffix,url\nTXT-1,https://passport.example/txt-1\n');
    const r = await runCli(['import', file, '--prefix', '88.100.5', '--json'], { env });
    expect(r.code).toBe(2);
    expect(jsonLines(r)[0]).toMatchObject({ ok: false, code: 'CLI_ERR_UNKNOWN_FORMAT' });
    expect(String(jsonLines(r)[0]!.message)).toContain('--format csv');
    const asCsv = await runCli(['import', file, '--prefix', '88.100.5', '--format', 'csv', '--json'], { env });
    expect(asCsv.code, asCsv.stdout).toBe(0);
    expect(jsonLines(asCsv).at(-1)).toMatchObject({ ok: true, imported: 1, failed: 0 });
  });
});

describe('--help everywhere', () => {
  it('`npm run credential -- --help` prints the usage (exit 0); an unknown flag is a usage error, not a stack trace', () => {
    const help = spawnSyncNode(['node/src/access/credential-command.ts', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('usage: npm run credential -- --role');
    const bad = spawnSyncNode(['node/src/access/credential-command.ts', '--bogus']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("credential: Unknown option '--bogus'");
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });

  it('`idnode start --help` prints the start usage, not a configuration error', async () => {
    const r = await runCli(['start', '--help'], { env: { IDNODE_ADMIN_SECRET: 'x' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: idnode start');
    expect(r.stdout + r.stderr).not.toMatch(/not an idnode flag|IDN_ERR_|CONFIG/);
  });
});

describe('resolve reports refusals like every other command', () => {
  it('a node error goes to stderr (stdout stays empty for pipes)', async () => {
    const r = await runCli(['resolve', '88.100.5/ROUGH-NONE'], { env });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('[IDN_ERR_NOT_FOUND]');
  });

  it('--json: the documented {"ok":false,"exit":N,"code","message"} form', async () => {
    const r = await runCli(['resolve', '88.100.5/ROUGH-NONE', '--json'], { env });
    expect(r.code).toBe(3);
    const body = jsonLines(r)[0]!;
    expect(body).toMatchObject({ ok: false, exit: 3, code: 'IDN_ERR_NOT_FOUND', status: 404 });
    expect(typeof body.message).toBe('string');
  });
});

describe('the launcher under the system Node', () => {
  it("`idnode` is on PATH after `npm ci` (node_modules/.bin/idnode is this package's launcher)", () => {
    const bin = join(ROOT, 'node_modules', '.bin', 'idnode');
    expect(existsSync(bin)).toBe(true);
    expect(realpathSync(bin)).toBe(realpathSync(CLI));
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    expect(pkg.devDependencies.idnode).toBe('file:');
  });

  it.runIf(oldSystemNode)('`npx idnode --version` under the system Node prints the version and no EBADENGINE', () => {
    const r = spawnSyncCommand('npx', ['idnode', '--version'], { PATH: SYSTEM_PATH });
    expect(r.stderr).not.toContain('EBADENGINE');
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it.runIf(oldSystemNode)('SIGKILL of the launcher PID stops the Node 24 process it started', async () => {
    const port = await freePort();
    const launcher = spawn(SYSTEM_NODE, [CLI, 'start'], {
      env: {
        PATH: SYSTEM_PATH,
        IDNODE_HOST: '127.0.0.1',
        IDNODE_HTTP_PORT: String(port),
        IDNODE_DATA_DIR: join(cli.dir, 'launched'),
        IDNODE_ADMIN_SECRET: ADMIN_SECRET,
        IDNODE_LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    });
    await until(async () => (await answers(port)) === true);
    const rerun = Number(
      execFileSync('pgrep', ['-P', String(launcher.pid)])
        .toString()
        .trim(),
    );
    try {
      launcher.kill('SIGKILL');
      // The re-run node noticed its launcher die and stopped: the port no longer answers.
      await until(async () => (await answers(port)) === false);
    } finally {
      killIfRunning(rerun); // finds a process only when the fix is broken
    }
  });
});

function spawnSyncNode(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSyncCommand(NODE_BIN, args, {});
}

function spawnSyncCommand(cmd: string, args: string[], extra: Record<string, string>) {
  const r = spawnSync(cmd, args, { cwd: ROOT, env: { ...process.env, ...extra }, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function killIfRunning(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* gone, as it should be */
  }
}

async function answers(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/livez`)).ok;
  } catch {
    return false;
  }
}

/** Polls until the condition holds; bounded so a broken fix fails instead of hanging. */
async function until(cond: () => Promise<boolean>, limitMs = 30_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
