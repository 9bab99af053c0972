/**
 * `npm run bench:hostile` (issue 13 items 3 and 4, ADR 0010): legitimate traffic (wrk, a cache hit)
 * measured alone and beside each attack, alternated in one run, and an overload at twice the
 * measured capacity with and without shedding. 127.0.0.1 only; every phase stops by itself.
 *
 *   node loadtest/hostile-bench.ts [--seconds 8] [--out loadtest/results/hostile.json]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { machineInfo } from './lib/machine.ts';
import { runWrk, type LoadResult } from './lib/native/wrk.ts';
import { freePort, makeTempDir, removeDir, ROOT, spawnServer, type ServerProcess } from './lib/processes.ts';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const SECONDS = Number(arg('seconds', '8'));
const OUT = arg('out', join(ROOT, 'loadtest', 'results', 'hostile.json'));
const PREFIX = '88.100.5';
const TARGET = `/api/handles/${PREFIX}/BENCH-1`;

async function startNode(dir: string, env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  return spawnServer({
    name: 'idnode',
    script: join(ROOT, 'node', 'src', 'main.ts'),
    port,
    readyPath: '/livez',
    env: {
      IDNODE_HTTP_PORT: String(port),
      IDNODE_DATA_DIR: dir,
      IDNODE_PREFIXES: PREFIX,
      IDNODE_LOG_LEVEL: 'warn',
      IDNODE_HTTP_MAX_CONNECTIONS: '8000',
      ...env,
    },
  });
}

async function seed(node: ServerProcess, dir: string): Promise<void> {
  const creds = JSON.parse(await readFile(join(dir, 'admin-credentials.json'), 'utf8')) as Record<
    string,
    { user: string; secret: string }
  >;
  const c = creds[PREFIX];
  if (c === undefined) throw new Error('no admin credentials');
  const auth = `Basic ${Buffer.from(`${c.user.replace(':', '%3A')}:${c.secret}`).toString('base64')}`;
  const body = JSON.stringify({
    values: [{ index: 1, type: 'URL', data: { format: 'string', value: 'https://example.org/p' } }],
  });
  const r = await fetch(`${node.url}${TARGET}`, {
    method: 'PUT',
    headers: { authorization: auth, 'content-type': 'application/json' },
    body,
  });
  if (r.status >= 300) throw new Error(`seed PUT: ${r.status} ${await r.text()}`);
}

/** An attack runs while `legit` measures; stop() ends it and says what it did. */
interface Attack {
  readonly name: string;
  start(url: string): { stop: () => Promise<string> };
}

function tool(bin: string, args: readonly string[]): { stop: () => Promise<string> } {
  // Niced: on a shared machine the attack tool must not win the CPU the node needs; the figure is
  // then what the node's limits cost it, not what a second process on the same cores takes.
  const child: ChildProcess = spawn('nice', ['-n', '19', bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => void (out = (out + c.toString()).slice(-4000)));
  child.stderr?.on('data', (c: Buffer) => void (out = (out + c.toString()).slice(-4000)));
  return {
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGINT');
      await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
      // eslint-disable-next-line no-control-regex
      const plain = out.replace(/\u001b\[[0-9;]*m/g, '');
      const summary = plain.split('\n').filter((l) => /connections|closed|pending|error|service available/i.test(l));
      return summary.slice(-4).join(' | ').replace(/\s+/g, ' ').slice(0, 300);
    },
  };
}

/** Raw sockets in a loop: each sends `payload`, waits for the answer or close, then goes again. */
function socketLoop(url: string, workers: number, payload: () => string): { stop: () => Promise<string> } {
  const { port } = new URL(url);
  let running = true;
  let sent = 0;
  const statuses = new Map<string, number>();
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const s = connect({ host: '127.0.0.1', port: Number(port) });
      let first = '';
      s.on('connect', () => (s.write(payload()), sent++));
      s.on('data', (c: Buffer) => {
        if (first === '') first = c.toString('latin1', 0, 12);
        s.destroy();
      });
      s.on('error', () => undefined);
      s.on('close', () => {
        const k = first.slice(9, 12) || 'closed';
        statuses.set(k, (statuses.get(k) ?? 0) + 1);
        resolve();
      });
    });
  const loops = Array.from({ length: workers }, async () => {
    while (running) await one();
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return `${sent} requests, answers ${JSON.stringify(Object.fromEntries(statuses))}`;
    },
  };
}

