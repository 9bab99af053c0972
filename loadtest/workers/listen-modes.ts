import cluster from 'node:cluster';
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { freePort } from '../lib/processes.ts';
import { runWrk } from './wrk.ts';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

/**
 * How two processes share one port, measured on a bare node:http server (a Map lookup + 302), so
 * the figure is the sharing, not idnode: node:cluster (the primary accepts and hands connections
 * round-robin) against SO_REUSEPORT (`listen({ reusePort: true })`, Node >= 23.1: the kernel
 * spreads connections over independent listeners). Keep-alive traffic and one connection per
 * request (`Connection: close`), alternated rounds, server CPU over every pid.
 *   node loadtest/workers/listen-modes.ts [--rounds 3] [--duration 4]
 */

const ROLE = process.env.LISTEN_MODES_ROLE;
const PORT = Number(process.env.LISTEN_MODES_PORT);

function serve(reusePort: boolean): void {
  const map = new Map(Array.from({ length: 1000 }, (_, i) => [`/k${i}`, `https://example.org/${i}`]));
  createServer((req, res) => {
    const to = map.get(req.url ?? '');
    res.writeHead(to ? 302 : 404, to ? { location: to } : {});
    res.end();
  }).listen({ port: PORT, host: '127.0.0.1', reusePort });
}

if (ROLE === 'cluster') {
  if (cluster.isPrimary) for (let i = 0; i < 2; i++) cluster.fork();
  else serve(false);
} else if (ROLE === 'reuseport') {
  serve(true);
} else {
  const { values } = parseArgs({
    options: { rounds: { type: 'string', default: '3' }, duration: { type: 'string', default: '4' } },
  });
  const dir = tmpdir();
  const keepAlive = join(dir, 'listen-modes-ka.lua');
  const close = join(dir, 'listen-modes-close.lua');
  const body = `math.randomseed(1)\nrequest = function() return wrk.format("GET", "/k" .. math.random(0, 999)%s) end\n`;
  await writeFile(keepAlive, body.replace('%s', ''));
  await writeFile(close, body.replace('%s', ', { ["Connection"] = "close" }'));
  const self = new URL(import.meta.url).pathname;
  const start = async (role: string): Promise<{ pids: () => number[]; port: number; stop: () => void }> => {
    const port = await freePort();
    const env = { ...process.env, LISTEN_MODES_ROLE: role, LISTEN_MODES_PORT: String(port) };
    const kids = role === 'cluster' ? [fork(self, [], { env })] : [fork(self, [], { env }), fork(self, [], { env })];
    await new Promise((r) => setTimeout(r, 1500));
    return { pids: () => kids.map((k) => k.pid ?? -1), port, stop: () => kids.forEach((k) => k.kill('SIGTERM')) };
  };
  const modes = { cluster: await start('cluster'), reuseport: await start('reuseport') };
  const out: Record<string, { rps: number; us: number }[]> = {};
  for (let r = 0; r < Number(values.rounds); r++) {
    for (const [script, label] of [
      [keepAlive, 'keep-alive'],
      [close, 'connection-close'],
    ] as const) {
      for (const [name, m] of Object.entries(modes)) {
        // One pid for the tree: cluster's primary (its workers are children); reuseport: both summed by running twice.
        const [first, second] = m.pids();
        const res = await runWrk({
          url: `http://127.0.0.1:${m.port}`,
          script,
          connections: 64,
          seconds: Number(values.duration),
          serverPid: first!,
          extraPids: second === undefined ? [] : [second],
        });
        (out[`${name} ${label}`] ??= []).push({ rps: res.rps, us: Math.round(res.serverUsPerRequest * 10) / 10 });
      }
    }
  }
  for (const m of Object.values(modes)) m.stop();
  process.stdout.write(JSON.stringify({ load_average: loadavg(), results: out }, null, 2) + '\n');
}
