import { estimateComplexity, type ComplexityEstimate } from '../domain/complexity';
import type { SchedulerDeps } from './context';

/**
 * A stored task's complexity estimate. The estimator reads the title and description as one
 * text and counts the dependencies, exactly as create-tasks.ts does at creation, so a
 * re-estimate after an edit is comparable with the original one.
 */
export function estimateTask(
  deps: Pick<SchedulerDeps, 'complexityWeights'>,
  task: { id: string; title: string; description: string | null },
  dependencyIds: readonly string[],
  now: Date,
): ComplexityEstimate {
  return estimateComplexity(
    { description: [task.title, task.description].filter(Boolean).join('\n'), dependencies: [...dependencyIds] },
    { weights: deps.complexityWeights, now, taskId: task.id },
  );
}
