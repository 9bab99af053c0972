import { gs1CheckDigit } from '../../src/passport/gs1.ts';
import { urlValue, type TestNode } from '../helpers/test-node.ts';
import { create, link } from './passport-helpers.ts';

/**
 * A product registered the way a GS1 user would (GS1 prefix 88.100.5, the first homed one): a
 * GTIN with several link types, languages (two-letter, with region, script, three-letter and
 * none), versions and restricted links, a lot and a serial below it, a template for another
 * GTIN's serials, a URL-only GTIN, a GLN with an extension and a GIAI. The GS1 tests resolve it.
 */

/** A valid GS1 key of digits: the body plus its mod-10 check digit. */
export const withCheckDigit = (body: string): string => `${body}${gs1CheckDigit(body)}`;

export const GTIN = '09506000134352';
export const GTIN13 = '9506000134352';
export const TEMPLATE_GTIN = withCheckDigit('0950600013437');
export const URL_GTIN = withCheckDigit('0950600013438');
export const GLN = withCheckDigit('952123450000');
export const GIAI = '95212345AB-1';
export const LOT = 'LOT-7';
export const SERIAL = 'SN-1';
const P = 'https://maker.example.com/bat48';

export const HREF = {
  pipEn: `${P}/pip/en`,
  pipDe: `${P}/pip/de`,
  dppV2: `${P}/dpp/v2`,
  dppV1: `${P}/dpp/v1`,
  dppZh: `${P}/dpp/zh`,
  instructions: `${P}/manual`,
  instructionsGsw: `${P}/manual/gsw`,
  instructionsEs: `${P}/manual/es-419`,
  certHtml: `${P}/cert.html`,
  certPdf: `${P}/cert.pdf`,
  safetyEu: `${P}/safety/eu`,
  recycling: `${P}/recycling-restricted`,
  carbon: `${P}/carbon-authority`,
  lotTrace: `${P}/lot/${LOT}/trace`,
  serialDpp: `${P}/serial/${SERIAL}`,
  noForward: `${P}/plain-target`,
  template: 'https://maker.example.com/t',
  urlOnly: 'https://maker.example.com/url-only',
  gln: 'https://maker.example.com/site',
  glnDock: 'https://maker.example.com/site/dock-12',
  giai: 'https://maker.example.com/asset',
};

export const NON_PUBLIC = ['recycling-restricted', 'carbon-authority'];

const text = (index: number, type: string, value: string) => ({ index, type, data: { format: 'string', value } });

export async function registerGs1Fixture(node: TestNode): Promise<void> {
  await create(node, `88.100.5/01/${GTIN}`, [
    text(1, 'ITEM_DESCRIPTION', 'Battery pack 48 V'),
    link(2, {
      linkType: 'gs1:pip',
      href: HREF.pipEn,
      title: 'Product page',
      type: 'text/html',
      hreflang: ['en'],
      default: true,
    }),
    link(3, { linkType: 'gs1:pip', href: HREF.pipDe, title: 'Produktseite', type: 'text/html', hreflang: ['de-AT'] }),
    link(4, { linkType: 'gs1:dpp', href: HREF.dppV2, title: 'Battery passport', version: '2', hreflang: ['en'] }),
    link(5, {
      linkType: 'gs1:dpp',
      href: HREF.dppV1,
      title: 'Battery passport v1',
      version: '1',
      superseded: true,
      hreflang: ['en'],
    }),
    link(6, { linkType: 'gs1:dpp', href: HREF.dppZh, title: '电池护照', hreflang: ['zh-Hans-CN'], version: '2' }),
    link(7, { linkType: 'gs1:instructions', href: HREF.instructions, title: 'Manual' }),
    link(8, { linkType: 'gs1:instructions', href: HREF.instructionsGsw, title: 'Aaleitig', hreflang: ['gsw'] }),
    link(9, { linkType: 'gs1:instructions', href: HREF.instructionsEs, title: 'Manual', hreflang: ['es-419'] }),
    link(10, {
      linkType: 'gs1:certificationInfo',
      href: HREF.certHtml,
      title: 'Certificate',
      type: 'text/html',
      hreflang: ['en'],
    }),
    link(11, {
      linkType: 'gs1:certificationInfo',
      href: HREF.certPdf,
      title: 'Certificate',
      type: 'application/pdf',
      hreflang: ['en'],
    }),
    link(12, { linkType: 'gs1:safetyInfo', href: HREF.safetyEu, title: 'Safety (EU)', context: 'EU' }),
    link(
      13,
      { linkType: 'gs1:recyclingInfo', href: HREF.recycling, title: 'Dismantling', hreflang: ['und'] },
      { access: 'legitimate-interest' },
    ),
    link(14, { linkType: 'idnode:carbonFootprint', href: HREF.carbon, title: 'PCF data' }, { access: 'authority' }),
    link(15, { linkType: 'gs1:masterData', href: HREF.noForward, title: 'Master data', fwqs: false }),
  ]);
  await create(node, `88.100.5/01/${GTIN}/10/${LOT}`, [
    text(1, 'DESC', `Lot ${LOT}`),
    link(2, { linkType: 'gs1:traceability', href: HREF.lotTrace, title: 'Traceability of the lot' }),
  ]);
  await create(node, `88.100.5/01/${GTIN}/10/${LOT}/21/${SERIAL}`, [
    link(1, { linkType: 'gs1:dpp', href: HREF.serialDpp, title: 'Passport of this battery', default: true }),
  ]);
  await create(node, '88.100.5/TEMPLATE.DL', [
    { index: 1, type: 'TEMPLATE', data: { format: 'json', value: { pattern: `01/${TEMPLATE_GTIN}/21/{serial}` } } },
    link(2, { linkType: 'gs1:dpp', href: `${HREF.template}/{serial}`, title: 'Passport {serial}' }),
  ]);
  await create(node, `88.100.5/01/${URL_GTIN}`, [urlValue(1, HREF.urlOnly)]);
  await create(node, `88.100.5/414/${GLN}`, [
    link(1, { linkType: 'https://gs1.org/voc/locationInfo', href: HREF.gln, title: 'The site' }),
  ]);
  await create(node, `88.100.5/414/${GLN}/254/DOCK-12`, [
    link(1, { linkType: 'gs1:instructions', href: HREF.glnDock, title: 'Dock 12 delivery instructions' }),
  ]);
  await create(node, `88.100.5/8004/${GIAI}`, [link(1, { linkType: 'gs1:pip', href: HREF.giai, title: 'Asset' })]);
}

/** Digital Link paths of the fixture, each a different kind of answer. */
export const DL_PATHS = {
  gtin: `/01/${GTIN}`,
  gtin13: `/01/${GTIN13}`,
  lot: `/01/${GTIN}/10/${LOT}`,
  serial: `/01/${GTIN}/10/${LOT}/21/${SERIAL}`,
  /** walks up to the lot */
  unknownSerial: `/01/${GTIN}/10/${LOT}/21/SN-404`,
  /** walks up to the GTIN */
  unknownLot: `/01/${GTIN}/10/LOT-404`,
  unknownLotSerial: `/01/${GTIN}/10/LOT-404/21/SN-1`,
  serialWithoutLot: `/01/${GTIN}/21/SN-9`,
  template: `/01/${TEMPLATE_GTIN}/21/T-77`,
  urlOnly: `/01/${URL_GTIN}`,
  gln: `/414/${GLN}`,
  glnExtension: `/414/${GLN}/254/DOCK-12`,
  unknownGlnExtension: `/414/${GLN}/254/DOCK-99`,
  giai: `/8004/${GIAI}`,
} as const;
