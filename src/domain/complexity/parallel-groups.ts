/**
 * Parallel groups of suggested subtasks: the topological levels (Kahn) of their dependencies.
 */
import { topologicalLevels } from '../dependency-graph';
import type { ParallelGroup, SubtaskPlan } from './types';

export function parallelGroups(plan: readonly SubtaskPlan[]): ParallelGroup[] {
  if (plan.length === 0) return []; // most tasks: nothing suggested, no graph to build
  const byId = new Map(plan.map((s) => [String(s.id), s]));
  const deps = new Map(plan.map((s) => [String(s.id), s.dependencies.map(String)]));
  // Dependencies only ever point to earlier subtasks, so nothing is blocked by a cycle.
  const { levels } = topologicalLevels([...byId.keys()], deps);
  return levels.map((level, groupId) => {
    const members = level.map((id) => byId.get(id)!);
    return {
      groupId,
      subtaskIds: members.map((s) => s.id),
      estimatedDurationMinutes: Math.max(...members.map((s) => s.estimatedMinutes)),
      canParallelize: members.length > 1,
    };
  });
}
