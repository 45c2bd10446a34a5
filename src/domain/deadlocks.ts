import { DependencyMap, findCycles } from './dependency-graph';
import type { TaskStatus } from './task-status';

export interface StalledTask {
  taskId: string;
  reason: string;
  /** The tasks (or missing ids) that can never complete and that this task waits on. */
  blockedBy: string[];
}

export interface DeadlockReport {
  cycles: string[][];
  stalled: StalledTask[];
}

/** Statuses of tasks still waiting to run: the ones that can be stalled. */
const WAITING: readonly TaskStatus[] = ['PENDING', 'BLOCKED'];
const MAX_BLOCKERS_LISTED = 20;

/**
 * Cycles, and tasks that wait (directly or transitively) on something that can never complete:
 * a FAILED or CANCELLED task, a missing id, or a member of a cycle. Pure: the caller loads the
 * statuses and edges of one project.
 */
export function detectDeadlocks(statuses: ReadonlyMap<string, TaskStatus>, deps: DependencyMap): DeadlockReport {
  const cycles = findCycles(deps);
  const inCycle = new Map<string, string[]>();
  for (const cycle of cycles) for (const id of cycle) if (!inCycle.has(id)) inCycle.set(id, cycle);

  const dependents = new Map<string, string[]>();
  const deadRoots = new Map<string, string>(); // id -> why it can never complete
  for (const [taskId, list] of deps) {
    for (const dep of list) {
      let arr = dependents.get(dep);
      if (!arr) dependents.set(dep, (arr = []));
      arr.push(taskId);
      if (!statuses.has(dep)) deadRoots.set(dep, `dependency ${dep} not found`);
    }
  }
  for (const [id, status] of statuses) {
    if (status === 'FAILED' || status === 'CANCELLED') deadRoots.set(id, `waits on ${status} task ${id}`);
  }
  for (const [id, cycle] of inCycle) {
    deadRoots.set(id, `waits on a dependency cycle (${[...cycle, cycle[0]].join(' -> ')})`);
  }

  // Walk dependents from every root; remember which roots reach each waiting task (the first
  // MAX_BLOCKERS_LISTED of them) and how many do, so the reason counts them all.
  const reachedBy = new Map<string, { roots: string[]; count: number }>();
  for (const root of deadRoots.keys()) {
    const seen = new Set<string>([root]);
    const queue = [...(dependents.get(root) ?? [])];
    while (queue.length > 0) {
      const id = queue.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      let reached = reachedBy.get(id);
      if (!reached) reachedBy.set(id, (reached = { roots: [], count: 0 }));
      reached.count += 1;
      if (reached.roots.length < MAX_BLOCKERS_LISTED) reached.roots.push(root);
      for (const next of dependents.get(id) ?? []) if (!seen.has(next)) queue.push(next);
    }
  }

  const stalled: StalledTask[] = [];
  for (const [taskId, { roots, count }] of reachedBy) {
    const status = statuses.get(taskId);
    if (status === undefined || !WAITING.includes(status)) continue;
    if (inCycle.has(taskId) && roots.every((r) => inCycle.get(r) === inCycle.get(taskId))) {
      // Members of a cycle are reported as the cycle itself.
      continue;
    }
    const direct = (deps.get(taskId) ?? []).includes(roots[0]!);
    const why = deadRoots.get(roots[0]!)!;
    const more = count > 1 ? ` (and ${count - 1} more)` : '';
    stalled.push({
      taskId,
      reason: `${direct ? '' : 'transitively '}${why}${more}; it can never run`,
      blockedBy: roots,
    });
  }
  stalled.sort((a, b) => (a.taskId < b.taskId ? -1 : 1));
  return { cycles, stalled };
}
