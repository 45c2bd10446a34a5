/**
 * Indexed form. The algorithms run on integer indices and typed arrays: a Map or Set per node
 * costs several times more, and 100,000 tasks must stay well under a second.
 */
import type { DependencyMap } from './types';

/** Compressed adjacency: the targets of v are targets[offsets[v] .. offsets[v + 1]). */
export interface Csr {
  n: number;
  offsets: Int32Array;
  targets: Int32Array;
}

export interface IndexedGraph {
  /** Distinct nodes, in input order; a node's index is its position here. */
  ids: string[];
  /** i -> indices of its dependencies that are nodes, each once, in listed order. */
  dependsOn: Csr;
}

export function indexGraph(nodes: Iterable<string>, deps: DependencyMap): IndexedGraph {
  const index = new Map<string, number>();
  const ids: string[] = [];
  for (const id of nodes) {
    if (!index.has(id)) {
      index.set(id, ids.length);
      ids.push(id);
    }
  }
  const n = ids.length;
  const offsets = new Int32Array(n + 1);
  const lastListedBy = new Int32Array(n).fill(-1); // drops a dependency listed twice
  let targets = new Int32Array(Math.max(16, n * 2));
  let m = 0;
  for (let i = 0; i < n; i++) {
    for (const dep of deps.get(ids[i]!) ?? []) {
      const j = index.get(dep);
      if (j === undefined || lastListedBy[j] === i) continue;
      lastListedBy[j] = i;
      if (m === targets.length) {
        const grown = new Int32Array(m * 2);
        grown.set(targets);
        targets = grown;
      }
      targets[m++] = j;
    }
    offsets[i + 1] = m;
  }
  return { ids, dependsOn: { n, offsets, targets: targets.subarray(0, m) } };
}

/** The same edges pointing the other way; each target list stays in increasing index order. */
export function reverse(g: Csr): Csr {
  const { n, offsets, targets } = g;
  const start = new Int32Array(n + 1);
  for (let e = 0; e < targets.length; e++) start[targets[e]! + 1]!++;
  for (let v = 0; v < n; v++) start[v + 1]! += start[v]!;
  const next = start.slice(0, n);
  const out = new Int32Array(targets.length);
  for (let v = 0; v < n; v++) {
    for (let e = offsets[v]!; e < offsets[v + 1]!; e++) out[next[targets[e]!]!++] = v;
  }
  return { n, offsets: start, targets: out };
}
