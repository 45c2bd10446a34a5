import { TaskDependencyError } from '../errors';

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
