import type { DependencyMap } from './types';

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
