import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Type } from 'typebox';
import type { Problems } from '../config-kit/problems.ts';
import type { ConfigSection } from '../config-kit/section.ts';
import { intVar, textVar } from '../config-kit/vars.ts';

/** The HTTP side of a node: where it listens, how it drains, what it logs, what it rations. */
export interface HttpConfig {
  readonly port: number;
  readonly host: string;
  /** How long the node reports not-ready before it stops taking requests on shutdown. */
  readonly drainDelayMs: number;
  /** Share of successful requests written to the access log; errors are always written. */
  readonly accessLogSample: number;
  /** auth=true (cache-bypassing) reads allowed per second; twice that as a burst. */
  readonly authRatePerSecond: number;
}

const raw = Type.Object({
  IDNODE_HTTP_PORT: intVar(1, 65535, { description: 'HTTP port', default: '8080' }),
  IDNODE_HOST: textVar(
    'a host name or IP address, e.g. 127.0.0.1, 0.0.0.0, ::',
    { description: 'listen address (0.0.0.0 in containers)', default: '127.0.0.1' },
    { pattern: '^[A-Za-z0-9._:%-]{1,255}$' },
  ),
  IDNODE_DRAIN_DELAY_MS: intVar(0, 999_999, {
    description: 'on SIGTERM: how long /readyz fails before the node stops taking requests',
    default: '1000',
  }),
  IDNODE_ACCESS_LOG_SAMPLE: textVar(
    'a number 0-1 with at most 6 decimals, e.g. 0.01',
    { description: 'share of successful requests in the access log (every error is logged)', default: '0.01' },
    { pattern: '^(0(\\.[0-9]{1,6})?|1(\\.0{1,6})?)$' },
  ),
  IDNODE_AUTH_RATE_PER_S: intVar(1, 999_999, {
    description: 'auth=true reads (they bypass the cache) allowed per second, burst twice that; beyond: 429',
    default: '50',
  }),
});

export const httpSection: ConfigSection<typeof raw.properties, HttpConfig> = {
  name: 'http',
  raw,
  normalise: (v) => ({
    port: Number(v.IDNODE_HTTP_PORT),
    host: v.IDNODE_HOST,
    drainDelayMs: Number(v.IDNODE_DRAIN_DELAY_MS),
    accessLogSample: Number(v.IDNODE_ACCESS_LOG_SAMPLE),
    authRatePerSecond: Number(v.IDNODE_AUTH_RATE_PER_S),
  }),
};

/** A host name that does not resolve fails here, before anything is opened, rather than at listen. */
export async function checkListenHost(host: string, problems: Problems): Promise<void> {
  if (isIP(host) !== 0) return;
  try {
    await lookup(host);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'lookup failed';
    problems.add(
      'IDNODE_HOST',
      `must be an IP address or a host name that resolves (got ${JSON.stringify(host)}: ${code})`,
    );
  }
}
