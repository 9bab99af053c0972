import { PRIMARY_KEY_AIS } from './gs1-keys.ts';
import { NAMESPACES, vocabulary } from '../records/link-types.ts';
import { GS1_LINKSET_CONTEXT, IDNODE_LINKSET_MEDIA_TYPE, JSON_LD_MEDIA_TYPE, LINKSET_MEDIA_TYPE } from './linkset.ts';

/**
 * The resolver description served at /.well-known/gs1resolver (GS1 Resolver 1.2: name,
 * resolverRoot, supportedPrimaryKeys, supportedLinkType namespaces with their CURIE prefixes, as
 * in GS1's description-file schema; the linkset media types and JSON-LD context besides) with
 * idnode's identifier schemes added.
 */
export interface DescriptionInput {
  readonly root: string;
  readonly prefixes: readonly string[];
  readonly gs1Prefix: string | undefined;
}

export function resolverDescription(d: DescriptionInput): Record<string, unknown> {
  return {
    name: 'idnode resolution node',
    resolverRoot: d.root,
    supportedLinkType: Object.entries(NAMESPACES).map(([prefix, namespace]) => ({ namespace, prefix: `${prefix}:` })),
    linkTypes: vocabulary(),
    supportedPrimaryKeys: d.gs1Prefix === undefined ? [] : PRIMARY_KEY_AIS,
    linkTypeDefaultCanBeLinkset: false,
    linkTypeDefaultCanBeAll: false,
    supportsLanguageVariants: true,
    supportsContextVariants: true,
    supportsMediaTypeVariants: true,
    supportsSemanticInterpretation: false,
    validatesAIcombination: true,
    linksetMediaType: LINKSET_MEDIA_TYPE,
    linksetMediaTypes: [LINKSET_MEDIA_TYPE, 'application/json', JSON_LD_MEDIA_TYPE, IDNODE_LINKSET_MEDIA_TYPE],
    linksetContext: GS1_LINKSET_CONTEXT,
    identifierSchemes: [
      {
        scheme: 'handle',
        description:
          'Handle-style industrial internet identifiers prefix/suffix; GET /{prefix} is the prefix record 0.NA/{prefix}.',
        prefixes: d.prefixes,
        template: `${d.root}/{prefix}/{suffix}`,
      },
      ...(d.gs1Prefix === undefined
        ? []
        : [
            {
              scheme: 'gs1-digital-link',
              description:
                'GS1 Digital Link paths; the path (GTIN as 14 digits) is the suffix under the mapped prefix.',
              primaryKeys: PRIMARY_KEY_AIS,
              qualifiers: ['22', '10', '21', '254', '7040', '8011', '8019'],
              template: `${d.root}/01/{gtin}/21/{serial}`,
              mapsTo: `${d.gs1Prefix}/01/{gtin14}/21/{serial}`,
            },
          ]),
    ],
  };
}
