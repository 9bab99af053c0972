import { Type } from 'typebox';
import type { Problems } from '../config-kit/problems.ts';
import type { ConfigSection } from '../config-kit/section.ts';
import { intVar, textVar } from '../config-kit/vars.ts';

/** The native Handle protocol (RFC 3652) on TCP and UDP, one port for both. */

export const DEFAULT_HANDLE_PORT = 2641;

export interface HandleSettings {
  /** undefined: no Handle protocol (a plain standalone node unless IDNODE_HANDLE_PORT is set). */
  readonly port: number | undefined;
  /** Host or IP written into HS_SITE; default the listen host when specific, else 127.0.0.1. */
  readonly advertise: string | undefined;
  readonly maxConnections: number;
  readonly idleTimeoutMs: number;
  readonly udpMaxResponsePackets: number;
}

/** As the section reads it; the port's default depends on the role (withRoleDefault). */
/** `off`: no Handle port whatever the role (several federated nodes on one machine, tests). */
export type HandleSection = Omit<HandleSettings, 'port'> & { readonly port: number | 'off' | undefined };

const raw = Type.Object({
  IDNODE_HANDLE_PORT: Type.Optional(
    Type.Refine(
      textVar(
        'an integer 0-65535, or off',
        {
          description: 'TCP and UDP port of the native Handle protocol (0 = ephemeral, off = none)',
          defaultText: `${DEFAULT_HANDLE_PORT} (federated roles); standalone: off unless set`,
        },
        { pattern: '^(off|[0-9]{1,5})$' },
      ),
      (v) => v === 'off' || Number(v) <= 65535,
    ),
  ),
  IDNODE_HANDLE_ADVERTISE: Type.Optional(
    textVar(
      'a host name or IP address, e.g. 192.0.2.10 or handle.example.org',
      {
        description: 'address Handle clients reach this node at (its HS_SITE value)',
        defaultText: 'the listen host, else 127.0.0.1',
      },
      { pattern: '^[A-Za-z0-9._:-]{1,253}$' },
    ),
  ),
  IDNODE_HANDLE_MAX_CONNECTIONS: intVar(1, 100_000, {
    description: 'open Handle TCP connections at most',
    default: '1024',
  }),
  IDNODE_HANDLE_IDLE_TIMEOUT_S: intVar(1, 3_600, {
    description: 'a Handle TCP connection idle this long is closed',
    default: '60',
  }),
  IDNODE_HANDLE_UDP_MAX_PACKETS: intVar(1, 533, {
    description: 'datagrams in one UDP response at most; a longer answer is left to TCP',
    default: '64',
  }),
});

export const handleSection: ConfigSection<typeof raw.properties, HandleSection> = {
  name: 'handle',
  raw,
  normalise: (v) => ({
    port:
      v.IDNODE_HANDLE_PORT === undefined || v.IDNODE_HANDLE_PORT === 'off'
        ? v.IDNODE_HANDLE_PORT
        : Number(v.IDNODE_HANDLE_PORT),
    advertise: v.IDNODE_HANDLE_ADVERTISE,
    maxConnections: Number(v.IDNODE_HANDLE_MAX_CONNECTIONS),
    idleTimeoutMs: Number(v.IDNODE_HANDLE_IDLE_TIMEOUT_S) * 1000,
    udpMaxResponsePackets: Number(v.IDNODE_HANDLE_UDP_MAX_PACKETS),
  }),
};

/** Federated roles speak Handle on 2641 unless told otherwise; a plain standalone node only when asked. */
export function withRoleDefault(s: HandleSection, role: string): HandleSettings {
  if (s.port === 'off') return { ...s, port: undefined };
  return { ...s, port: s.port ?? (role === 'standalone' ? undefined : DEFAULT_HANDLE_PORT) };
}

/** The Handle port is TCP too: it cannot be the HTTP or gRPC port. */
export function validateHandle(
  whole: {
    readonly handle: HandleSettings;
    readonly http: { readonly port: number };
    readonly federation: { readonly grpc: { readonly port: number } | undefined };
  },
  problems: Problems,
): void {
  const port = whole.handle.port;
  if (port === undefined || port === 0) return;
  if (port === whole.http.port) {
    problems.add('IDNODE_HANDLE_PORT', `must differ from IDNODE_HTTP_PORT (both are ${port})`, ['IDNODE_HTTP_PORT']);
  } else if (port === whole.federation.grpc?.port) {
    problems.add('IDNODE_HANDLE_PORT', `must differ from IDNODE_GRPC_PORT (both are ${port})`, ['IDNODE_GRPC_PORT']);
  }
}
