import { In } from '../../src/cli/handle-client/wire.ts';

/** HS_SITE as a CNRI client reads it (RFC 3651 §3.2.2; research §3.3): every field, no trailing bytes. */
export function readSite(b: Buffer) {
  const r = new In(b);
  const version = r.int(2);
  const protocol = [r.int(1), r.int(1)];
  const serial = r.int(2);
  const primary = (r.int(1) & 0x80) !== 0;
  const hashOption = r.int(1);
  r.text();
  const attrs: Record<string, string> = {};
  for (let n = r.int(4); n > 0; n--) attrs[r.text()] = r.text();
  const servers = [];
  for (let n = r.int(4); n > 0; n--) {
    const id = r.int(4);
    const addr = r.b.subarray(r.at, r.at + 16);
    r.at += 16;
    const ipv4 = addr.subarray(0, 12).every((x) => x === 0);
    const address = ipv4 ? [...addr.subarray(12)].join('.') : addr.toString('hex');
    r.blob();
    const interfaces = [];
    for (let k = r.int(4); k > 0; k--) interfaces.push({ type: r.int(1), protocol: r.int(1), port: r.int(4) });
    servers.push({ id, address, interfaces });
  }
  if (r.left() !== 0) throw new Error(`HS_SITE has ${r.left()} trailing bytes`);
  return { version, protocol, serial, primary, hashOption, attrs, servers };
}
