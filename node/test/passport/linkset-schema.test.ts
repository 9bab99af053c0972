import { describe, expect, it } from 'vitest';
import { gs1Linkset, idnodeLinkset } from '../../src/passport/linkset.ts';
import { linkView } from '../../src/passport/links.ts';
import { checkGs1Linkset, checkLinkset } from '../../src/passport/linkset-validator.ts';
import type { HandleValue } from '../../src/records/types.ts';

/**
 * The ajv check against linkset.schema.json (idnode's own form, application/vnd.idnode.linkset+json)
 * accepts what idnode writes and rejects what RFC 9264 forbids; GS1's form of the same links passes
 * GS1's schema (gs1-linkset.test.ts checks every linkset the node serves against it).
 */

const value = (index: number, v: Record<string, unknown>, access: HandleValue['access'] = 'public'): HandleValue => ({
  index,
  type: 'LINK',
  data: { format: 'json', value: v },
  ttl: 60,
  timestamp: '2026-01-01T00:00:00Z',
  access,
});

const ANCHOR = 'https://id.example/88.100.5/BAT-1';
const ok = (ctx: Record<string, unknown>) => ({ linkset: [{ anchor: ANCHOR, ...ctx }] });
const target = { href: 'https://p.example/1', title: 'DPP' };

describe('linkset schema', () => {
  it('accepts a built linkset with every kind of target', () => {
    const view = linkView(
      [
        value(1, { linkType: 'gs1:dpp', href: 'https://p.example/2', title: 'v2', version: '2', default: true }),
        value(2, { linkType: 'gs1:dpp', href: 'https://p.example/1', title: 'v1', version: '1', superseded: true }),
        value(3, { linkType: 'untp:dpp', href: 'https://p.example/vc', title: 'VC', type: 'application/vc+jwt' }),
        value(4, {
          linkType: 'gs1:pip',
          href: 'https://p.example/p',
          title: 'Seite',
          hreflang: ['de', 'de-AT'],
          context: 'EU',
        }),
      ],
      'public',
    );
    const contexts = [{ anchor: ANCHOR, itemDescription: 'A battery', view }];
    const doc = idnodeLinkset(contexts);
    expect(checkLinkset(doc)).toEqual({ valid: true, errors: [] });
    expect(checkGs1Linkset(gs1Linkset(contexts))).toEqual({ valid: true, errors: [] });
    expect(Object.keys(doc.linkset[0] ?? {})).toEqual([
      'anchor',
      'itemDescription',
      'https://gs1.org/voc/dpp',
      'https://test.uncefact.org/vocabulary/untp/dpp',
      'https://gs1.org/voc/pip',
      'https://gs1.org/voc/defaultLink',
      'predecessor-version',
    ]);
  });

  it.each([
    ['no linkset member', {}],
    ['an empty linkset', { linkset: [] }],
    ['a context without anchor', { linkset: [{ 'https://gs1.org/voc/pip': [target] }] }],
    ['a context with no relation', { linkset: [{ anchor: ANCHOR }] }],
    ['a relation that is neither registered nor an IRI', ok({ 'Product Page': [target] })],
    ['a relation whose value is not an array', ok({ 'https://gs1.org/voc/pip': target })],
    ['a target without href', ok({ 'https://gs1.org/voc/pip': [{ title: 'x' }] })],
    ['a target without title (GS1)', ok({ 'https://gs1.org/voc/pip': [{ href: 'https://p.example' }] })],
    ['hreflang as a string', ok({ 'https://gs1.org/voc/pip': [{ ...target, hreflang: 'en' }] })],
    ['an extension attribute that is not an array', ok({ 'https://gs1.org/voc/pip': [{ ...target, context: 'EU' }] })],
    ['an anchor inside a target', ok({ 'https://gs1.org/voc/pip': [{ ...target, anchor: ANCHOR }] })],
    ['a bad media type', ok({ 'https://gs1.org/voc/pip': [{ ...target, type: 'html' }] })],
    ['extra top-level members', { linkset: [{ anchor: ANCHOR, describedby: [target] }], more: 1 }],
  ])('rejects %s', (_name, doc) => {
    expect(checkLinkset(doc).valid).toBe(false);
  });
});
