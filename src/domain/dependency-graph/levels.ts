import { indexGraph, reverse, type IndexedGraph } from './indexed-graph';
import type { DependencyMap } from './types';

/** Kahn by levels over indices. `waiting[i] > 0` afterwards means i is on or behind a cycle. */
export function levelIndices(g: IndexedGraph): { levels: Int32Array[]; waiting: Int32Array } {
  const { n, offsets } = g.dependsOn;
  const dependents = reverse(g.dependsOn);
  const waiting = new Int32Array(n);
  const first: number[] = [];
  for (let i = 0; i < n; i++) {
    waiting[i] = offsets[i + 1]! - offsets[i]!;
    if (waiting[i] === 0) first.push(i);
  }
  const levels: Int32Array[] = [];
  let current = Int32Array.from(first);
  while (current.length > 0) {
    levels.push(current);
    const next: number[] = [];
    for (const i of current) {
      for (let e = dependents.offsets[i]!; e < dependents.offsets[i + 1]!; e++) {
        const d = dependents.targets[e]!;
        if (--waiting[d]! === 0) next.push(d);
      }
    }
    current = Int32Array.from(next).sort(); // typed sort is numeric: back to input order
  }
  return { levels, waiting };
}

/**
 * Kahn's algorithm. Returns levels: level 0 = nodes with no (present) dependencies; each next
 * level = nodes whose deps are all in earlier levels. Within a level the input order of `nodes` is
 * kept. Nodes on or behind a cycle are returned in `blocked` (input order).
 *
 * "Present" means listed in `nodes`: a dependency on anything else (a missing id, or a task
 * outside the requested sub-graph) is ignored for levelling; the caller decides what it means.
 */
export function topologicalLevels(
  nodes: readonly string[],
  deps: DependencyMap,
): { levels: string[][]; blocked: string[] } {
  const g = indexGraph(nodes, deps);
  const { levels, waiting } = levelIndices(g);
  const blocked: string[] = [];
  for (let i = 0; i < g.ids.length; i++) if (waiting[i]! > 0) blocked.push(g.ids[i]!);
  return { levels: levels.map((level) => Array.from(level, (i) => g.ids[i]!)), blocked };
}
