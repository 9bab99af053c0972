/**
 * Longest-prefix match over "."-separated prefix keys. A lookup walks one map per segment, so it
 * costs O(depth of the prefix) whatever the number of entries (thousands of delegations).
 */

interface TrieNode<T> {
  value?: T;
  readonly children: Map<string, TrieNode<T>>;
}

const newNode = <T>(): TrieNode<T> => ({ children: new Map() });

export class PrefixTrie<T> {
  readonly #root: TrieNode<T> = newNode();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  set(prefixKey: string, value: T): void {
    let node = this.#root;
    for (const seg of prefixKey.split('.')) {
      let next = node.children.get(seg);
      if (next === undefined) {
        next = newNode();
        node.children.set(seg, next);
      }
      node = next;
    }
    if (node.value === undefined) this.#size++;
    node.value = value;
  }

  get(prefixKey: string): T | undefined {
    let node: TrieNode<T> | undefined = this.#root;
    for (const seg of prefixKey.split('.')) {
      node = node.children.get(seg);
      if (node === undefined) return undefined;
    }
    return node.value;
  }

  /** The entry of the longest stored prefix equal to or above prefixKey. */
  longestMatch(prefixKey: string): { readonly prefixKey: string; readonly value: T } | undefined {
    let node: TrieNode<T> | undefined = this.#root;
    let best: { prefixKey: string; value: T } | undefined;
    const segs = prefixKey.split('.');
    for (let i = 0; i < segs.length && node !== undefined; i++) {
      node = node.children.get(segs[i] ?? '');
      if (node?.value !== undefined) best = { prefixKey: segs.slice(0, i + 1).join('.'), value: node.value };
    }
    return best;
  }
}
