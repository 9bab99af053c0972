import { Type } from 'typebox';
import { parsePrefixList } from '../config-kit/prefix-list.ts';
import type { ConfigSection } from '../config-kit/section.ts';
import type { Problems } from '../config-kit/problems.ts';
import { enumVar, intVar, textVar } from '../config-kit/vars.ts';

/** The operational log (pino) and the bounded metric labels. */

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export interface LogSettings {
  readonly level: (typeof LOG_LEVELS)[number];
}

const logRaw = Type.Object({
  IDNODE_LOG_LEVEL: enumVar(LOG_LEVELS, { description: 'pino log level', default: 'info' }),
});

export const logSection: ConfigSection<typeof logRaw.properties, LogSettings> = {
  name: 'log',
  raw: logRaw,
  normalise: (v) => ({ level: v.IDNODE_LOG_LEVEL }),
};

export interface MetricsSettings {
  /** Prefixes always given their own `prefix` label, besides the homed ones. */
  readonly prefixes: readonly string[];
  /** At most this many `prefix` label values; the rest count as "other". */
  readonly prefixLimit: number;
  /** The idnode dashboard in the operator's Grafana, linked from the console. */
  readonly grafanaUrl: string | undefined;
}

const GRAFANA_SHAPE = 'an http(s) URL, e.g. http://127.0.0.1:3000/d/idnode';

const metricsRaw = Type.Object({
  IDNODE_METRICS_PREFIXES: Type.Optional(
    textVar('prefixes separated by commas, e.g. 88.100.5,88.200.7', {
      description: 'prefixes always given their own metric label, besides the homed ones',
    }),
  ),
  IDNODE_METRICS_PREFIX_LIMIT: intVar(1, 10_000, {
    description: 'most prefix label values; further prefixes count as "other"',
    default: '50',
  }),
  IDNODE_GRAFANA_URL: Type.Optional(
    textVar(
      GRAFANA_SHAPE,
      { description: 'the idnode dashboard in your Grafana (deploy/grafana), linked from the console' },
      { maxLength: 512 },
    ),
  ),
});

function grafanaUrl(text: string | undefined, problems: Problems): string | undefined {
  if (text === undefined) return undefined;
  try {
    const u = new URL(text);
    if (u.protocol === 'https:' || u.protocol === 'http:') return u.href;
  } catch {
    // reported below
  }
  problems.add('IDNODE_GRAFANA_URL', `must be ${GRAFANA_SHAPE} (got ${JSON.stringify(text.slice(0, 100))})`);
  return undefined;
}

export const metricsSection: ConfigSection<typeof metricsRaw.properties, MetricsSettings> = {
  name: 'metrics',
  raw: metricsRaw,
  normalise: (v, problems) => ({
    prefixes:
      v.IDNODE_METRICS_PREFIXES === undefined
        ? []
        : parsePrefixList('IDNODE_METRICS_PREFIXES', v.IDNODE_METRICS_PREFIXES, problems).map((p) => p.prefix),
    prefixLimit: Number(v.IDNODE_METRICS_PREFIX_LIMIT),
    grafanaUrl: grafanaUrl(v.IDNODE_GRAFANA_URL, problems),
  }),
};
