import { visibleValues } from '../records/access.ts';
import type { AccessTier, HandleValue } from '../records/types.ts';
import { isWebUrl } from '../records/validate-values.ts';
import { isLinkValue, readLink, type PassportLink } from '../records/link-value.ts';

/** IANA relation for a URL value listed in a linkset: a resource that describes the identified thing. */
export const URL_VALUE_RELATION = 'describedby';

/** The links one reader may see in one record, split the way negotiation needs them. */
export interface LinkView {
  /** Current links (not superseded), by index. */
  readonly current: readonly PassportLink[];
  /** Earlier versions, listed as `predecessor-version`, newest first. */
  readonly superseded: readonly PassportLink[];
  /** Where a plain scan goes: the current link marked default (lowest index), else the lowest-index current link. */
  readonly defaultLink: PassportLink | undefined;
  /** True when the record has no LINK value this reader sees and `current` lists its URL values instead. */
  readonly fromUrls: boolean;
}

function urlLink(v: HandleValue): PassportLink {
  return {
    index: v.index,
    linkType: URL_VALUE_RELATION,
    href: v.data.value as string,
    title: `URL value ${v.index}`,
    type: undefined,
    hreflang: ['und'],
    context: undefined,
    isDefault: false,
    version: undefined,
    superseded: false,
    fwqs: true,
    access: v.access,
    ttl: v.ttl,
  };
}

/**
 * A URL value a renderer may redirect to or list: one that passes the URL value rule. A stored
 * value that does not (written before the rule, restored, written around it) is not served.
 */
export const isUrlValue = (v: HandleValue): boolean => v.type.toUpperCase() === 'URL' && isWebUrl(v.data.value);

/** Where `?index=N` redirects for this value: a servable URL value's URL, a valid LINK's href, or nothing. */
export function redirectTargetOf(v: HandleValue): { readonly href: string; readonly link: boolean } | undefined {
  if (isUrlValue(v)) return { href: v.data.value as string, link: false };
  const link = readLink(v);
  return link === undefined ? undefined : { href: link.href, link: true };
}
const byIndex = (a: PassportLink, b: PassportLink): number => a.index - b.index;

/** Links visible to `tier`: a link the reader may not see is never in the view, so never in any answer. */
export function linkView(values: readonly HandleValue[], tier: AccessTier): LinkView {
  const visible = visibleValues(values, tier);
  const links = visible
    .filter(isLinkValue)
    .map(readLink)
    .filter((l): l is PassportLink => l !== undefined)
    .sort(byIndex);
  const fromUrls = links.length === 0;
  const current = fromUrls ? visible.filter(isUrlValue).map(urlLink).sort(byIndex) : links.filter((l) => !l.superseded);
  const superseded = links.filter((l) => l.superseded).sort((a, b) => b.index - a.index);
  const defaultLink = current.find((l) => l.isDefault) ?? current[0];
  return { current, superseded, defaultLink, fromUrls };
}

/** The shortest TTL among the links shown: how long a shared cache may keep the answer. */
export function minTtl(view: LinkView, cap: number): number {
  let m = cap;
  for (const l of view.current) if (l.ttl < m) m = l.ttl;
  for (const l of view.superseded) if (l.ttl < m) m = l.ttl;
  return m;
}
