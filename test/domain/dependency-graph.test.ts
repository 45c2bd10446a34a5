import { describe, it, expect } from 'vitest';
import {
  CycleError,
  type DependencyMap,
  MissingDependencyError,
  connectedTo,
  criticalPath,
  cyclePathIfAdded,
  findCycles,
  resolveOrder,
  toDot,
  toMermaid,
  topologicalLevels,
} from '../../src/domain/dependency-graph';
import { TaskDependencyError } from '../../src/domain/errors';

/** graph({ b: ['a'] }) => b depends on a; every id used as a value must also be a key to exist. */
function graph(spec: Record<string, string[]>): DependencyMap {
  return new Map(Object.entries(spec));
}

const diamond = graph({ '1': [], '2': ['1'], '3': ['1'], '4': ['2', '3'] });

/** mulberry32: a tiny seeded PRNG so the big random graph is the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Obviously-correct reference: every simple path from each start back to it, larger ids only. */
function bruteForceCycles(deps: DependencyMap): string[][] {
  const found: string[][] = [];
  const walk = (path: string[]): void => {
    const start = path[0]!;
    for (const next of new Set(deps.get(path[path.length - 1]!) ?? [])) {
      if (next === start) found.push([...path]);
      else if (deps.has(next) && next > start && !path.includes(next)) walk([...path, next]);
    }
  };
  for (const id of deps.keys()) walk([id]);
  return found.sort((x, y) => (x.join('\u0000') < y.join('\u0000') ? -1 : 1));
}

describe('topologicalLevels', () => {
  it('levels a diamond', () => {
    expect(topologicalLevels(['1', '2', '3', '4'], diamond)).toEqual({
      levels: [['1'], ['2', '3'], ['4']],
      blocked: [],
    });
  });

  it('keeps the input order within a level', () => {
    expect(topologicalLevels(['4', '3', '2', '1'], diamond).levels).toEqual([['1'], ['3', '2'], ['4']]);
  });

  it('puts a chain one task per level', () => {
    const chain = graph({ a: [], b: ['a'], c: ['b'], d: ['c'] });
    expect(topologicalLevels(['d', 'c', 'b', 'a'], chain).levels).toEqual([['a'], ['b'], ['c'], ['d']]);
  });

  it('blocks nodes on a cycle and behind it, levelling the rest', () => {
    // x <-> y is a cycle, z waits on y (tail), free is independent, after waits on free.
    const deps = graph({ x: ['y'], y: ['x'], z: ['y'], free: [], after: ['free'] });
    expect(topologicalLevels(['x', 'y', 'z', 'free', 'after'], deps)).toEqual({
      levels: [['free'], ['after']],
      blocked: ['x', 'y', 'z'],
    });
  });

  it('blocks a self loop', () => {
    expect(topologicalLevels(['a', 'b'], graph({ a: ['a'], b: [] }))).toEqual({ levels: [['b']], blocked: ['a'] });
  });

  it('levels a sub-graph: dependencies on tasks outside `nodes` do not block', () => {
    expect(topologicalLevels(['2', '4'], diamond).levels).toEqual([['2'], ['4']]);
  });

  it('ignores dependencies outside the node list and repeated dependencies', () => {
    const deps = graph({ a: ['ghost'], b: ['a', 'a'] });
    expect(topologicalLevels(['a', 'b'], deps).levels).toEqual([['a'], ['b']]);
  });
});

