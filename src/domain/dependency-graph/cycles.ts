import { compareIdLists, compareIds } from './id-order';
import { indexGraph, type Csr } from './indexed-graph';
import { johnson } from './johnson';
import { hasSelfLoop, stronglyConnected } from './strongly-connected';
import type { DependencyMap } from './types';

/**
 * Every elementary cycle as ids in dependency order starting at its smallest id (plain string
 * comparison): a depends on b, b depends on a => [["a", "b"]]. A self-loop is [id]. At most
 * `maxCycles` are returned (a dense component has exponentially many); output is sorted.
 *
 * Tarjan finds the non-trivial components once, so an acyclic graph costs one linear pass.
 * Inside each component Johnson's algorithm lists cycles with linear work per cycle found.
 */
export function findCycles(deps: DependencyMap, maxCycles = 100): string[][] {
  // Missing ids have no dependencies of their own, so they can never be on a cycle: not nodes.
  const { ids, dependsOn: graph } = indexGraph(deps.keys(), deps);
  const n = graph.n;
  const comp = stronglyConnected(graph, 0);
  const size = new Int32Array(n);
  for (let v = 0; v < n; v++) size[comp[v]!]!++;
  const groups = new Map<number, number[]>();
  for (let v = 0; v < n; v++) {
    if (size[comp[v]!]! === 1 && !hasSelfLoop(graph, v)) continue;
    const list = groups.get(comp[v]!);
    if (list) list.push(v);
    else groups.set(comp[v]!, [v]);
  }

  const byId = (a: number, b: number): number => compareIds(ids[a]!, ids[b]!);
  const components = [...groups.values()].map((list) => list.sort(byId));
  components.sort((a, b) => byId(a[0]!, b[0]!));
  const rank = new Int32Array(n).fill(-1);
  const cycles: string[][] = [];
  for (const members of components) {
    if (cycles.length >= maxCycles) break;
    const local = componentGraph(members, graph, rank);
    for (const cycle of johnson(local, maxCycles - cycles.length)) {
      const named = new Array<string>(cycle.length);
      for (let i = 0; i < cycle.length; i++) named[i] = ids[members[cycle[i]!]!]!;
      cycles.push(named);
    }
  }
  return cycles.sort(compareIdLists);
}

/**
 * The component as its own graph, vertex r = members[r] (sorted by id), so a smaller index is a
 * smaller id. Neighbours are sorted so the result does not depend on how lists were ordered.
 */
function componentGraph(members: readonly number[], graph: Csr, rank: Int32Array): Csr {
  members.forEach((v, r) => (rank[v] = r));
  const k = members.length;
  const offsets = new Int32Array(k + 1);
  const targets: number[] = [];
  for (let r = 0; r < k; r++) {
    const v = members[r]!;
    for (let e = graph.offsets[v]!; e < graph.offsets[v + 1]!; e++) {
      const t = rank[graph.targets[e]!]!;
      if (t >= 0) targets.push(t);
    }
    offsets[r + 1] = targets.length;
  }
  for (const v of members) rank[v] = -1; // `rank` is shared across components
  const local = { n: k, offsets, targets: Int32Array.from(targets) };
  for (let r = 0; r < k; r++) local.targets.subarray(offsets[r]!, offsets[r + 1]!).sort();
  return local;
}

/**
 * Would adding "taskId depends on dependsOn" create a cycle? Returns the shortest cycle path
 * [taskId, dependsOn, ..., taskId] if yes, else null. Breadth-first from dependsOn.
 */
export function cyclePathIfAdded(deps: DependencyMap, taskId: string, dependsOn: string): string[] | null {
  if (taskId === dependsOn) return [taskId, taskId];
  const parent = new Map<string, string | null>([[dependsOn, null]]);
  const queue = [dependsOn];
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]!;
    for (const w of deps.get(v) ?? []) {
      if (parent.has(w)) continue;
      parent.set(w, v);
      if (w === taskId) {
        const back: string[] = [];
        for (let x: string | null = w; x !== null; x = parent.get(x)!) back.push(x);
        return [taskId, ...back.reverse()];
      }
      queue.push(w);
    }
  }
  return null;
}
