import { HandleClient } from '../../node/src/cli/handle-client/client.ts';
import { UNTOUCHED, UNTOUCHED_URL, type FuzzTarget } from './target.ts';

/**
 * Is the node still answering correctly after the fuzz? Health, and the one record no fuzzer could
 * write (88.100.7's admin was never handed out), read over HTTP, Handle UDP and Handle TCP.
 */

export interface AfterCheck {
  readonly name: string;
  readonly pass: boolean;
  readonly detail: string;
}

async function http(base: string, path: string, want: (status: number, text: string) => boolean): Promise<AfterCheck> {
  try {
    const res = await fetch(base + path);
    const text = await res.text();
    return { name: `GET ${path}`, pass: want(res.status, text), detail: `${res.status} ${text.slice(0, 120)}` };
  } catch (e) {
    return { name: `GET ${path}`, pass: false, detail: (e as Error).message };
  }
}

async function native(t: FuzzTarget, udp: boolean): Promise<AfterCheck> {
  const name = `Handle ${udp ? 'UDP' : 'TCP'} resolve ${UNTOUCHED}`;
  try {
    const client = new HandleClient({ host: '127.0.0.1', port: t.handlePort, udp, udpWaitsMs: [500, 1000] });
    const a = await client.resolve(UNTOUCHED);
    const found = (a.values ?? []).some((v) => v.type === 'URL' && v.data.toString('utf8') === UNTOUCHED_URL);
    const via = udp ? a.via === 'udp' : true;
    return {
      name,
      pass: a.rc === 1 && via && found,
      detail: `rc ${a.rc} via ${a.via}, URL ${found ? 'as seeded' : 'WRONG'}`,
    };
  } catch (e) {
    return { name, pass: false, detail: (e as Error).message };
  }
}

export async function checkAfter(t: FuzzTarget): Promise<AfterCheck[]> {
  const base = t.node.url;
  return [
    await http(base, '/livez', (s) => s === 200),
    await http(base, '/readyz', (s) => s === 200),
    await http(base, `/api/handles/${UNTOUCHED}`, (s, text) => s === 200 && text.includes(UNTOUCHED_URL)),
    await http(base, `/${UNTOUCHED}?noredirect`, (s) => s < 500),
    await native(t, true),
    await native(t, false),
  ];
}
