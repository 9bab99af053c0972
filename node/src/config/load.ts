import { parseArgs } from 'node:util';
import type { TProperties } from 'typebox';
import { readTrustedIssuers, trustSection, type TrustSettings } from '../access/trust-config.ts';
import type { TrustedIssuers } from '../access/trusted-issuers.ts';
import { secretsSection, type SecretSettings } from '../auth/secrets-config.ts';
import { sessionsSection } from '../auth/sessions/config.ts';
import type { SessionSettings } from '../auth/sessions/session-store.ts';
import { validateWorkers, workersSection, type WorkerSettings } from '../cluster/config.ts';
import { cacheSection } from '../cache/config.ts';
import type { CachePolicy } from '../cache/cache-policy.ts';
import { Problems, type Problem } from '../config-kit/problems.ts';
import { checkSection, type ConfigSection, type Vars } from '../config-kit/section.ts';
import { defaultTextOf, descriptionOf, expectedOf, isSecret } from '../config-kit/vars.ts';
import { federationSection, validateFederation, type FederationConfig } from '../federation/config.ts';
import { handleSection, validateHandle, withRoleDefault, type HandleSettings } from '../handle-protocol/config.ts';
import { readTlsMaterial, tlsSection, validateTls, type TlsSettings } from '../federation/tls-config.ts';
import type { TlsMaterial } from '../federation/tls-material.ts';
import {
  checkListenHost,
  httpSection,
  readHttpsMaterial,
  type HttpConfig,
  type HttpsMaterial,
} from '../http/config.ts';
import { logSection, metricsSection, type LogSettings, type MetricsSettings } from '../observability/config.ts';
import { passportSection } from '../passport/config.ts';
import type { PassportSettings } from '../passport/settings.ts';
import { checkDataDir, storeSection, type StoreSettings } from '../store/config.ts';
import { signingSection, type SigningSettings } from '../signing/config.ts';
import { closest, didYouMean } from './did-you-mean.ts';

/**
 * The node's whole configuration, from its sections (each beside its code: raw -> normalise),
 * then the rules across sections, then the files and names it points at (TLS, trusted issuers,
 * data directory, listen host). Every problem of every phase is collected and reported at once,
 * before anything is opened, created or bound.
 */
export interface NodeConfig {
  readonly http: HttpConfig;
  readonly store: StoreSettings;
  readonly cache: CachePolicy;
  readonly federation: FederationConfig;
  /** The native Handle protocol (RFC 3652) on TCP+UDP. */
  readonly handle: HandleSettings;
  readonly tls: TlsSettings;
  readonly passport: PassportSettings;
  readonly trust: TrustSettings;
  readonly log: LogSettings;
  readonly metrics: MetricsSettings;
  readonly secrets: SecretSettings;
  readonly sessions: SessionSettings;
  readonly workers: WorkerSettings;
  /** When answers are signed (IDNODE_SIGN_ANSWERS, ADR 0011). */
  readonly signing: SigningSettings;
}

/** The configuration with the files it names read and checked. */
export interface LoadedConfig extends NodeConfig {
  readonly tlsMaterial: TlsMaterial | undefined;
  /** The HTTPS certificate and key (IDNODE_TLS_CERT, IDNODE_TLS_KEY), read and checked. */
  readonly httpsMaterial: HttpsMaterial | undefined;
  /** Includes this node's public URL as an audience. */
  readonly trustedIssuers: TrustedIssuers;
}

/** Every problem, one line each, in the order found. */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(problems.join('\n'));
    this.problems = problems;
  }
}

// Heterogeneous on purpose: only names and schemas are read through this list.
const SECTIONS: readonly ConfigSection<TProperties, unknown>[] = [
  httpSection,
  storeSection,
  cacheSection,
  federationSection,
  handleSection,
  tlsSection,
  passportSection,
  trustSection,
  logSection,
  metricsSection,
  secretsSection,
  sessionsSection,
  workersSection,
  signingSection,
];

/** Read by the other programs of this package (the idnode CLI and its launcher), never by the server. */
const OTHER_PROGRAMS = new Set(['IDNODE_URL', 'IDNODE_USER', 'IDNODE_SECRET', 'IDNODE_LAUNCHER_REEXEC']);

const STEM = 'IDNODE_';

/** Flags mirror the variables: IDNODE_CACHE_MAX_MB is --cache-max-mb; IDNODE_HTTP_PORT is --port; secrets have none. */
function flagOf(name: string, secret: boolean): string | undefined {
  if (secret) return undefined;
  if (name === 'IDNODE_HTTP_PORT') return 'port';
  return name.slice(STEM.length).toLowerCase().replaceAll('_', '-');
}

export interface VariableDoc {
  readonly name: string;
  readonly section: string;
  readonly flag: string | undefined;
  readonly default: string;
  readonly expected: string;
  readonly meaning: string;
}

/** Every variable the server reads, with its section, flag, default and meaning (for docs and checks). */
export function serverVariables(): VariableDoc[] {
  return SECTIONS.flatMap((s) =>
    Object.entries(s.raw.properties).map(([name, schema]) => ({
      name,
      section: s.name,
      flag: flagOf(name, isSecret(schema)),
      default: defaultTextOf(schema),
      expected: expectedOf(schema),
      meaning: descriptionOf(schema),
    })),
  );
}

const VARIABLES = serverVariables();
const FLAGS = new Map(VARIABLES.flatMap((v) => (v.flag === undefined ? [] : [[v.flag, v.name] as const])));
/** The flag a secret would have, to point at the variable instead. */
const SECRETS = new Map(
  VARIABLES.filter((v) => v.flag === undefined).map((v) => [
    v.name.slice(STEM.length).toLowerCase().replaceAll('_', '-'),
    v.name,
  ]),
);

