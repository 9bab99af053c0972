import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/**
 * A redis-server for the Redis-backed scenarios: started here on a free port in the run's temp
 * dir, stopped here by its own handle (never by name; SIGKILL on harness exit). AOF with
 * `appendfsync everysec`: the scenarios measure reads, and seeding 100,000 records should not
 * wait for one fsync per write. The shared Redis on 6379 is never touched.
 */

export interface RedisProcess {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

async function answersPing(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** AOF fsync policy: 'everysec' (default here) or 'always' (the import benchmark reports both). */
export type AppendFsync = 'everysec' | 'always';

export async function startRedisServer(
  dir: string,
  port: number,
  timeoutMs = 10_000,
  appendfsync: AppendFsync = 'everysec',
): Promise<RedisProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''];
  args.push('--appendonly', 'yes', '--appendfsync', appendfsync, '--daemonize', 'no');
  const log = openSync(join(dir, 'redis.log'), 'a');
  const child = spawn('redis-server', args, { stdio: ['ignore', log, log] });
  closeSync(log);
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `redis://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
    running.delete(child);
  };
  const deadline = Date.now() + timeoutMs;
  while (!(await answersPing(url))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server on ${port} did not start; see ${join(dir, 'redis.log')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, pid: child.pid ?? -1, stop };
}
