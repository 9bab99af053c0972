import { Type } from 'typebox';
import type { ConfigSection } from '../../config-kit/section.ts';
import { intVar } from '../../config-kit/vars.ts';
import { DEFAULT_SESSION_SETTINGS, type SessionSettings } from './session-store.ts';

const d = DEFAULT_SESSION_SETTINGS;

const raw = Type.Object({
  IDNODE_SESSION_TTL_S: intVar(60, 86_400, {
    description: 'idle lifetime of a REST session (POST /api/sessions, Authorization: Handle)',
    default: String(d.ttlMs / 1000),
  }),
  IDNODE_SESSION_MAX: intVar(10, 1_000_000, {
    description: 'most REST sessions held in memory at once',
    default: String(d.max),
  }),
});

/** REST sessions (Handle.Net 9): how long an idle one lives and how many are held. */
export const sessionsSection: ConfigSection<typeof raw.properties, SessionSettings> = {
  name: 'sessions',
  raw,
  normalise: (v) => ({ ttlMs: Number(v.IDNODE_SESSION_TTL_S) * 1000, max: Number(v.IDNODE_SESSION_MAX) }),
};
