/**
 * The dependency graph's rules at their edges: tie-breaking, caps, ordering, exact export text.
 * (dependency-graph.test.ts has the main cases and the large graphs.)
 */
import { describe, expect, it } from 'vitest';
import {
  CycleError,
  type DependencyMap,
  MissingDependencyError,
  STATUS_COLOURS,
  connectedTo,
  criticalPath,
  cyclePathIfAdded,
  findCycles,
  resolveOrder,
  toDot,
  toMermaid,
  topologicalLevels,
} from '../../src/domain/dependency-graph';
import { compareIdLists, compareIds } from '../../src/domain/dependency-graph/id-order';
import { colourOf, cssClass, DEFAULT_FILL } from '../../src/domain/dependency-graph/status-colours';
import { TASK_STATUSES } from '../../src/domain/task-status';

function graph(spec: Record<string, string[]>): DependencyMap {
  return new Map(Object.entries(spec));
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('nothing was thrown');
}

describe('id order (the order of findCycles output)', () => {
  it('compares ids by code unit, equal ids as 0', () => {
    expect(compareIds('a', 'b')).toBe(-1);
    expect(compareIds('b', 'a')).toBe(1);
    expect(compareIds('a', 'a')).toBe(0);
    expect(compareIds('B', 'a')).toBe(-1); // code units, not locale: upper case first
  });

  it('compares lists element by element, a prefix first', () => {
    expect(compareIdLists(['a', 'b'], ['a', 'b'])).toBe(0);
    expect(compareIdLists(['a', 'b'], ['a', 'c'])).toBeLessThan(0);
    expect(compareIdLists(['a', 'c'], ['a', 'b'])).toBeGreaterThan(0);
    expect(compareIdLists(['a', 'b'], ['a', 'b', 'c'])).toBeLessThan(0);
    expect(compareIdLists(['a', 'b', 'c'], ['a', 'b'])).toBeGreaterThan(0);
    expect(compareIdLists(['b'], ['a', 'z'])).toBeGreaterThan(0);
  });
});

describe('findCycles under its cap', () => {
  // Two components of two cycles each: a <-> b, a <-> c and x <-> y, x <-> z.
  const twoComponents = graph({ x: ['y', 'z'], y: ['x'], z: ['x'], a: ['b', 'c'], b: ['a'], c: ['a'] });

  it('returns exactly maxCycles, taking components in id order', () => {
    expect(findCycles(twoComponents)).toEqual([['a', 'b'], ['a', 'c'], ['x', 'y'], ['x', 'z']]);
    expect(findCycles(twoComponents, 3)).toEqual([['a', 'b'], ['a', 'c'], ['x', 'y']]);
    expect(findCycles(twoComponents, 1)).toEqual([['a', 'b']]);
  });

  it('does not depend on the order dependencies were listed in', () => {
    expect(findCycles(graph({ a: ['c', 'b'], b: ['a'], c: ['a'] }), 1)).toEqual([['a', 'b']]);
  });
});

describe('cyclePathIfAdded', () => {
  it('terminates on a graph with an unrelated cycle, and finds none', () => {
    const deps = graph({ t: [], a: ['b'], b: ['c'], c: ['b'] });
    expect(cyclePathIfAdded(deps, 't', 'a')).toBeNull();
  });

  it('returns the shortest cycle the edge would close', () => {
    // t would depend on a; a reaches t directly through b, and through a longer detour.
    const deps = graph({ t: ['x'], a: ['c', 'b'], c: ['d'], d: ['e'], e: ['t'], b: ['t'], x: [] });
    expect(cyclePathIfAdded(deps, 't', 'a')).toEqual(['t', 'a', 'b', 't']);
  });
});

describe('topologicalLevels ordering', () => {
  it('keeps the input order in every level, not only the first', () => {
    const deps = graph({ a: [], b: [], c: ['b'], d: ['a'] });
    expect(topologicalLevels(['a', 'b', 'c', 'd'], deps)).toEqual({ levels: [['a', 'b'], ['c', 'd']], blocked: [] });
  });

  it('lists a node given twice once, at its first position', () => {
    const deps = graph({ a: [], b: ['a'] });
    expect(topologicalLevels(['b', 'a', 'b'], deps)).toEqual({ levels: [['a'], ['b']], blocked: [] });
    expect(topologicalLevels(['a', 'c', 'a'], graph({ a: [], c: [] }))).toEqual({ levels: [['a', 'c']], blocked: [] });
  });
});

describe('resolveOrder errors', () => {
  it('names a cycle through the root from the root', () => {
    const error = thrown(() => resolveOrder('a', graph({ a: ['b'], b: ['a'] }))) as CycleError;
    expect(error).toBeInstanceOf(CycleError);
    expect(error.cycle).toEqual(['a', 'b', 'a']);
    expect(error.message).toBe('Circular dependency detected: a -> b -> a');
  });

  it('an unknown root is missing with an empty chain', () => {
    const error = thrown(() => resolveOrder('nope', graph({ a: [] }))) as MissingDependencyError;
    expect(error).toBeInstanceOf(MissingDependencyError);
    expect(error.message).toBe('Dependency nope of task nope not found');
    expect(error.extensions).toMatchObject({ taskId: 'nope', missingId: 'nope', dependencyChain: ['dependency nope not found'] });
  });

  it('a cycle error names its first task unless told otherwise', () => {
    const error = new CycleError(['p', 'q', 'p']);
    expect(error.taskId).toBe('p');
    expect(error.extensions).toMatchObject({ taskId: 'p', dependencyChain: ['p', 'q', 'p'] });
    expect(new CycleError([]).taskId).toBe('');
  });
});