function idle(url: string, count: number): { stop: () => Promise<string> } {
  const { port } = new URL(url);
  const sockets: Socket[] = [];
  let closedByServer = 0;
  let opened = 0;
  let stopping = false;
  for (let i = 0; i < count; i++) {
    const s = connect({ host: '127.0.0.1', port: Number(port) });
    s.on('connect', () => opened++);
    s.on('error', () => undefined);
    s.on('close', () => void (stopping ? undefined : closedByServer++));
    sockets.push(s);
  }
  return {
    stop: async () => {
      stopping = true;
      for (const s of sockets) s.destroy();
      await new Promise((r) => setTimeout(r, 200));
      return `${opened} of ${count} idle connections opened, ${closedByServer} closed by the node during the run`;
    },
  };
}

const ATTACKS: Attack[] = [
  {
    name: 'slowloris (slowhttptest -H, 1000 connections)',
    start: (url) =>
      tool('slowhttptest', [
        '-H',
        '-c',
        '1000',
        '-r',
        '500',
        '-i',
        '2',
        '-x',
        '16',
        '-l',
        String(SECONDS + 2),
        '-p',
        '3',
        '-u',
        `${url}/livez`,
      ]),
  },
  {
    name: 'slow body (slowhttptest -B, 1000 connections)',
    start: (url) =>
      tool('slowhttptest', [
        '-B',
        '-c',
        '1000',
        '-r',
        '500',
        '-i',
        '2',
        '-s',
        '100000',
        '-l',
        String(SECONDS + 2),
        '-p',
        '3',
        '-u',
        `${url}/api/handles/${PREFIX}/SLOW`,
      ]),
  },
  { name: '3000 idle connections', start: (url) => idle(url, 3000) },
  {
    name: 'oversized headers (20 KiB, 8 loops)',
    start: (url) => socketLoop(url, 8, () => `GET /livez HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`),
  },
  {
    name: 'oversized bodies (Content-Length 100 MiB, 8 loops)',
    start: (url) =>
      socketLoop(
        url,
        8,
        () =>
          `PUT /api/handles/${PREFIX}/BIG HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${100 * 1024 * 1024}\r\n\r\n{"values":[`,
      ),
  },
];

interface Pair {
  readonly attack: string;
  readonly alone: LoadResult;
  readonly beside: LoadResult;
  readonly attackReport: string;
  readonly throughputRatio: number;
  readonly p99Ratio: number;
  readonly pass: boolean;
}

async function legit(node: ServerProcess, keyFile: string): Promise<LoadResult> {
  return runWrk({
    url: node.url,
    serverPid: node.pid,
    connections: 16,
    durationS: SECONDS,
    keys: { mode: 'file', arg: keyFile },
    seed: 7,
  });
}

async function pairs(node: ServerProcess, keyFile: string): Promise<Pair[]> {
  const out: Pair[] = [];
  for (const a of ATTACKS) {
    const alone = await legit(node, keyFile);
    const running = a.start(node.url);
    // Let the attack open its connections first.
    await new Promise((r) => setTimeout(r, 1500));
    const beside = await legit(node, keyFile);
    const attackReport = await running.stop();
    await new Promise((r) => setTimeout(r, 1000));
    const throughputRatio = beside.rps / alone.rps;
    const p99Ratio = beside.p99Us / alone.p99Us;
    out.push({
      attack: a.name,
      alone,
      beside,
      attackReport,
      throughputRatio,
      p99Ratio,
      pass: throughputRatio >= 0.8 && p99Ratio <= 2,
    });
    console.log(
      `${a.name}: ${alone.rps.toFixed(0)} -> ${beside.rps.toFixed(0)} req/s (x${throughputRatio.toFixed(2)}), p99 ${(alone.p99Us / 1000).toFixed(2)} -> ${(beside.p99Us / 1000).toFixed(2)} ms (x${p99Ratio.toFixed(2)}); ${attackReport}`,
    );
  }
  return out;
}

interface Overload {
  readonly shedding: boolean;
  readonly offeredRps: number;
  readonly answeredRps: number;
  readonly okRps: number;
  readonly shedShare: number;
  readonly okP99Ms: number;
  readonly rssBeforeMiB: number;
  readonly rssPeakMiB: number;
  readonly readyDuring: number | undefined;
  readonly liveDuring: number | undefined;
  readonly recoveredRps: number;
}