interface Collected {
  readonly vars: Vars;
  /** Variable -> the flag that set it, so a problem names what the operator typed. */
  readonly viaFlag: ReadonlyMap<string, string>;
}

/** IDNODE_* from the environment, then flags on top (flags win); unknown names are problems. */
function collect(env: Vars, argv: readonly string[], problems: Problems): Collected {
  const known = VARIABLES.map((v) => v.name);
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(STEM) || value === undefined || value === '' || OTHER_PROGRAMS.has(name)) continue;
    if (known.includes(name)) vars[name] = value;
    else problems.add(name, `is not an idnode variable${didYouMean(closest(name, known, STEM))}`);
  }
  const viaFlag = new Map<string, string>();
  const options = Object.fromEntries([...FLAGS.keys()].map((f) => [f, { type: 'string' as const }]));
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  let afterUnknown = false;
  for (const t of tokens) {
    if (t.kind === 'option-terminator') continue;
    if (t.kind === 'positional') {
      if (!afterUnknown) problems.add(JSON.stringify(t.value), 'is not a flag (flags are --name value)');
      afterUnknown = false;
      continue;
    }
    const name = FLAGS.get(t.name);
    afterUnknown = name === undefined;
    const secret = SECRETS.get(t.name);
    if (secret !== undefined) {
      problems.add(`--${t.name}`, `is not a flag: set ${secret} in the environment (argv is visible to every user)`);
    } else if (name === undefined) {
      const hint = didYouMean(closest(t.name, [...FLAGS.keys()]).map((f) => `--${f}`));
      problems.add(`--${t.name}`, `is not an idnode flag${hint}`);
    } else if (t.value === undefined) {
      problems.add(`--${t.name}`, 'needs a value');
    } else if (t.value !== '') {
      vars[name] = t.value;
      viaFlag.set(name, t.name);
    }
  }
  return { vars, viaFlag };
}

interface Parsed {
  readonly config: NodeConfig;
  readonly problems: Problems;
  readonly viaFlag: ReadonlyMap<string, string>;
}

function parse(env: Vars, argv: readonly string[]): Parsed {
  const problems = new Problems();
  const { vars, viaFlag } = collect(env, argv, problems);
  // Phase 1, each variable alone; phase 2, each section (closures keep every section's own types).
  const read = <P extends TProperties, N>(section: ConfigSection<P, N>) => {
    const raw = checkSection(section, vars, problems);
    return () => section.normalise(raw, problems);
  };
  const sections = {
    http: read(httpSection),
    store: read(storeSection),
    cache: read(cacheSection),
    federation: read(federationSection),
    handle: read(handleSection),
    tls: read(tlsSection),
    passport: read(passportSection),
    trust: read(trustSection),
    log: read(logSection),
    metrics: read(metricsSection),
    secrets: read(secretsSection),
    sessions: read(sessionsSection),
    workers: read(workersSection),
    signing: read(signingSection),
  };
  problems.endPhase();
  const federation = sections.federation();
  const config: NodeConfig = {
    http: sections.http(),
    store: sections.store(),
    cache: sections.cache(),
    federation,
    handle: withRoleDefault(sections.handle(), federation.role),
    tls: sections.tls(),
    passport: sections.passport(),
    trust: sections.trust(),
    log: sections.log(),
    metrics: sections.metrics(),
    secrets: sections.secrets(),
    sessions: sections.sessions(),
    workers: sections.workers(),
    signing: sections.signing(),
  };
  problems.endPhase();
  // Phase 3, the whole.
  validateFederation(config, problems);
  validateHandle(config, problems);
  validateTls(config, problems);
  validateWorkers({ workers: config.workers, role: config.federation.role }, problems);
  problems.endPhase();
  return { config, problems, viaFlag };
}

function failIfAny({ problems, viaFlag }: Omit<Parsed, 'config'>): void {
  if (problems.list.length === 0) return;
  const line = (p: Problem) => {
    const flag = viaFlag.get(p.variable);
    return `${p.variable}${flag === undefined ? '' : ` (--${flag})`} ${p.text}`;
  };
  throw new ConfigError(problems.list.map(line));
}

/** The configuration without touching the file system or DNS (tests, tools); throws ConfigError. */
export function parseConfig(env: Vars, argv: readonly string[]): NodeConfig {
  const parsed = parse(env, argv);
  failIfAny(parsed);
  return parsed.config;
}

/**
 * The configuration, with TLS and trust files read and checked, the data directory and the
 * listen host checked: every problem at once (ConfigError), before any side effect.
 */
export async function loadConfig(env: Vars, argv: readonly string[]): Promise<LoadedConfig> {
  const parsed = parse(env, argv);
  const { config, problems } = parsed;
  const own = config.passport.publicUrl === undefined ? [] : [config.passport.publicUrl];
  // Phase 4, what the values point at.
  const [tlsMaterial, trustedIssuers, httpsMaterial] = await Promise.all([
    config.tls.files === undefined ? undefined : readTlsMaterial(config.tls.files, problems),
    readTrustedIssuers(config.trust, own, problems),
    config.http.tls === undefined ? undefined : readHttpsMaterial(config.http.tls, problems),
    checkDataDir(config.store.dataDir, problems),
    checkListenHost(config.http.host, problems),
  ]);
  failIfAny(parsed);
  return {
    ...config,
    tlsMaterial,
    httpsMaterial,
    trustedIssuers: trustedIssuers ?? { issuers: new Map(), audience: own },
  };
}