describe('criticalPath ties', () => {
  it('follows the heavier dependency even when a lighter one comes first in the node list', () => {
    const deps = graph({ light: [], heavy: [], x: ['heavy', 'light'] });
    const w: Record<string, number> = { light: 1, heavy: 5, x: 1 };
    expect(criticalPath(['light', 'heavy', 'x'], deps, (id) => w[id]!)).toEqual({ path: ['heavy', 'x'], total: 6 });
  });

  it('ends at the heaviest node, the earliest in the node list on a tie', () => {
    expect(criticalPath(['a', 'b'], graph({ a: [], b: [] }), () => 5)).toEqual({ path: ['a'], total: 5 });
    // c comes first in the list and ties with a, which it depends on: the path runs a -> c.
    expect(criticalPath(['c', 'a'], graph({ a: [], c: ['a'] }), (id) => (id === 'a' ? 5 : 0))).toEqual({ path: ['a', 'c'], total: 5 });
    // a is earlier in the list but lighter than c: c ends the path.
    const w: Record<string, number> = { b: 1, c: 5, a: 0 };
    expect(criticalPath(['a', 'b', 'c'], graph({ a: ['b'], b: [], c: [] }), (id) => w[id]!)).toEqual({ path: ['c'], total: 5 });
  });

  it('counts a missing (non-finite) weight as 0', () => {
    expect(criticalPath(['a', 'b'], graph({ a: [], b: ['a'] }), (id) => (id === 'a' ? Number.NaN : 2))).toEqual({ path: ['a', 'b'], total: 2 });
  });
});

describe('connectedTo', () => {
  it('walks a cycle once', () => {
    expect([...connectedTo('a', graph({ a: ['b'], b: ['a'], c: [] }))].sort()).toEqual(['a', 'b']);
  });
});

describe('status colours', () => {
  it('every status has its own fill, and every colour is a hex colour', () => {
    const fills = TASK_STATUSES.map((s) => colourOf(s).fill);
    expect(new Set([...fills, DEFAULT_FILL.fill]).size).toBe(TASK_STATUSES.length + 1);
    for (const s of TASK_STATUSES) {
      expect(STATUS_COLOURS[s]).toBeDefined();
      expect(colourOf(s).fill).toMatch(/^#[0-9a-f]{6}$/);
      expect(colourOf(s).text).toMatch(/^#[0-9a-f]{6}$/);
    }
    expect(DEFAULT_FILL).toEqual({ fill: expect.stringMatching(/^#[0-9a-f]{6}$/), text: expect.stringMatching(/^#[0-9a-f]{6}$/) });
  });

  it('text is dark on light fills and white on the dark CANCELLED grey', () => {
    for (const s of TASK_STATUSES) expect(colourOf(s).text).toBe(s === 'CANCELLED' ? '#ffffff' : '#111827');
    expect(DEFAULT_FILL.text).toBe('#111827');
  });

  it('an unknown, absent or inherited name gets the default', () => {
    for (const s of [undefined, 'SOMETHING_ELSE', 'constructor', 'toString', '__proto__']) expect(colourOf(s)).toBe(DEFAULT_FILL);
  });

  it('class names keep letters, digits and underscores only', () => {
    expect(cssClass('IN PROGRESS-2')).toBe('status_IN_PROGRESS_2');
    expect(cssClass('READY')).toBe('status_READY');
  });
});

describe('exact export text', () => {
  const nodes = [
    { id: 'a', label: 'Fetch `data`', status: 'READY' },
    { id: 'b', label: 'Train', status: 'READY' },
    { id: 'a', label: 'a second "a" is ignored' },
  ];
  const edges = [{ from: 'a', to: 'b' }];

  it('DOT', () => {
    expect(toDot(nodes, edges)).toBe(
      [
        'digraph dependencies {',
        '  rankdir=LR;',
        '  node [shape=box, style="rounded,filled", fillcolor="#f3f4f6", fontcolor="#111827"];',
        '  "a" [label="Fetch `data`", class="status_READY", fillcolor="#60a5fa", fontcolor="#111827"];',
        '  "b" [label="Train", class="status_READY", fillcolor="#60a5fa", fontcolor="#111827"];',
        '  "a" -> "b";',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('Mermaid, one class line per status listing its nodes', () => {
    expect(toMermaid(nodes, edges)).toBe(
      [
        'flowchart LR',
        '  n0["Fetch #96;data#96;"]',
        '  n1["Train"]',
        '  n0 --> n1',
        '  classDef status_READY fill:#60a5fa,stroke:#374151,color:#111827',
        '  class n0,n1 status_READY',
        '',
      ].join('\n'),
    );
  });
});
