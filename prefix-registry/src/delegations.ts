import { IdnError } from '#core/errors/idn-error';
import { isUnderPrefix, parsePrefix } from '#core/identifier/index';
import { parseIdentifier } from '#core/identifier/index';
import type { IdentifierChange, PlannedChange } from '#core/records/change-set';
import type { ValueInput } from '#core/records/schema';
import { isLive, type StoredRecord } from '#core/records/types';
import type { ReadonlyStore } from '#core/store/store';
import { Idempotency } from './idempotency.ts';
import { decide, type ApplySet, type Planned } from './plan.ts';
import { PrefixTrie } from './prefix-trie.ts';
import {
  REG_PREFIX,
  checkSimpleId,
  keyOf,
  naHandleOf,
  readState,
  requestHash,
  stateChange,
  valueInput,
} from './registry-records.ts';

/**
 * The prefix directory of the top-level node. It owns a root prefix (e.g. "88"), registers
 * secondary nodes and delegates prefixes under the root to them. Each delegation is the record
 * `0.NA/<prefix>` with an HS_SITE value naming the serving node (Handle practice), so it is
 * durable, replicated by the change log, and resolvable like any prefix record. Lookups use an
 * in-memory trie rebuilt from the store on open. (One writer per store: a second instance over
 * a shared store would not see this one's later delegations until it reopens.) Decisions are
 * change sets the node applies (RecordService); the trie and node map follow once they commit.
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
  readonly #store: ReadonlyStore;
  readonly #idem: Idempotency;
  readonly #trie = new PrefixTrie<Delegation>();
  readonly #nodes = new Map<string, NodeRegistration>();

  private constructor(store: ReadonlyStore, rootPrefix: string) {
    const root = parsePrefix(rootPrefix, 'text');
    this.#store = store;
    this.rootPrefix = root.prefix;
    this.#rootKey = root.prefixKey;
    this.#idem = new Idempotency(store);
  }

  /** Opens the directory, loading nodes and delegations from the store. */
  static async open(store: ReadonlyStore, opts: { readonly rootPrefix: string }): Promise<DelegationRegistry> {
    const reg = new DelegationRegistry(store, opts.rootPrefix);
    await reg.#load();
    return reg;
  }

  get size(): number {
    return this.#trie.size;
  }

  registerNode(node: NodeRegistration, apply: ApplySet): Promise<NodeRegistration> {
    return decide(() => this.planRegisterNode(node), apply);
  }

  /** The node's registration record (nothing to write when it is unchanged). */
  async planRegisterNode(node: NodeRegistration): Promise<Planned<NodeRegistration>> {
    checkSimpleId('nodeId', node.nodeId);
    if (node.grpcAddress.length === 0 || node.certIdentity.length === 0) {
      throw new IdnError('IDN_ERR_BAD_REQUEST', 'A node needs a gRPC address and a certificate identity.');
    }
    const clean: NodeRegistration = { ...node };
    const current = await this.#store.get(keyOf(nodeHandle(node.nodeId)));
    const remember = (): NodeRegistration => {
      this.#nodes.set(node.nodeId, clean);
      return clean;
    };
    if (requestHash(readState(current)) === requestHash(clean)) return { done: remember() };
    const change = stateChange(nodeHandle(node.nodeId), clean, current, 'registry-state', 'register node');
    return { set: { changes: [], system: [change], reason: 'register node' }, finish: remember };
  }

  getNode(nodeId: string): NodeRegistration | undefined {
    return this.#nodes.get(nodeId);
  }

  delegate(prefixText: string, nodeId: string, opts: DelegateOptions, apply: ApplySet): Promise<DelegationDecision> {
    return decide(() => this.planDelegate(prefixText, nodeId, opts), apply);
  }

  /**
   * The delegation record `0.NA/<prefix>` naming the node (and, with a key, the decision as its
   * idempotency result in the same commit); nothing to write when the node already holds it.
   */
  async planDelegate(prefixText: string, nodeId: string, opts: DelegateOptions): Promise<Planned<DelegationDecision>> {
    const prefix = this.#checkDelegable(prefixText);
    const node = this.#nodes.get(nodeId);
    if (node === undefined) throw new IdnError('IDN_ERR_NODE_NOT_FOUND', `Node ${nodeId} is not registered.`);
    if (opts.idempotencyKey === undefined) return this.#planDelegate(prefix.prefix, node, opts);
    const body = requestHash({ prefix: prefix.prefixKey, nodeId, transfer: opts.transfer === true });
    const scope = `DELEGATE/${this.#rootKey}`;
    const idem = await this.#idem.check<DelegationDecision>(scope, opts.idempotencyKey, body);
    if (idem.replayed) return { done: idem.result };
    const p = await this.#planDelegate(prefix.prefix, node, opts);
    if ('done' in p) return p;
    const granted = (planned: readonly PlannedChange[]) => p.decisionFor(planned[0]!.version);
    return { ...p, set: { ...p.set, systemFor: (planned) => [idem.record(granted(planned))] } };
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

  async #planDelegate(
    prefix: string,
    node: NodeRegistration,
    opts: DelegateOptions,
  ): Promise<Planned<DelegationDecision> & { decisionFor: (version: number) => DelegationDecision }> {
    const id = parseIdentifier(naHandleOf(prefix), 'text');
    const current = await this.#store.get(id.key);
    const held = readDelegation(current);
    if (held?.nodeId === node.nodeId) {
      const done = { decision: 'already-granted' as const, delegation: toDelegation(prefix, current!, held) };
      return { done, decisionFor: () => done };
    }
    if (isLive(current) && opts.transfer !== true) {
      throw new IdnError('IDN_ERR_PREFIX_TAKEN', `${prefix} is delegated to ${held?.nodeId ?? 'another owner'}.`, {
        prefix,
        nodeId: held?.nodeId,
      });
    }
    const state: DelegationState = held
      ? { nodeId: node.nodeId, delegatedAt: new Date().toISOString(), transferredFrom: held.nodeId }
      : { nodeId: node.nodeId, delegatedAt: new Date().toISOString() };
    const values = delegationValues(node, state);
    // A first delegation is a create (a concurrent one then loses); a transfer replaces the version read.
    const change: IdentifierChange = isLive(current)
      ? { op: 'replace', id, values, ifMatch: current.version }
      : { op: 'create', id, values };
    const decisionFor = (version: number): DelegationDecision => ({
      decision: 'granted',
      delegation: { prefix, nodeId: node.nodeId, delegatedAt: state.delegatedAt, version, site: siteOf(node) },
    });
    const finish = (applied: { readonly changes: readonly { readonly record: StoredRecord }[] }) => {
      const delegation = toDelegation(prefix, applied.changes[0]!.record, state);
      this.#trie.set(id.key.slice('0.na/'.length), delegation);
      return { decision: 'granted' as const, delegation };
    };
    return { set: { changes: [change], reason: 'delegate prefix' }, finish, decisionFor };
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

function delegationValues(node: NodeRegistration, state: DelegationState): ValueInput[] {
  // HS_SITE is public in Handle (clients need it to find the service); the bookkeeping is not.
  return [
    valueInput(SITE_INDEX, 'HS_SITE', { format: 'site', value: siteOf(node) }, 'public'),
    valueInput(DELEGATION_INDEX, DELEGATION_TYPE, { format: 'json', value: state }, 'authority'),
  ];
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
