import { isIP } from 'node:net';
import { ByteWriter } from './bytes.ts';
import { SERVER_VERSION } from './protocol.ts';

/**
 * This node's HS_SITE value (RFC 3651 §3.2.2, as CNRI clients decode it: research §3.3): one
 * primary site with one server, its TCP and UDP interfaces on the Handle port and, when given,
 * the HTTP port of the REST API. It is the GET_SITE_INFO answer and the HS_SITE value on every
 * homed prefix's `0.NA/<prefix>` record, so a client that looks up a prefix finds this node.
 */
export interface SiteSettings {
  /** Host or IP clients reach the Handle port at (IDNODE_HANDLE_ADVERTISE). */
  readonly host: string;
  readonly port: number;
  /** The REST API's port, listed as an HTTP interface (query only). */
  readonly httpPort?: number;
  /** Bumped when the site changes; clients send it back in request headers. */
  readonly serial: number;
  readonly description: string;
}

const IFACE = { ADMIN_AND_QUERY: 3, QUERY: 2 } as const;
const PROTO = { UDP: 0, TCP: 1, HTTP: 2 } as const;
const PRIMARY = 0x80;
const HASH_BY_HANDLE = 2;

/** IPv4 is 12 zero bytes then the address (not ::ffff:); a name leaves it all zeros and goes in `domain`. */
function addressBytes(host: string): Buffer {
  const out = Buffer.alloc(16);
  if (isIP(host) === 4) Buffer.from(host.split('.').map(Number)).copy(out, 12);
  else if (isIP(host) === 6) ipv6Bytes(host).copy(out);
  return out;
}

function ipv6Bytes(host: string): Buffer {
  const [head = '', tail = ''] = host.split('::');
  const parts = (s: string) => (s === '' ? [] : s.split(':'));
  const h = parts(head);
  const t = host.includes('::') ? parts(tail) : [];
  const groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const b = Buffer.alloc(16);
  groups.slice(0, 8).forEach((g, i) => b.writeUInt16BE(Number.parseInt(g, 16) || 0, i * 2));
  return b;
}

export function encodeSiteInfo(s: SiteSettings): Buffer {
  const attributes: [string, string][] = [['desc', s.description]];
  if (isIP(s.host) === 0) attributes.push(['domain', s.host]);
  const w = new ByteWriter(160)
    .u16(1)
    .u8(SERVER_VERSION.major)
    .u8(SERVER_VERSION.minor)
    .u16(s.serial)
    .u8(PRIMARY)
    .u8(HASH_BY_HANDLE)
    .utf8('')
    .u32(attributes.length);
  for (const [k, v] of attributes) w.utf8(k).utf8(v);
  w.u32(1).u32(1).raw(addressBytes(s.host));
  // No server key yet: certified (CT) responses are not offered (docs/adr/0005).
  w.bytes(Buffer.alloc(0));
  const ifaces: [number, number, number][] = [
    [IFACE.ADMIN_AND_QUERY, PROTO.TCP, s.port],
    [IFACE.QUERY, PROTO.UDP, s.port],
  ];
  if (s.httpPort !== undefined) ifaces.push([IFACE.QUERY, PROTO.HTTP, s.httpPort]);
  w.u32(ifaces.length);
  for (const [type, proto, port] of ifaces) w.u8(type).u8(proto).u32(port);
  return w.done();
}