const rssMiB = (pid: number): number => {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) / 1024;
};

async function overload(node: ServerProcess, keyFile: string, capacity: number, shedding: boolean): Promise<Overload> {
  const dir = await makeTempDir();
  const uriFile = join(dir, 'uris');
  const logFile = join(dir, 'h2load.log');
  await writeFile(uriFile, `${node.url}${TARGET}\n`);
  const clients = 64;
  const offered = Math.round(2 * capacity);
  const rssBefore = rssMiB(node.pid);
  let rssPeak = rssBefore;
  let readyDuring: number | undefined;
  let liveDuring: number | undefined;
  const probe = setInterval(() => {
    rssPeak = Math.max(rssPeak, rssMiB(node.pid));
    void fetch(`${node.url}/readyz`).then(
      (r) => (readyDuring = Math.max(readyDuring ?? 0, r.status)),
      () => undefined,
    );
    void fetch(`${node.url}/livez`).then(
      (r) => (liveDuring = Math.max(liveDuring ?? 0, r.status)),
      () => undefined,
    );
  }, 500);
  const perClient = Math.max(1, Math.round(offered / clients));
  const args = [
    '--h1',
    '-c',
    String(clients),
    '-t',
    '1',
    '--rps',
    String(perClient),
    '-D',
    String(SECONDS),
    '--log-file',
    logFile,
    '-i',
    uriFile,
  ];
  await new Promise<void>((resolve, reject) => {
    const child = spawn('h2load', args, { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', () => resolve());
  });
  clearInterval(probe);
  const rows = (await readFile(logFile, 'utf8'))
    .split('\n')
    .map((l) => l.split('\t'))
    .filter((f) => f.length >= 3);
  const ok = rows.filter((f) => f[1] === '200').map((f) => Number(f[2]));
  const shed = rows.filter((f) => f[1] === '503').length;
  ok.sort((a, b) => a - b);
  await removeDir(dir);
  // Recovery: the same legitimate load as before, once the overload stopped.
  await new Promise((r) => setTimeout(r, 2000));
  const after = await legit(node, keyFile);
  return {
    shedding,
    offeredRps: perClient * clients,
    answeredRps: rows.length / SECONDS,
    okRps: ok.length / SECONDS,
    shedShare: rows.length === 0 ? 0 : shed / rows.length,
    okP99Ms: (ok[Math.floor(0.99 * (ok.length - 1))] ?? 0) / 1000,
    rssBeforeMiB: rssBefore,
    rssPeakMiB: rssPeak,
    readyDuring,
    liveDuring,
    recoveredRps: after.rps,
  };
}

async function main(): Promise<void> {
  const machine = machineInfo();
  console.log(`machine: ${machine.cpus} x ${machine.model}, load average ${machine.loadAvg.join(' ')}`);
  const work = await makeTempDir();
  const keyFile = join(work, 'keys');
  await writeFile(keyFile, `${TARGET}\n`);
  const report: Record<string, unknown> = { date: new Date().toISOString(), machine, seconds: SECONDS };
  const nodes: ServerProcess[] = [];
  try {
    const dirA = join(work, 'a');
    const node = await startNode(dirA, {});
    nodes.push(node);
    await seed(node, dirA);
    await legit(node, keyFile); // warm-up
    report.attacks = await pairs(node, keyFile);
    const capacity = (await legit(node, keyFile)).rps;
    report.capacityRps = capacity;
    const withShed = await overload(node, keyFile, capacity, true);
    console.log('overload, shedding on:', JSON.stringify(withShed));
    await node.stop();
    const dirB = join(work, 'b');
    const plain = await startNode(dirB, { IDNODE_SHED_EVENT_LOOP_DELAY_MS: '0' });
    nodes.push(plain);
    await seed(plain, dirB);
    await legit(plain, keyFile);
    const withoutShed = await overload(plain, keyFile, capacity, false);
    console.log('overload, shedding off:', JSON.stringify(withoutShed));
    report.overload = [withShed, withoutShed];
    report.loadAvgEnd = machineInfo().loadAvg;
  } finally {
    for (const n of nodes) await n.stop();
    await removeDir(work);
  }
  await mkdir(join(OUT, '..'), { recursive: true });
  await writeFile(OUT, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${OUT}`);
}

await main();
