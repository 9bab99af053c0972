import { HandleClient } from '../handle-client/client.ts';
import type { InValue } from '../handle-client/wire.ts';
import type { Run } from '../command-kit.ts';
import { CliError, EXIT, type ExitCode } from '../exit-codes.ts';

/** The Handle port when --handle-port is not given (RFC 3652). */
export const DEFAULT_HANDLE_PORT = 2641;

/** Handle response codes as exit codes: 1 ok, 100 not found, 102 bad identifier, 400-404 auth, 3 busy. */
export function exitForRc(rc: number): ExitCode {
  if (rc === 1) return EXIT.OK;
  if (rc === 100) return EXIT.NOT_FOUND;
  if (rc === 102) return EXIT.USAGE;
  if (rc >= 400 && rc <= 404) return EXIT.AUTH;
  if (rc === 3) return EXIT.UNAVAILABLE;
  return EXIT.FAILED;
}

/** A value as `resolve --json` shows it over HTTP: text as "string", other bytes as "base64". */
function jsonValue(v: InValue) {
  const text = v.data.toString('utf8');
  const data = Buffer.from(text, 'utf8').equals(v.data)
    ? { format: 'string', value: text }
    : { format: 'base64', value: v.data.toString('base64') };
  return {
    index: v.index,
    type: v.type,
    data,
    ttl: v.ttl,
    timestamp: new Date(v.timestamp * 1000).toISOString(),
    access: (v.permissions & 0x02) !== 0 ? 'public' : 'authority',
  };
}

/** `idnode resolve --handle-protocol [--udp]`: the native protocol to the node's host, same output and exit codes. */
export async function resolveOverHandle(
  run: Run,
  id: string,
  o: { udp?: boolean; handlePort?: string },
): Promise<number> {
  const host = new URL(run.client.url).hostname.replace(/^\[|\]$/g, '');
  const port = o.handlePort === undefined ? DEFAULT_HANDLE_PORT : Number(o.handlePort);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new CliError(EXIT.USAGE, 'CLI_ERR_USAGE', `--handle-port must be 1-65535 (got ${o.handlePort ?? ''})`);
  }
  const started = performance.now();
  let a;
  try {
    a = await new HandleClient({ host, port, udp: o.udp === true }).resolve(id);
  } catch (e) {
    throw new CliError(
      EXIT.UNAVAILABLE,
      'CLI_ERR_UNREACHABLE',
      `no Handle answer from ${host}:${port}: ${(e as Error).message}`,
    );
  }
  const ms = Math.round((performance.now() - started) * 10) / 10;
  const values = (a.values ?? []).map(jsonValue);
  const doc = {
    responseCode: a.rc,
    ...(a.handle === undefined ? {} : { handle: a.handle }),
    ...(a.rc === 1 ? { values } : { message: a.message ?? '' }),
    transport: a.via,
    ms,
  };
  run.out.result(doc, () =>
    [
      a.rc === 1
        ? `${a.handle ?? id} (Handle protocol over ${a.via}, ${ms} ms)`
        : `responseCode ${a.rc}: ${a.message ?? ''}`,
      ...values.map((v) => `  ${String(v.index).padStart(4)} ${v.type.padEnd(12)} ${JSON.stringify(v.data.value)}`),
    ].join('\n'),
  );
  return exitForRc(a.rc);
}
