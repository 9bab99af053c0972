import { IdnError } from '../../node/src/errors/idn-error.ts';
import { isUnderPrefix, parsePrefix } from '../../node/src/identifier/index.ts';
import type { HandleValue, StoredRecord } from '../../node/src/records/types.ts';
import type { Store } from '../../node/src/store/store.ts';
import { Idempotency } from './idempotency.ts';
import { PrefixTrie } from './prefix-trie.ts';
import {
  REG_PREFIX,
  checkSimpleId,
  jsonValue,
  keyOf,
  lostRace,
  naHandleOf,
  putState,
  readState,
  requestHash,
} from './registry-records.ts';

/**
 * The prefix directory of the top-level node. It owns a root prefix (e.g. "88"), registers
 * secondary nodes and delegates prefixes under the root to them. Each delegation is the record
 * `0.NA/<prefix>` with an HS_SITE value naming the serving node (Handle practice), so it is
 * durable, replicated by the change log, and resolvable like any prefix record. Lookups use an
 * in-memory trie rebuilt from the store on open. (One writer per store: a second instance over
 * a shared store would not see this one's later delegations until it reopens.)
 */

export type NodeRole = 'top-level' | 'secondary' | 'caching';

export interface NodeRegistration {
  readonly nodeId: string;
  readonly role: NodeRole;
  readonly grpcAddress: string;
  readonly httpAddress?: string;
  /** The identity (e.g. certificate SAN) the node presents over mTLS; the transport checks it. */
  readonly certIdentity: string;
}

/** HS_SITE-style answer: who serves the prefix and where. */
export interface SiteInfo {
  readonly nodeId: string;
  readonly grpcAddress: string;
  readonly httpAddress?: string;
  readonly primary: boolean;
}

export interface Delegation {
  readonly prefix: string;
  readonly nodeId: string;
  readonly delegatedAt: string;
  /** Version of the 0.NA record: bumps on every transfer. */
  readonly version: number;
  readonly site: SiteInfo;
}

export interface DelegateOptions {
  readonly actor: string;
  /** Move a prefix already delegated to another node. Without it re-delegation is refused. */
  readonly transfer?: boolean;
  readonly idempotencyKey?: string;
}

export interface DelegationDecision {
  readonly decision: 'granted' | 'already-granted';
  readonly delegation: Delegation;
}

const SITE_INDEX = 1;
const DELEGATION_INDEX = 2;
const DELEGATION_TYPE = 'IDN_DELEGATION';

interface DelegationState {
  readonly nodeId: string;
  readonly delegatedAt: string;
  readonly transferredFrom?: string;
}

const nodeHandle = (nodeId: string): string => `${REG_PREFIX}/NODE/${nodeId}`;

export class DelegationRegistry {
  readonly rootPrefix: string;
  readonly #rootKey: string;
  readonly #store: Store;
  readonly #idem: Idempotency;
  readonly #trie = new PrefixTrie<Delegation>();
  readonly #nodes = new Map<string, NodeRegistration>();

  private constructor(store: Store, rootPrefix: string) {
    const root = parsePrefix(rootPrefix, 'text');
    this.#store = store;
    this.rootPrefix = root.prefix;
    this.#rootKey = root.prefixKey;
    this.#idem = new Idempotency(store);
  }

  /** Opens the directory, loading nodes and delegations from the store. */
  static async open(store: Store, opts: { readonly rootPrefix: string }): Promise<DelegationRegistry> {
    const reg = new DelegationRegistry(store, opts.rootPrefix);
    await reg.#load();
    return reg;
  }

  get size(): number {
    return this.#trie.size;
  }

