import { indexGraph } from './indexed-graph';
import { levelIndices } from './levels';
import type { DependencyMap } from './types';

/**
 * Longest path by weight (e.g. estimated minutes) through the DAG of `nodes`, ignoring blocked
 * nodes (on or behind a cycle). Returns ids in run order and the total. A non-finite weight counts
 * as 0 so one missing estimate cannot turn the total into NaN. Ties go to the node earlier in
 * `nodes`.
 */
export function criticalPath(
  nodes: readonly string[],
  deps: DependencyMap,
  weight: (id: string) => number,
): { path: string[]; total: number } {
  const g = indexGraph(nodes, deps);
  const { levels } = levelIndices(g);
  const { offsets, targets } = g.dependsOn;
  const best = new Float64Array(g.ids.length);
  const via = new Int32Array(g.ids.length).fill(-1);
  let end = -1;
  // Every dependency of a levelled node is levelled earlier, so best[] is always ready.
  for (const level of levels) {
    for (const i of level) {
      let prev = -1;
      for (let e = offsets[i]!; e < offsets[i + 1]!; e++) {
        const d = targets[e]!;
        if (prev === -1 || best[d]! > best[prev]! || (best[d] === best[prev] && d < prev)) prev = d;
      }
      const w = weight(g.ids[i]!);
      best[i] = (Number.isFinite(w) ? w : 0) + (prev === -1 ? 0 : best[prev]!);
      via[i] = prev;
      if (end === -1 || best[i]! > best[end]! || (best[i] === best[end] && i < end)) end = i;
    }
  }
  if (end === -1) return { path: [], total: 0 };
  const path: string[] = [];
  for (let x = end; x !== -1; x = via[x]!) path.push(g.ids[x]!);
  return { path: path.reverse(), total: best[end]! };
}
