/**
 * npm run bench:handle: the server's CPU per resolution over the native Handle protocol (UDP) beside
 * the HTTP cache hit of the same record (GET /api/handles/<id> with wrk), in one run, alternated.
 * CPU comes from /proc/<pid>/stat (utime + stime) of the server process, so the load generators'
 * own CPU is not counted (the UDP generator is this Node process: its CPU is reported beside).
 *   node loadtest/handle-bench.ts [--seconds 5] [--rounds 3] [--concurrency 32]
 */
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { bodyResolution, headerAndBody, request } from '../node/src/cli/handle-client/wire.ts';
import { freePort, makeTempDir, removeDir, ROOT, spawnServer } from './lib/processes.ts';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '32' },
  },
});
const SECONDS = Number(args.seconds);
const ROUNDS = Number(args.rounds);
const CONCURRENCY = Number(args.concurrency);
const HANDLE = '88.100.5/BENCH-H1';
const SECRET = 'bench-secret-0123456789';
const TICK_US = 10_000; // CLK_TCK = 100 on Linux

async function cpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

/** Closed loop over UDP: CONCURRENCY requests outstanding, a fresh request id each, for SECONDS. */
async function udpRound(port: number): Promise<{ requests: number; lost: number; genCpuUs: number }> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, () => r()));
  const body = bodyResolution(HANDLE, [], []);
  const template = request(headerAndBody(1, body, { requestId: 1, digest: false }), { requestId: 1 });
  let next = 1;
  let done = 0;
  const outstanding = new Map<number, number>();
  const send = () => {
    const id = (next = next >= 0x7ffffff0 ? 1 : next + 1);
    const out = Buffer.from(template);
    out.writeUInt32BE(id, 8);
    outstanding.set(id, Date.now());
    s.send(out, port, '127.0.0.1');
  };
  const cpu0 = process.cpuUsage();
  const end = Date.now() + SECONDS * 1000;
  let lost = 0;
  await new Promise<void>((resolve) => {
    s.on('message', (d: Buffer) => {
      if (!outstanding.delete(d.readUInt32BE(8))) return;
      done++;
      if (Date.now() < end) send();
      else if (outstanding.size === 0) resolve();
    });
    // A lost datagram is replaced after 200 ms, so the loop keeps its depth.
    const sweep = setInterval(() => {
      const now = Date.now();
      for (const [id, at] of outstanding) {
        if (now - at < 200) continue;
        outstanding.delete(id);
        lost++;
        if (now < end) send();
      }
      if (now >= end + 300) {
        clearInterval(sweep);
        resolve();
      }
    }, 50);
    for (let i = 0; i < CONCURRENCY; i++) send();
  });
  const c = process.cpuUsage(cpu0);
  s.close();
  return { requests: done, lost, genCpuUs: c.user + c.system };
}

async function httpRound(url: string): Promise<number> {
  const { stdout } = await promisify(execFile)('wrk', [
    '-t2',
    `-c${CONCURRENCY}`,
    `-d${SECONDS}s`,
    `${url}/api/handles/${HANDLE}`,
  ]);
  const m = /(\d+) requests in/.exec(stdout);
  return Number(m?.[1] ?? 0);
}

async function main(): Promise<void> {
  const dir = await makeTempDir();
  const [httpPort, handlePort] = [await freePort(), await freePort()];
  const server = await spawnServer({
    name: 'idnode',
    script: join(ROOT, 'node', 'src', 'main.ts'),
    port: httpPort,
    env: {
      IDNODE_DATA_DIR: dir,
      IDNODE_HTTP_PORT: String(httpPort),
      IDNODE_HANDLE_PORT: String(handlePort),
      IDNODE_ADMIN_SECRET: SECRET,
      IDNODE_LOG_LEVEL: 'warn',
    },
    readyPath: '/readyz',
  });
  try {
    const auth = `Basic ${Buffer.from(`300%3A88.100.5/ADMIN:${SECRET}`).toString('base64')}`;
    const put = await fetch(`${server.url}/api/handles/${HANDLE}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: auth },
      body: JSON.stringify({
        values: [
          { index: 1, type: 'URL', data: 'https://example.org/bench/1' },
          { index: 2, type: 'EMAIL', data: 'ops@example.org' },
        ],
      }),
    });
    if (!put.ok) throw new Error(`PUT ${put.status}: ${await put.text()}`);
    // Warm both paths (JIT, the resolution cache).
    await udpRound(handlePort);
    await httpRound(server.url);
    const rows: string[] = [];
    const sums = { udp: { us: 0, n: 0 }, http: { us: 0, n: 0 } };
    for (let r = 0; r < ROUNDS; r++) {
      for (const kind of r % 2 === 0 ? (['udp', 'http'] as const) : (['http', 'udp'] as const)) {
        const t0 = await cpuTicks(server.pid);
        const load = loadavg()[0]?.toFixed(2);
        let n: number;
        let extra = '';
        if (kind === 'udp') {
          const u = await udpRound(handlePort);
          n = u.requests;
          extra = `  lost ${u.lost}  generator ${(u.genCpuUs / Math.max(1, n)).toFixed(1)} µs/req`;
        } else n = await httpRound(server.url);
        const us = ((await cpuTicks(server.pid)) - t0) * TICK_US;
        sums[kind].us += us;
        sums[kind].n += n;
        rows.push(
          `round ${r + 1} ${kind.padEnd(4)} ${String(n).padStart(8)} req  ${(n / SECONDS).toFixed(0).padStart(6)} req/s  server ${(us / Math.max(1, n)).toFixed(1).padStart(6)} µs/req  load ${load}${extra}`,
        );
      }
    }
    for (const row of rows) console.log(row);
    const per = (k: 'udp' | 'http') => sums[k].us / Math.max(1, sums[k].n);
    console.log(
      `\nserver CPU per request: UDP ${per('udp').toFixed(1)} µs, HTTP cache hit ${per('http').toFixed(1)} µs, UDP/HTTP ${(per('udp') / per('http')).toFixed(2)}  (load average ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')})`,
    );
  } finally {
    await server.stop();
    await removeDir(dir);
  }
}

await main();
