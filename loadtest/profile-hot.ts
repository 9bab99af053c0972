import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, makeTempDir, NODE_BIN, ROOT } from './lib/processes.ts';
import { BENCH_PREFIX, benchHandle, seedStore } from './lib/seed-store.ts';

/**
 * CPU profile of the node's hot paths: `node loadtest/profile-hot.ts [--route qr|api|negative|unknown]
 * [--seconds 5] [--cache off]`. Starts the node with --cpu-prof on a seeded store, drives it with
 * wrk (keys.lua), stops it and prints the .cpuprofile path (open in Chrome DevTools or speedscope).
 */

const { values } = parseArgs({
  options: {
    route: { type: 'string', default: 'qr' },
    seconds: { type: 'string', default: '5' },
    cache: { type: 'string', default: 'on' },
  },
});
const dir = await makeTempDir();
await seedStore(dir, 1_000);
const port = await freePort();
const env = {
  ...process.env,
  IDNODE_DATA_DIR: dir,
  IDNODE_HTTP_PORT: String(port),
  IDNODE_HOST: '127.0.0.1',
  IDNODE_ADMIN_SECRET: 'profile-secret-profile-secret',
  IDNODE_LOG_LEVEL: 'warn',
  IDNODE_PREFIXES: BENCH_PREFIX,
  ...(values.cache === 'off' ? { IDNODE_CACHE: 'off' } : {}),
};
const child = spawn(NODE_BIN, ['--cpu-prof', `--cpu-prof-dir=${dir}`, join(ROOT, 'node', 'src', 'main.ts')], {
  env,
  stdio: 'inherit',
});
const url = `http://127.0.0.1:${port}`;
for (let i = 0; i < 200; i++) {
  try {
    if ((await fetch(url + '/livez')).ok) break;
  } catch {
    await new Promise((r) => setTimeout(r, 100));
  }
}
const paths: Record<string, string[]> = {
  qr: Array.from({ length: 1_000 }, (_, i) => `/${benchHandle(i)}`),
  api: Array.from({ length: 1_000 }, (_, i) => `/api/handles/${benchHandle(i)}`),
  negative: Array.from({ length: 1_000 }, (_, i) => `/api/handles/${BENCH_PREFIX}/NX-${i}`),
};
const route = values.route;
const keys = route === 'unknown' ? ['unknown', `/api/handles/${BENCH_PREFIX}/`] : ['file', join(dir, 'paths')];
if (route !== 'unknown') await writeFile(join(dir, 'paths'), (paths[route] ?? []).join('\n') + '\n');
const lua = join(import.meta.dirname, 'lib', 'native', 'keys.lua');
const drive = (seconds: string): Promise<void> =>
  new Promise<void>((resolve) => {
    const wrk = spawn('wrk', ['-t1', '-c64', `-d${seconds}s`, '-s', lua, url, '--', ...keys], { stdio: 'inherit' });
    wrk.once('exit', () => resolve());
  });
await drive('3'); // warm-up: JIT and cache; its samples are left out below
await drive(values.seconds);
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
const prof = (await readdir(dir)).find((f) => f.endsWith('.cpuprofile'));
process.stdout.write(`${prof ? join(dir, prof) : 'no profile written'}\n`);
if (prof)
  process.stdout.write(top(JSON.parse(await readFile(join(dir, prof), 'utf8')) as Profile, Number(values.seconds)));

interface Frame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface Profile {
  nodes: { id: number; callFrame: Frame; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
  endTime: number;
}

function frameName(f: Frame): string {
  return `${f.functionName || '(anon)'} ${f.url.replace(/^.*\/(node_modules|node\/src)\//, '$1/')}:${f.lineNumber + 1}`;
}

/**
 * Self and inclusive time of the measured run only (samples of the last `seconds`, the warm-up
 * and startup left out): the widest leaves and frames of a flame graph, as text.
 */
function top(p: Profile, seconds: number): string {
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(p.nodes.map((n) => [n.id, n.callFrame]));
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  let t = p.endTime;
  const times = new Array<number>(p.samples.length);
  for (let i = p.samples.length - 1; i >= 0; i--) {
    times[i] = t;
    t -= p.timeDeltas[i] ?? 0;
  }
  const from = p.endTime - (seconds + 0.3) * 1e6;
  let total = 0;
  p.samples.forEach((id, i) => {
    if ((times[i] ?? 0) < from) return;
    total++;
    const f = byId.get(id);
    const name = f ? frameName(f) : '?';
    self.set(name, (self.get(name) ?? 0) + 1);
    const seen = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const fr = byId.get(n);
      if (!fr) continue;
      const k = frameName(fr);
      if (seen.has(k)) continue;
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + 1);
    }
  });
  const list = (m: Map<string, number>, n: number): string =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, c]) => `${((100 * c) / total).toFixed(1).padStart(5)} %  ${k}`)
      .join('\n');
  return `self time (${total} samples)\n${list(self, 35)}\n\ninclusive\n${list(incl, 60)}\n`;
}
