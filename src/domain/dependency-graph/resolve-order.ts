import { CycleError, MissingDependencyError } from './errors';
import type { DependencyMap } from './types';

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
