/**
 * Domain errors: named classes with a stable code. The GraphQL layer maps them to
 * `extensions.code` in exactly one place (src/graphql/error-mapping.ts); anything that is not a
 * DomainError becomes INTERNAL_SERVER_ERROR with its message hidden.
 */
export type ErrorCode =
  | 'TASK_NOT_FOUND'
  | 'PROJECT_NOT_FOUND'
  | 'INVALID_TRANSITION'
  | 'TASK_DEPENDENCY_ERROR'
  | 'LEASE_NOT_HELD'
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'CONFLICT'
  | 'TOKEN_NOT_FOUND'
  | 'QUERY_TOO_COMPLEX'
  | 'RATE_LIMITED';

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Facts a client needs to act (ids, statuses, a `recovery` hint). Must be JSON-safe. */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadInputError extends DomainError {
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super('BAD_USER_INPUT', message, extensions);
  }
}

export class TaskNotFoundError extends DomainError {
  constructor(readonly taskId: string) {
    super('TASK_NOT_FOUND', `Task ${taskId} not found`, { taskId });
  }
}

export class ProjectNotFoundError extends DomainError {
  constructor(readonly projectId: string) {
    super('PROJECT_NOT_FOUND', `Project ${projectId} not found`, {
      projectId,
      recovery: 'Create the project with createProject, or list existing ones with the projects query.',
    });
  }
}

export class InvalidTransitionError extends DomainError {
  constructor(from: string, to: string, extensions: Record<string, unknown> = {}) {
    super('INVALID_TRANSITION', `Invalid state transition: ${from} -> ${to}`, { from, to, ...extensions });
  }
}

export const DEPENDENCY_RECOVERY =
  'Break circular dependency by removing one dependency link, or ensure all referenced tasks exist.';

export class TaskDependencyError extends DomainError {
  constructor(message: string, taskId: string, dependencyChain: string[]) {
    super('TASK_DEPENDENCY_ERROR', message, { taskId, dependencyChain, recovery: DEPENDENCY_RECOVERY });
  }
}

export class LeaseNotHeldError extends DomainError {
  constructor(taskId: string, workerId: string) {
    super('LEASE_NOT_HELD', `Worker ${workerId} does not hold the lease on task ${taskId}`, {
      taskId,
      workerId,
      recovery: 'The lease expired or another worker claimed the task; stop working on it and claim a new task.',
    });
  }
}
