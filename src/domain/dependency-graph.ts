/**
 * Dependency graph algorithms over plain string ids: levels, cycles, resolution order, critical
 * path, sub-graphs and DOT/Mermaid export. Pure and synchronous; the scheduler loads the map.
 *
 * Direction: "x depends on y" is stored as deps.get(x) includes y. Exported edges run from the
 * dependency to the task waiting on it (y -> x), matching the DependencyEdge type.
 * Everything is iterative so a 100,000-task chain cannot overflow the call stack.
 */
import { TaskDependencyError } from './errors';

/** deps: task id -> ids it depends on. Ids referenced but absent as keys are "missing" nodes. */
export type DependencyMap = ReadonlyMap<string, readonly string[]>;

export class CycleError extends TaskDependencyError {
  /** `cycle` is the closed chain, e.g. ["a", "b", "a"]: a depends on b, which depends on a. */
  constructor(
    readonly cycle: string[],
    readonly taskId: string = cycle[0] ?? '',
  ) {
    super(`Circular dependency detected: ${cycle.join(' -> ')}`, taskId, cycle);
  }
}

export class MissingDependencyError extends TaskDependencyError {
  /** `chain` runs from the resolved root to `taskId`, the task that references `missingId`. */
  constructor(
    readonly taskId: string,
    readonly missingId: string,
    readonly chain: string[],
  ) {
    super(`Dependency ${missingId} of task ${taskId} not found`, taskId, [
      ...chain,
      `dependency ${missingId} not found`,
    ]);
    this.extensions.missingId = missingId;
  }
}

// ---------------------------------------------------------------------------------------------
// Indexed form. The algorithms run on integer indices and typed arrays: a Map or Set per node
// costs several times more, and 100,000 tasks must stay well under a second.

/** Compressed adjacency: the targets of v are targets[offsets[v] .. offsets[v + 1]). */
interface Csr {
  n: number;
  offsets: Int32Array;
  targets: Int32Array;
}

interface IndexedGraph {
  /** Distinct nodes, in input order; a node's index is its position here. */
  ids: string[];
  /** i -> indices of its dependencies that are nodes, each once, in listed order. */
  dependsOn: Csr;
}

