import type { Csr } from './indexed-graph';

/**
 * Iterative Tarjan over the sub-graph of vertices >= `lo`. Returns the component of each vertex
 * (-1 below `lo`).
 */
export function stronglyConnected(g: Csr, lo: number): Int32Array {
  const { n, offsets, targets } = g;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const comp = new Int32Array(n).fill(-1);
  const onStack = new Uint8Array(n);
  const sccStack = new Int32Array(n);
  const callStack = new Int32Array(n);
  const edgeAt = new Int32Array(n);
  let sp = 0;
  let cp = 0;
  let counter = 0;
  let comps = 0;
  const enter = (v: number): void => {
    index[v] = low[v] = counter++;
    sccStack[sp++] = v;
    onStack[v] = 1;
    edgeAt[v] = offsets[v]!;
    callStack[cp++] = v;
  };

  for (let root = lo; root < n; root++) {
    if (index[root] !== -1) continue;
    enter(root);
    while (cp > 0) {
      const v = callStack[cp - 1]!;
      if (edgeAt[v]! < offsets[v + 1]!) {
        const w = targets[edgeAt[v]!++]!;
        if (w < lo) continue;
        if (index[w] === -1) enter(w);
        else if (onStack[w] && index[w]! < low[v]!) low[v] = index[w]!;
        continue;
      }
      cp--;
      if (low[v] === index[v]) {
        let w: number;
        do {
          w = sccStack[--sp]!;
          onStack[w] = 0;
          comp[w] = comps;
        } while (w !== v);
        comps++;
      }
      if (cp > 0) {
        const u = callStack[cp - 1]!;
        if (low[v]! < low[u]!) low[u] = low[v]!;
      }
    }
  }
  return comp;
}

export function hasSelfLoop(g: Csr, v: number): boolean {
  for (let e = g.offsets[v]!; e < g.offsets[v + 1]!; e++) if (g.targets[e] === v) return true;
  return false;
}