describe('findCycles', () => {
  it('returns nothing for a DAG', () => {
    expect(findCycles(diamond)).toEqual([]);
  });

  it('finds a two-task cycle once, starting at the smallest id', () => {
    expect(findCycles(graph({ b: ['a'], a: ['b'] }))).toEqual([['a', 'b']]);
  });

  it('finds a self loop', () => {
    expect(findCycles(graph({ a: ['a'], b: ['a'] }))).toEqual([['a']]);
  });

  it('lists cycles in dependency order', () => {
    // a -> c -> b -> a (x -> y: x depends on y)
    expect(findCycles(graph({ a: ['c'], b: ['a'], c: ['b'] }))).toEqual([['a', 'c', 'b']]);
  });

  it('finds every elementary cycle of nested cycles', () => {
    // a -> b -> c -> a, with an inner b -> c -> b and a self loop on c.
    const deps = graph({ a: ['b'], b: ['c'], c: ['a', 'b', 'c'], tail: ['a'] });
    expect(findCycles(deps)).toEqual([['a', 'b', 'c'], ['b', 'c'], ['c']]);
  });

  it('finds cycles in separate components and ignores a tail and missing ids', () => {
    const deps = graph({ p: ['q'], q: ['p'], m: ['n'], n: ['m', 'ghost'], t: ['p'] });
    expect(findCycles(deps)).toEqual([
      ['m', 'n'],
      ['p', 'q'],
    ]);
  });

  it('does not report a duplicated edge twice', () => {
    expect(findCycles(graph({ a: ['b', 'b'], b: ['a'] }))).toEqual([['a', 'b']]);
  });

  it('caps the number of cycles on a dense graph', () => {
    // A complete graph on 12 nodes has hundreds of millions of elementary cycles.
    const ids = Array.from({ length: 12 }, (_, i) => `k${String(i).padStart(2, '0')}`);
    const deps = new Map(ids.map((id) => [id, ids.filter((o) => o !== id)]));
    const cycles = findCycles(deps, 25);
    expect(cycles).toHaveLength(25);
    expect(new Set(cycles.map((c) => c.join(','))).size).toBe(25);
    for (const cycle of cycles) expect(cycle[0]).toBe([...cycle].sort()[0]);
  });

  it('matches a brute-force enumeration on small random graphs', () => {
    const random = prng(7);
    for (let round = 0; round < 200; round++) {
      const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
      const deps = new Map(ids.map((id) => [id, ids.filter(() => random() < 0.35)]));
      expect(findCycles(deps, Infinity)).toEqual(bruteForceCycles(deps));
    }
  });

  it('handles a 100,000-task chain closed into one ring without recursion', () => {
    const n = 100_000;
    const id = (i: number) => `t${i}`;
    const deps = new Map(Array.from({ length: n }, (_, i) => [id(i), [id((i + 1) % n)]]));
    const cycles = findCycles(deps);
    expect(cycles).toHaveLength(1);
    expect(cycles[0]).toHaveLength(n);
    expect(cycles[0]![0]).toBe('t0');
  });
});

describe('cyclePathIfAdded', () => {
  const chain = graph({ a: [], b: ['a'], c: ['b'] });

  it('returns the cycle the new edge would close', () => {
    // c depends on b depends on a; "a depends on c" closes a -> c -> b -> a.
    expect(cyclePathIfAdded(chain, 'a', 'c')).toEqual(['a', 'c', 'b', 'a']);
  });

  it('returns null when the edge is safe', () => {
    expect(cyclePathIfAdded(chain, 'c', 'a')).toBeNull();
    expect(cyclePathIfAdded(chain, 'a', 'new')).toBeNull();
  });

  it('treats self-dependency as a cycle', () => {
    expect(cyclePathIfAdded(chain, 'b', 'b')).toEqual(['b', 'b']);
  });
});

