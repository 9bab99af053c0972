import { resolve as resolvePath } from 'node:path';
import { Type } from 'typebox';
import type { Problems } from '../config-kit/problems.ts';
import type { ConfigSection } from '../config-kit/section.ts';
import { textVar } from '../config-kit/vars.ts';
import { loadTrustedIssuers, TrustConfigError, type TrustedIssuers } from './trusted-issuers.ts';

/** Who may vouch for a passport reader: the trusted-issuers file (see ./trusted-issuers.ts). */
export interface TrustSettings {
  /** Absolute path; undefined: no issuer is trusted. */
  readonly file: string | undefined;
}

const raw = Type.Object({
  IDNODE_TRUSTED_ISSUERS: Type.Optional(
    textVar('the path of a JSON file', {
      description: 'trusted issuers of passport reader credentials (JSON file); unset: none',
    }),
  ),
});

export const trustSection: ConfigSection<typeof raw.properties, TrustSettings> = {
  name: 'trust',
  raw,
  normalise: (v) => ({
    file: v.IDNODE_TRUSTED_ISSUERS === undefined ? undefined : resolvePath(v.IDNODE_TRUSTED_ISSUERS),
  }),
};

/**
 * Reads and checks the file before anything is opened. `ownAudience`: this node's public URL,
 * an audience a credential may name besides those the file lists.
 */
export async function readTrustedIssuers(
  settings: TrustSettings,
  ownAudience: readonly string[],
  problems: Problems,
): Promise<TrustedIssuers | undefined> {
  try {
    const trust = await loadTrustedIssuers(settings.file);
    return { ...trust, audience: [...trust.audience, ...ownAudience] };
  } catch (e) {
    if (!(e instanceof TrustConfigError)) throw e;
    for (const r of e.reasons)
      problems.add('IDNODE_TRUSTED_ISSUERS', `names a file that cannot be used: ${e.file}: ${r}`);
    return undefined;
  }
}
