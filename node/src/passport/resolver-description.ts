import { NAMESPACES, vocabulary } from './link-types.ts';

/**
 * The resolver description served at /.well-known/gs1resolver (GS1 Resolver standard; fields as
 * in GS1 Resolver CE's gs1resolver.json) with idnode's identifier schemes added.
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
    supportedPrimaryKeys: d.gs1Prefix === undefined ? [] : ['01'],
    linkTypeDefaultCanBeAll: false,
    supportsLanguageVariants: true,
    supportsContextVariants: true,
    supportsMediaTypeVariants: true,
    supportsSemanticInterpretation: false,
    validatesAIcombination: true,
    linksetMediaType: 'application/linkset+json',
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
              primaryKeys: ['01'],
              qualifiers: ['22', '10', '21'],
              template: `${d.root}/01/{gtin}/21/{serial}`,
              mapsTo: `${d.gs1Prefix}/01/{gtin14}/21/{serial}`,
            },
          ]),
    ],
  };
}