describe('resolveOrder', () => {
  it('orders a chain dependencies first, root last', () => {
    const chain = graph({ a: [], b: ['a'], c: ['b'], d: ['c'], other: [] });
    expect(resolveOrder('d', chain)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('lists a shared dependency once, before everything that needs it', () => {
    const order = resolveOrder('4', diamond);
    expect(order).toEqual(['1', '2', '3', '4']);
  });

  it('reports a missing dependency with the chain from the root', () => {
    const deps = graph({ root: ['mid'], mid: ['leaf', '999'], leaf: [] });
    let error: unknown;
    try {
      resolveOrder('root', deps);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MissingDependencyError);
    expect(error).toBeInstanceOf(TaskDependencyError);
    const missing = error as MissingDependencyError;
    expect(missing.taskId).toBe('mid');
    expect(missing.missingId).toBe('999');
    expect(missing.chain).toEqual(['root', 'mid']);
    expect(missing.code).toBe('TASK_DEPENDENCY_ERROR');
    expect(missing.extensions.dependencyChain).toEqual(['root', 'mid', 'dependency 999 not found']);
    expect(missing.extensions.recovery).toMatch(/circular dependency/i);
  });

  it('reports an unknown root as missing', () => {
    expect(() => resolveOrder('nope', diamond)).toThrow(MissingDependencyError);
  });

  it('reports a self-dependency as a cycle', () => {
    expect(() => resolveOrder('a', graph({ a: ['a'] }))).toThrow(CycleError);
  });

  it('reports a reachable cycle as a closed chain', () => {
    const deps = graph({ root: ['a'], a: ['b'], b: ['c'], c: ['a'] });
    let error: unknown;
    try {
      resolveOrder('root', deps);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CycleError);
    expect(error).toBeInstanceOf(TaskDependencyError);
    expect((error as CycleError).cycle).toEqual(['a', 'b', 'c', 'a']);
    expect((error as CycleError).extensions).toMatchObject({ taskId: 'root', dependencyChain: ['a', 'b', 'c', 'a'] });
  });

  it('resolves a 100,000-task chain without overflowing the stack', () => {
    const n = 100_000;
    const deps = new Map(Array.from({ length: n }, (_, i) => [`t${i}`, i === 0 ? [] : [`t${i - 1}`]]));
    const order = resolveOrder(`t${n - 1}`, deps);
    expect(order).toHaveLength(n);
    expect(order[0]).toBe('t0');
    expect(order[n - 1]).toBe(`t${n - 1}`);
  });
});

describe('criticalPath', () => {
  it('picks the heavier branch of a weighted diamond', () => {
    const minutes: Record<string, number> = { '1': 10, '2': 5, '3': 30, '4': 10 };
    expect(criticalPath(['1', '2', '3', '4'], diamond, (id) => minutes[id]!)).toEqual({
      path: ['1', '3', '4'],
      total: 50,
    });
  });

  it('breaks ties by input order', () => {
    expect(criticalPath(['1', '2', '3', '4'], diamond, () => 1)).toEqual({ path: ['1', '2', '4'], total: 3 });
    expect(criticalPath(['1', '3', '2', '4'], diamond, () => 1)).toEqual({ path: ['1', '3', '4'], total: 3 });
  });

  it('ignores nodes on cycles', () => {
    const deps = graph({ a: [], b: ['a'], x: ['y'], y: ['x'] });
    expect(criticalPath(['a', 'b', 'x', 'y'], deps, () => 100)).toEqual({ path: ['a', 'b'], total: 200 });
  });

  it('returns an empty path for no nodes', () => {
    expect(criticalPath([], new Map(), () => 1)).toEqual({ path: [], total: 0 });
  });
});

describe('connectedTo', () => {
  it('takes dependencies and dependents of the root, not unrelated nodes', () => {
    // a <- b <- c <- d, with sibling s also depending on a, and an unrelated pair u <- v.
    const deps = graph({ a: [], b: ['a'], c: ['b'], d: ['c'], s: ['a'], u: [], v: ['u'] });
    expect([...connectedTo('b', deps)].sort()).toEqual(['a', 'b', 'c', 'd']);
    expect([...connectedTo('a', deps)].sort()).toEqual(['a', 'b', 'c', 'd', 's']);
    expect([...connectedTo('v', deps)].sort()).toEqual(['u', 'v']);
  });
});

describe('toDot and toMermaid', () => {
  const nodes = [
    { id: '0b6f-1', label: 'Design "API" [v2]\nsecond line', status: 'COMPLETED' },
    { id: '0b6f-2', label: 'Build (x) {y} | #1 & <b>', status: 'RUNNING' },
    { id: '0b6f-3', label: 'Plain', status: 'SOMETHING_ELSE' },
    { id: '0b6f-4', label: 'No status' },
  ];
  const edges = [
    { from: '0b6f-1', to: '0b6f-2' },
    { from: '0b6f-2', to: '0b6f-3' },
    { from: '0b6f-1', to: '0b6f-4' },
  ];

  it('writes DOT with every node and edge and escaped labels', () => {
    const dot = toDot(nodes, edges);
    expect(dot.startsWith('digraph dependencies {')).toBe(true);
    expect(dot.trimEnd().endsWith('}')).toBe(true);
    for (const node of nodes) expect(dot).toContain(`"${node.id}" [label=`);
    for (const { from, to } of edges) expect(dot).toContain(`"${from}" -> "${to}";`);
    expect(dot).toContain('label="Design \\"API\\" [v2]\\nsecond line"');
    expect(dot).toContain('fillcolor="#4ade80"'); // COMPLETED green
    expect(dot).toContain('fillcolor="#fbbf24"'); // RUNNING amber
    // No raw newline inside any quoted string: every line is a whole statement.
    for (const line of dot.trimEnd().split('\n')) expect(line).toMatch(/^(digraph .*\{|\s+.*;|\})$/);
  });

  it('escapes backslashes so DOT escape sequences stay literal', () => {
    expect(toDot([{ id: 'a', label: 'C:\\N' }], [])).toContain('label="C:\\\\N"');
  });

  it('writes a left-to-right Mermaid flowchart with safe ids and escaped labels', () => {
    const text = toMermaid(nodes, edges);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('flowchart LR');
    expect(lines).toContain('  n0["Design #quot;API#quot; #91;v2#93;<br/>second line"]');
    expect(lines).toContain('  n1["Build #40;x#41; #123;y#125; #124; #35;1 #38; #lt;b#gt;"]');
    expect(lines).toContain('  n2["Plain"]');
    expect(lines).toContain('  n3["No status"]');
    expect(lines).toContain('  n0 --> n1');
    expect(lines).toContain('  n1 --> n2');
    expect(lines).toContain('  n0 --> n3');
    expect(text).not.toContain('0b6f'); // the UUID-like ids never appear as Mermaid ids
    expect(lines).toContain('  classDef status_COMPLETED fill:#4ade80,stroke:#374151,color:#111827');
    expect(lines).toContain('  class n0 status_COMPLETED');
    expect(lines).toContain('  class n1 status_RUNNING');
    expect(lines).toContain('  class n2 status_SOMETHING_ELSE');
  });

  it('declares nodes that only edges mention', () => {
    const text = toMermaid([{ id: 'a', label: 'A' }], [{ from: 'ghost', to: 'a' }]);
    expect(text).toContain('n1["ghost"]');
    expect(text).toContain('n1 --> n0');
    expect(toDot([{ id: 'a', label: 'A' }], [{ from: 'ghost', to: 'a' }])).toContain('"ghost" [label="ghost"];');
  });
});

describe('performance sanity', () => {
  it('handles a random DAG of 100,000 tasks and ~200,000 edges', () => {
    const random = prng(42);
    const n = 100_000;
    const ids = Array.from({ length: n }, (_, i) => `task-${i}`);
    const deps = new Map<string, string[]>();
    let edges = 0;
    for (let i = 0; i < n; i++) {
      const list: string[] = [];
      // Dependencies only on earlier ids keeps it acyclic.
      for (let k = 0; k < 2 && i > 0; k++) list.push(ids[Math.floor(random() * i)]!);
      edges += list.length;
      deps.set(ids[i]!, list);
    }
    // Shuffle the node order so levelling cannot rely on ids being sorted.
    const shuffled = [...ids];
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    expect(edges).toBeGreaterThan(199_000);

    expect(findCycles(deps)).toEqual([]);
    const { levels, blocked } = topologicalLevels(shuffled, deps);
    expect(blocked).toEqual([]);
    expect(levels.reduce((sum, level) => sum + level.length, 0)).toBe(n);
    expect(criticalPath(shuffled, deps, () => 1).path.length).toBe(levels.length);
  });
});
