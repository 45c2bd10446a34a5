import type { Csr } from './indexed-graph';
import { hasSelfLoop, stronglyConnected } from './strongly-connected';

/**
 * Johnson's algorithm on a strongly connected graph, at most `limit` cycles. Each search starts at
 * the smallest vertex s of a non-trivial component among vertices >= s, so every cycle is found
 * once, from its smallest vertex. Iterative, with explicit frames.
 */
export function johnson(g: Csr, limit: number): number[][] {
  const k = g.n;
  const out: number[][] = [];
  const blocked = new Uint8Array(k);
  const blockedBy: (Set<number> | undefined)[] = new Array(k);
  const path: number[] = [];
  const frameEdge: number[] = [];
  const frameFound: boolean[] = [];
  const unblockStack: number[] = [];

  const unblock = (start: number): void => {
    unblockStack.push(start);
    while (unblockStack.length > 0) {
      const u = unblockStack.pop()!;
      if (!blocked[u]) continue;
      blocked[u] = 0;
      const waiting = blockedBy[u];
      if (waiting) {
        for (const w of waiting) unblockStack.push(w);
        waiting.clear();
      }
    }
  };

  // The whole graph is one component to begin with, so the first search needs no Tarjan pass.
  let comp: Int32Array = new Int32Array(k);
  let s = 0;
  while (s < k && out.length < limit) {
    const scope = comp[s]!;
    const inScope = (w: number): boolean => w >= s && comp[w] === scope;
    for (let v = s; v < k; v++) {
      blocked[v] = 0;
      blockedBy[v]?.clear();
    }
    blocked[s] = 1;
    path.push(s);
    frameEdge.push(g.offsets[s]!);
    frameFound.push(false);
    while (path.length > 0 && out.length < limit) {
      const top = path.length - 1;
      const v = path[top]!;
      const e = frameEdge[top]!;
      if (e < g.offsets[v + 1]!) {
        frameEdge[top] = e + 1;
        const w = g.targets[e]!;
        if (!inScope(w)) continue;
        if (w === s) {
          out.push([...path]);
          frameFound[top] = true;
        } else if (!blocked[w]) {
          blocked[w] = 1;
          path.push(w);
          frameEdge.push(g.offsets[w]!);
          frameFound.push(false);
        }
        continue;
      }
      const foundHere = frameFound[top]!;
      if (foundHere) {
        unblock(v);
      } else {
        for (let f = g.offsets[v]!; f < g.offsets[v + 1]!; f++) {
          const w = g.targets[f]!;
          if (inScope(w)) (blockedBy[w] ??= new Set()).add(v);
        }
      }
      path.pop();
      frameEdge.pop();
      frameFound.pop();
      if (foundHere && top > 0) frameFound[top - 1] = true;
    }
    path.length = frameEdge.length = frameFound.length = 0;

    // Johnson recomputes the components of the vertices > s so each search finds a cycle.
    comp = stronglyConnected(g, s + 1);
    const size = new Int32Array(k);
    for (let v = s + 1; v < k; v++) size[comp[v]!]!++;
    let next = s + 1;
    while (next < k && size[comp[next]!]! === 1 && !hasSelfLoop(g, next)) next++;
    s = next;
  }
  return out;
}
