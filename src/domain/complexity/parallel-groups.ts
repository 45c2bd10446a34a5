/**
 * Parallel groups of suggested subtasks: the topological levels (Kahn) of their dependencies.
 */
import { topologicalLevels } from '../dependency-graph';
import type { ParallelGroup, SubtaskPlan } from './types';

export function parallelGroups(plan: readonly SubtaskPlan[]): ParallelGroup[] {
  if (plan.length === 0) return []; // most tasks: nothing suggested, no graph to build
  const levels = levelsOfOrderedPlan(plan) ?? kahnLevels(plan);
  return levels.map((members, groupId) => ({
    groupId,
    subtaskIds: members.map((s) => s.id),
    estimatedDurationMinutes: Math.max(...members.map((s) => s.estimatedMinutes)),
    canParallelize: members.length > 1,
  }));
}

/**
 * Kahn's levels in one pass when every dependency is an earlier subtask (as planSubtasks makes
 * them): a subtask's level is one more than its deepest dependency's, and each level keeps plan
 * order. A task with dependencies gets a plan estimated at creation, so this runs once per task
 * of a large createTasks: the general algorithm's indexed graph cost more than the rest of the
 * estimate. Null when a dependency is not an earlier subtask (the general algorithm decides).
 */
function levelsOfOrderedPlan(plan: readonly SubtaskPlan[]): SubtaskPlan[][] | null {
  const levelOf = new Map<string, number>();
  const levels: SubtaskPlan[][] = [];
  for (const s of plan) {
    const id = String(s.id);
    if (levelOf.has(id)) return null; // a repeated id: the general algorithm's business
    let level = 0;
    for (const dep of s.dependencies) {
      const depLevel = levelOf.get(String(dep));
      if (depLevel === undefined) {
        // A dependency on no subtask of the plan counts for nothing (Kahn ignores it); on a later one, fall back.
        if (plan.some((other) => String(other.id) === String(dep))) return null;
        continue;
      }
      if (depLevel + 1 > level) level = depLevel + 1;
    }
    levelOf.set(id, level);
    (levels[level] ??= []).push(s);
  }
  return levels;
}

function kahnLevels(plan: readonly SubtaskPlan[]): SubtaskPlan[][] {
  const byId = new Map(plan.map((s) => [String(s.id), s]));
  const deps = new Map(plan.map((s) => [String(s.id), s.dependencies.map(String)]));
  // Dependencies only ever point to earlier subtasks, so nothing is blocked by a cycle.
  const { levels } = topologicalLevels([...byId.keys()], deps);
  return levels.map((level) => level.map((id) => byId.get(id)!));
}
