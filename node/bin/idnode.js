#!/usr/bin/env node
// The `idnode` command. npm's bin shim runs this with whatever `node` is first on PATH, which may
// be an older system Node; the CLI is TypeScript that only Node >= 24 runs natively. So: on an
// older Node, re-run this same file with the Node 24 pinned in the package (the `node` dev
// dependency), or stop with a clear message. Plain JavaScript on purpose: it must load anywhere.
/* global process */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const MIN_MAJOR = 24;
const self = fileURLToPath(import.meta.url);
const root = join(dirname(self), '..', '..');
const major = Number(process.versions.node.split('.')[0]);

function pinnedNode() {
  const candidates = [join(root, 'node_modules', 'node', 'bin', 'node'), join(root, 'node_modules', '.bin', 'node')];
  return candidates.find((p) => existsSync(p));
}

function reexec() {
  const node = pinnedNode();
  // The guard stops a loop should the pinned binary itself be older than 24.
  if (node === undefined || process.env.IDNODE_LAUNCHER_REEXEC === '1') {
    process.stderr.write(
      `idnode: needs Node ${MIN_MAJOR} or newer (this is ${process.version}) and found no pinned Node ${MIN_MAJOR} ` +
        `under ${join(root, 'node_modules')}: run \`npm ci\` in ${root}, or put Node ${MIN_MAJOR} on PATH.\n`,
    );
    process.exit(2);
  }
  // The IPC channel is how the child notices this launcher die, even by SIGKILL (which nobody can
  // forward): the kernel closes the channel and the child gets 'disconnect' (see stopWithLauncher).
  const child = spawn(node, [self, ...process.argv.slice(2)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, IDNODE_LAUNCHER_REEXEC: '1' },
  });
  // Forward stop signals: `idnode start` under this launcher must still drain and exit cleanly.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('error', (e) => {
    process.stderr.write(`idnode: could not run ${node}: ${e.message}\n`);
    process.exit(2);
  });
  // A child killed by a signal is reported the shell's way (128 + signal number).
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
}

/**
 * Re-run by a launcher: stop when it goes. SIGTERM to ourselves, so `idnode start` drains as on any
 * stop; the channel is unref'd so it never keeps a finished command alive.
 */
function stopWithLauncher() {
  if (process.env.IDNODE_LAUNCHER_REEXEC !== '1' || process.channel === undefined) return;
  process.channel.unref();
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}

if (major < MIN_MAJOR) reexec();
else stopWithLauncher();
if (major >= MIN_MAJOR) await import(pathToFileURL(join(root, 'node', 'src', 'cli', 'main.ts')).href);
