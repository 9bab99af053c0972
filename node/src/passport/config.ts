import { Type } from 'typebox';
import type { Problems } from '../config-kit/problems.ts';
import type { ConfigSection } from '../config-kit/section.ts';
import { textVar } from '../config-kit/vars.ts';
import { parsePrefix } from '../identifier/index.ts';
import type { PassportSettings } from './settings.ts';

const URL_SHAPE = 'an absolute http(s) URL without query or fragment, e.g. https://id.example.com';

const raw = Type.Object({
  IDNODE_PUBLIC_URL: Type.Optional(
    textVar(
      URL_SHAPE,
      {
        description: 'base URL printed in QR codes and used as linkset anchor',
        defaultText: 'http://<host>:<port>',
      },
      { maxLength: 512 },
    ),
  ),
  IDNODE_GS1_PREFIX: Type.Optional(
    textVar(
      'a prefix, e.g. 88.100.5',
      { description: 'prefix GS1 Digital Link paths map under', defaultText: 'first homed prefix' },
      { maxLength: 64 },
    ),
  ),
});

function publicUrlOf(text: string | undefined, problems: Problems): string | undefined {
  if (text === undefined) return undefined;
  const bad = (why: string) =>
    void problems.add('IDNODE_PUBLIC_URL', `must be ${URL_SHAPE} (got ${JSON.stringify(text)}: ${why})`);
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return bad('not an absolute URL');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return bad(`scheme ${u.protocol}`);
  if (u.search !== '' || u.hash !== '') return bad('it has a query or fragment');
  return u.href.replace(/\/+$/, '');
}

function gs1PrefixOf(text: string | undefined, problems: Problems): string | undefined {
  if (text === undefined) return undefined;
  try {
    return parsePrefix(text, 'text').prefix;
  } catch (e) {
    problems.add('IDNODE_GS1_PREFIX', `must be a prefix (got ${JSON.stringify(text)}: ${(e as Error).message})`);
    return undefined;
  }
}

/** Passport rendering: the public base URL and the GS1 Digital Link prefix. */
export const passportSection: ConfigSection<typeof raw.properties, PassportSettings> = {
  name: 'passport',
  raw,
  normalise: (v, problems) => ({
    publicUrl: publicUrlOf(v.IDNODE_PUBLIC_URL, problems),
    gs1Prefix: gs1PrefixOf(v.IDNODE_GS1_PREFIX, problems),
  }),
};
