import { Type } from 'typebox';
import type { ConfigSection } from '../config-kit/section.ts';
import { enumVar, intVar, textVar } from '../config-kit/vars.ts';

/** The transparency log of every change (docs/adr/0012-transparency-log.md). */
export interface TlogSettings {
  readonly enabled: boolean;
  /** The checkpoint's origin line and note key name; derived from IDNODE_PUBLIC_URL when unset. */
  readonly origin: string | undefined;
  /** How often a new checkpoint is signed while the tree grows. */
  readonly checkpointMs: number;
}

export const DEFAULT_TLOG_SETTINGS: TlogSettings = { enabled: true, origin: undefined, checkpointMs: 2000 };

const raw = Type.Object({
  IDNODE_TLOG: enumVar(['on', 'off'], {
    description: 'the transparency log of every change: /log/checkpoint, /log/tile/..., ?proof=true',
    default: 'on',
  }),
  IDNODE_TLOG_ORIGIN: Type.Optional(
    textVar(
      'a schema-less URL without spaces or "+", e.g. idnode.example.org/log',
      {
        description: "the checkpoint's origin line and the log key's name",
        defaultText: 'IDNODE_PUBLIC_URL without its scheme, plus /log; else idnode.invalid/<node id>/log',
      },
      { pattern: '^[^\\s+]{1,200}$' },
    ),
  ),
  IDNODE_TLOG_CHECKPOINT_MS: intVar(100, 60_000, {
    description: 'how often a new checkpoint is signed while changes flow',
    default: String(DEFAULT_TLOG_SETTINGS.checkpointMs),
  }),
});

export const tlogSection: ConfigSection<typeof raw.properties, TlogSettings> = {
  name: 'tlog',
  raw,
  normalise: (v) => ({
    enabled: v.IDNODE_TLOG === 'on',
    origin: v.IDNODE_TLOG_ORIGIN,
    checkpointMs: Number(v.IDNODE_TLOG_CHECKPOINT_MS),
  }),
};

/** tlog-tiles: the origin SHOULD be the log's URL prefix without scheme and trailing slash. */
export function originOf(settings: TlogSettings, publicUrl: string | undefined, nodeId: string): string {
  if (settings.origin !== undefined) return settings.origin;
  if (publicUrl !== undefined) return `${publicUrl.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '')}/log`;
  return `idnode.invalid/${nodeId.replace(/[\s+]/g, '-')}/log`;
}