function indexGraph(nodes: Iterable<string>, deps: DependencyMap): IndexedGraph {
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
function reverse(g: Csr): Csr {
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

/** Kahn by levels over indices. `waiting[i] > 0` afterwards means i is on or behind a cycle. */
function levelIndices(g: IndexedGraph): { levels: Int32Array[]; waiting: Int32Array } {
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

// ---------------------------------------------------------------------------------------------
// Levels (Kahn)

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

// ---------------------------------------------------------------------------------------------
// Cycles (Tarjan + Johnson)

/**
 * Iterative Tarjan over the sub-graph of vertices >= `lo`. Returns the component of each vertex
 * (-1 below `lo`).
 */
function stronglyConnected(g: Csr, lo: number): Int32Array {
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

function hasSelfLoop(g: Csr, v: number): boolean {
  for (let e = g.offsets[v]!; e < g.offsets[v + 1]!; e++) if (g.targets[e] === v) return true;
  return false;
}

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
 * Johnson's algorithm on a strongly connected graph, at most `limit` cycles. Each search starts at
 * the smallest vertex s of a non-trivial component among vertices >= s, so every cycle is found
 * once, from its smallest vertex. Iterative, with explicit frames.
 */
function johnson(g: Csr, limit: number): number[][] {
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

/** Code-unit order: locale-independent, so output is identical on every machine. */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareIdLists(a: readonly string[], b: readonly string[]): number {
  const len = Math.min(a.length, b.length);
  for (let i = 0; i < len; i++) {
    const c = compareIds(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

// ---------------------------------------------------------------------------------------------
// Single-edge checks and resolution

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

/**
 * All transitive dependencies of root in an order they can run (dependencies first, root last).
 * Throws CycleError for a reachable cycle and MissingDependencyError for a reached id that is not
 * a key of deps (the root included). Iterative depth-first search in listed order.
 */
export function resolveOrder(root: string, deps: DependencyMap): string[] {
  const rootDeps = deps.get(root);
  if (rootDeps === undefined) throw new MissingDependencyError(root, root, []);
  const state = new Map<string, 'open' | 'done'>([[root, 'open']]);
  const path: string[] = [root];
  const lists: (readonly string[])[] = [rootDeps];
  const next: number[] = [0];
  const order: string[] = [];

  while (path.length > 0) {
    const top = path.length - 1;
    const v = path[top]!;
    const list = lists[top]!;
    if (next[top]! < list.length) {
      const w = list[next[top]!++]!;
      const seen = state.get(w);
      if (seen === 'done') continue;
      if (seen === 'open') throw new CycleError([...path.slice(path.indexOf(w)), w], root);
      const wDeps = deps.get(w);
      if (wDeps === undefined) throw new MissingDependencyError(v, w, [...path]);
      state.set(w, 'open');
      path.push(w);
      lists.push(wDeps);
      next.push(0);
      continue;
    }
    state.set(v, 'done');
    order.push(v);
    path.pop();
    lists.pop();
    next.pop();
  }
  return order;
}

// ---------------------------------------------------------------------------------------------
// Critical path and sub-graphs

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

/**
 * The sub-graph reachable from root in both directions: its transitive dependencies (missing ids
 * included) and its transitive dependents, root included. Unrelated siblings are not included.
 */
export function connectedTo(root: string, deps: DependencyMap): Set<string> {
  const dependents = new Map<string, string[]>();
  for (const [id, list] of deps) {
    for (const dep of list) {
      const l = dependents.get(dep);
      if (l) l.push(id);
      else dependents.set(dep, [id]);
    }
  }
  const result = new Set<string>([root]);
  for (const step of [(id: string) => deps.get(id), (id: string) => dependents.get(id)]) {
    const seen = new Set<string>([root]);
    const stack = [root];
    while (stack.length > 0) {
      for (const w of step(stack.pop()!) ?? []) {
        if (seen.has(w)) continue;
        seen.add(w);
        result.add(w);
        stack.push(w);
      }
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Export

export interface ExportNode {
  id: string;
  label: string;
  status?: string;
}
export interface ExportEdge {
  /** The dependency. */
  from: string;
  /** The task waiting on it. */
  to: string;
}

/** Fill colours per task status; an unknown or absent status gets DEFAULT_FILL. */
export const STATUS_COLOURS: Readonly<Record<string, { fill: string; text: string }>> = {
  PENDING: { fill: '#9ca3af', text: '#111827' }, // grey
  READY: { fill: '#60a5fa', text: '#111827' }, // blue
  RUNNING: { fill: '#fbbf24', text: '#111827' }, // amber
  BLOCKED: { fill: '#a78bfa', text: '#111827' }, // purple
  COMPLETED: { fill: '#4ade80', text: '#111827' }, // green
  FAILED: { fill: '#f87171', text: '#111827' }, // red
  CANCELLED: { fill: '#4b5563', text: '#ffffff' }, // dark grey
  RETRYING: { fill: '#fb923c', text: '#111827' }, // orange
};
const DEFAULT_FILL = { fill: '#f3f4f6', text: '#111827' };

function colourOf(status: string | undefined): { fill: string; text: string } {
  return (status !== undefined && Object.hasOwn(STATUS_COLOURS, status) && STATUS_COLOURS[status]) || DEFAULT_FILL;
}

/** Nodes in input order (first wins), plus any id an edge mentions that was not listed. */
function exportNodes(nodes: readonly ExportNode[], edges: readonly ExportEdge[]): ExportNode[] {
  const byId = new Map<string, ExportNode>();
  for (const node of nodes) if (!byId.has(node.id)) byId.set(node.id, node);
  for (const { from, to } of edges) {
    for (const id of [from, to]) if (!byId.has(id)) byId.set(id, { id, label: id });
  }
  return [...byId.values()];
}

/** A DOT quoted string: only `"` needs escaping for the parser; `\` is doubled so escString
 * sequences like \N or \l in a title are shown literally; newlines become centred line breaks. */
function dotQuote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r\n|\r|\n/g, '\\n')}"`;
}

/** Graphviz DOT, edges from dependency to dependent, laid out left to right. */
export function toDot(nodes: readonly ExportNode[], edges: readonly ExportEdge[]): string {
  const lines = [
    'digraph dependencies {',
    '  rankdir=LR;',
    `  node [shape=box, style="rounded,filled", fillcolor="${DEFAULT_FILL.fill}", fontcolor="${DEFAULT_FILL.text}"];`,
  ];
  for (const node of exportNodes(nodes, edges)) {
    const attrs = [`label=${dotQuote(node.label)}`];
    if (node.status !== undefined) {
      const { fill, text } = colourOf(node.status);
      attrs.push(`class=${dotQuote(cssClass(node.status))}`, `fillcolor="${fill}"`, `fontcolor="${text}"`);
    }
    lines.push(`  ${dotQuote(node.id)} [${attrs.join(', ')}];`);
  }
  for (const { from, to } of edges) lines.push(`  ${dotQuote(from)} -> ${dotQuote(to)};`);
  lines.push('}');
  return lines.join('\n') + '\n';
}

/**
 * Mermaid label text for inside `["..."]`. Mermaid has no backslash escapes, only `#name;` /
 * `#code;` entities, so `#` goes first, then every character that could end the string or be read
 * as markup. Newlines become <br/>.
 */
function mermaidText(text: string): string {
  return text
    .replace(/#/g, '#35;')
    .replace(/&/g, '#38;')
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/\[/g, '#91;')
    .replace(/\]/g, '#93;')
    .replace(/\(/g, '#40;')
    .replace(/\)/g, '#41;')
    .replace(/\{/g, '#123;')
    .replace(/\}/g, '#125;')
    .replace(/\|/g, '#124;')
    .replace(/`/g, '#96;')
    .replace(/\r\n|\r|\n/g, '<br/>');
}

/** A class name safe in both Mermaid and SVG: letters, digits and underscore only. */
function cssClass(status: string): string {
  return `status_${status.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/**
 * Mermaid flowchart, left to right. Node ids are n0, n1, ... (task ids such as UUIDs contain '-',
 * which Mermaid would misread); the real id travels in the label only if the caller puts it there.
 */
export function toMermaid(nodes: readonly ExportNode[], edges: readonly ExportEdge[]): string {
  const all = exportNodes(nodes, edges);
  const key = new Map<string, string>();
  all.forEach((node, i) => key.set(node.id, `n${i}`));
  const lines = ['flowchart LR'];
  for (const node of all) lines.push(`  ${key.get(node.id)}["${mermaidText(node.label)}"]`);
  for (const { from, to } of edges) lines.push(`  ${key.get(from)} --> ${key.get(to)}`);

  // One classDef per status present, so the text stays small and stylable by name.
  const classes = new Map<string, { status: string; keys: string[] }>();
  for (const node of all) {
    if (node.status === undefined) continue;
    const name = cssClass(node.status);
    const entry = classes.get(name) ?? { status: node.status, keys: [] };
    entry.keys.push(key.get(node.id)!);
    classes.set(name, entry);
  }
  for (const [name, { status, keys }] of classes) {
    const { fill, text } = colourOf(status);
    lines.push(`  classDef ${name} fill:${fill},stroke:#374151,color:${text}`);
    lines.push(`  class ${keys.join(',')} ${name}`);
  }
  return lines.join('\n') + '\n';
}