  async registerNode(node: NodeRegistration, actor: string): Promise<NodeRegistration> {
    checkSimpleId('nodeId', node.nodeId);
    if (node.grpcAddress.length === 0 || node.certIdentity.length === 0) {
      throw new IdnError('IDN_ERR_BAD_REQUEST', 'A node needs a gRPC address and a certificate identity.');
    }
    const clean: NodeRegistration = { ...node };
    const handle = nodeHandle(node.nodeId);
    const current = await this.#store.get(keyOf(handle));
    if (requestHash(readState(current)) !== requestHash(clean)) {
      await putState(this.#store, handle, clean, current, { actor, reason: 'register node' });
    }
    this.#nodes.set(node.nodeId, clean);
    return clean;
  }

  getNode(nodeId: string): NodeRegistration | undefined {
    return this.#nodes.get(nodeId);
  }

  async delegate(prefixText: string, nodeId: string, opts: DelegateOptions): Promise<DelegationDecision> {
    const prefix = this.#checkDelegable(prefixText);
    const node = this.#nodes.get(nodeId);
    if (node === undefined) throw new IdnError('IDN_ERR_NODE_NOT_FOUND', `Node ${nodeId} is not registered.`);
    const run = () => this.#delegate(prefix.prefix, node, opts);
    if (opts.idempotencyKey === undefined) return run();
    const body = requestHash({ prefix: prefix.prefixKey, nodeId, transfer: opts.transfer === true });
    return (await this.#idem.run(`DELEGATE/${this.#rootKey}`, opts.idempotencyKey, body, run)).result;
  }

  /** Which node serves `prefix` (a prefix or an identifier's prefix): longest delegated match. */
  lookup(prefixText: string): Delegation | undefined {
    const match = this.#trie.longestMatch(parsePrefix(prefixText, 'text').prefixKey);
    if (match === undefined) return undefined;
    // Addresses come from the node's latest registration, so a moved node needs no re-delegation.
    const node = this.#nodes.get(match.value.nodeId);
    return node === undefined ? match.value : { ...match.value, site: siteOf(node) };
  }

  /** Delegations at or under `under` (default: the root), in key order, paged by prefix key. */
  async list(page: { readonly under?: string; readonly limit: number; readonly after?: string }): Promise<{
    readonly delegations: readonly Delegation[];
    readonly next?: string;
  }> {
    const underKey = page.under === undefined ? this.#rootKey : parsePrefix(page.under, 'text').prefixKey;
    const out: Delegation[] = [];
    let after = page.after === undefined ? undefined : keyOf(naHandleOf(page.after));
    while (out.length < page.limit) {
      const res = await this.#store.list(keyOf(naHandleOf(underKey)), { after, limit: Math.min(1000, page.limit * 2) });
      for (const key of res.keys) {
        const d = this.#trie.get(key.slice('0.na/'.length));
        if (d !== undefined && isUnderPrefix(key.slice(5), underKey) && out.length < page.limit) out.push(d);
      }
      if (res.next === undefined) return { delegations: out };
      after = res.next;
    }
    const last = out[out.length - 1];
    return last === undefined ? { delegations: out } : { delegations: out, next: last.prefix };
  }

  #checkDelegable(prefixText: string) {
    const prefix = parsePrefix(prefixText, 'text');
    if (prefix.prefixKey === this.#rootKey || !isUnderPrefix(prefix.prefixKey, this.#rootKey)) {
      throw new IdnError(
        'IDN_ERR_PREFIX_NOT_DELEGABLE',
        `Only prefixes under ${this.rootPrefix} can be delegated here.`,
        {
          prefix: prefix.prefix,
          root: this.rootPrefix,
        },
      );
    }
    return prefix;
  }

  async #delegate(prefix: string, node: NodeRegistration, opts: DelegateOptions): Promise<DelegationDecision> {
    const handle = naHandleOf(prefix);
    const current = await this.#store.get(keyOf(handle));
    const held = readDelegation(current);
    if (held?.nodeId === node.nodeId)
      return { decision: 'already-granted', delegation: toDelegation(prefix, current!, held) };
    if (current !== undefined && current.deletedAt === undefined && opts.transfer !== true) {
      throw new IdnError('IDN_ERR_PREFIX_TAKEN', `${prefix} is delegated to ${held?.nodeId ?? 'another owner'}.`, {
        prefix,
        nodeId: held?.nodeId,
      });
    }
    const now = new Date().toISOString();
    const state: DelegationState = held
      ? { nodeId: node.nodeId, delegatedAt: now, transferredFrom: held.nodeId }
      : { nodeId: node.nodeId, delegatedAt: now };
    const values = delegationValues(node, state, now);
    const cond = current === undefined ? ({ expectAbsent: true } as const) : { expectVersion: current.version };
    try {
      const record = await this.#store.put(keyOf(handle), { handle, values }, cond, {
        actor: opts.actor,
        reason: 'delegate prefix',
      });
      const delegation = toDelegation(prefix, record, state);
      this.#trie.set(keyOf(handle).slice(5), delegation);
      return { decision: 'granted', delegation };
    } catch (e) {
      if (!lostRace(e)) throw e;
      throw new IdnError('IDN_ERR_PREFIX_TAKEN', `${prefix} was delegated concurrently; read it and retry.`, {
        prefix,
      });
    }
  }

  async #load(): Promise<void> {
    for await (const record of this.#scan(`${REG_PREFIX}/NODE/`)) {
      const node = readState<NodeRegistration>(record);
      if (node !== undefined) this.#nodes.set(node.nodeId, node);
    }
    for await (const record of this.#scan(naHandleOf(this.rootPrefix))) {
      const state = readDelegation(record);
      const prefix = record.handle.slice(5);
      if (state !== undefined && isUnderPrefix(parsePrefix(prefix).prefixKey, this.#rootKey)) {
        this.#trie.set(parsePrefix(prefix).prefixKey, toDelegation(prefix, record, state));
      }
    }
  }

  async *#scan(handlePrefix: string): AsyncGenerator<StoredRecord> {
    const keyPrefix = handlePrefix.toLowerCase();
    let after: string | undefined;
    do {
      const page = await this.#store.list(keyPrefix, { after, limit: 1000 });
      for (const key of page.keys) {
        const record = await this.#store.get(key);
        if (record !== undefined) yield record;
      }
      after = page.next;
    } while (after !== undefined);
  }
}

const siteOf = (n: NodeRegistration): SiteInfo =>
  n.httpAddress === undefined
    ? { nodeId: n.nodeId, grpcAddress: n.grpcAddress, primary: true }
    : { nodeId: n.nodeId, grpcAddress: n.grpcAddress, httpAddress: n.httpAddress, primary: true };

function delegationValues(node: NodeRegistration, state: DelegationState, now: string): HandleValue[] {
  // HS_SITE is public in Handle (clients need it to find the service); the bookkeeping is not.
  const site: HandleValue = {
    ...jsonValue(SITE_INDEX, 'HS_SITE', siteOf(node), now, 'public'),
    data: { format: 'site', value: siteOf(node) },
  };
  return [site, jsonValue(DELEGATION_INDEX, DELEGATION_TYPE, state, now, 'authority')];
}

function readDelegation(record: StoredRecord | undefined): DelegationState | undefined {
  if (record === undefined || record.deletedAt !== undefined) return undefined;
  return record.values.find((v) => v.index === DELEGATION_INDEX && v.type === DELEGATION_TYPE)?.data.value as
    DelegationState | undefined;
}

function toDelegation(prefix: string, record: StoredRecord, state: DelegationState): Delegation {
  const site = record.values.find((v) => v.index === SITE_INDEX)?.data.value as SiteInfo;
  return { prefix, nodeId: state.nodeId, delegatedAt: state.delegatedAt, version: record.version, site };
}
