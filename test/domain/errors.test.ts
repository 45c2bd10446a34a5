import { describe, expect, it, vi } from 'vitest';
import { GraphQLError } from 'graphql';
import { formatError } from '../../src/graphql/error-mapping';
import {
  BadInputError,
  DomainError,
  InvalidTransitionError,
  LeaseNotHeldError,
  ProjectNotFoundError,
  ScheduleNotFoundError,
  TaskDependencyError,
  TaskNotFoundError,
} from '../../src/domain/errors';

describe('error mapping', () => {
  it('an unknown error becomes INTERNAL_SERVER_ERROR with its message hidden, and is logged', () => {
    const log = vi.fn();
    const secret = new Error('connection to 10.0.0.5:5432 refused: password authentication failed for user admin');
    const wrapped = new GraphQLError(secret.message, { originalError: secret, path: ['task'] });
    const out = formatError(wrapped.toJSON(), wrapped, log);
    expect(out).toEqual({ message: 'Internal server error', locations: undefined, path: ['task'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(JSON.stringify(out)).not.toContain('10.0.0.5');
    expect(log).toHaveBeenCalledWith(secret);
  });

  it('a domain error keeps its code, message and facts', () => {
    const e = new TaskDependencyError('Dependency 999 not found', '7', ['7', 'dependency 999 not found']);
    const wrapped = new GraphQLError(e.message, { originalError: e });
    expect(formatError(wrapped.toJSON(), wrapped, vi.fn()).extensions).toEqual({
      code: 'TASK_DEPENDENCY_ERROR',
      taskId: '7',
      dependencyChain: ['7', 'dependency 999 not found'],
      recovery: 'Break circular dependency by removing one dependency link, or ensure all referenced tasks exist.',
    });
    const nf = new TaskNotFoundError('abc');
    expect(formatError({ message: nf.message }, nf, vi.fn()).extensions).toEqual({ code: 'TASK_NOT_FOUND', taskId: 'abc' });
  });

  it('GraphQL validation errors keep a stable code', () => {
    const e = new GraphQLError('Cannot query field "nope" on type "Query".');
    expect(formatError(e.toJSON(), e, vi.fn()).extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('domain errors', () => {
  it('each carries its stable code, a readable message and the facts a client acts on', () => {
    const cases: [DomainError, string, string, Record<string, unknown>][] = [
      [new TaskNotFoundError('t1'), 'TASK_NOT_FOUND', 'Task t1 not found', { taskId: 't1' }],
      [
        new ProjectNotFoundError('p1'),
        'PROJECT_NOT_FOUND',
        'Project p1 not found',
        { projectId: 'p1', recovery: 'Create the project with createProject, or list existing ones with the projects query.' },
      ],
      [
        new ScheduleNotFoundError('s1'),
        'SCHEDULE_NOT_FOUND',
        'Schedule s1 not found',
        { scheduleId: 's1', recovery: "List the project's schedules with the schedules query." },
      ],
      [
        new LeaseNotHeldError('t1', 'w1'),
        'LEASE_NOT_HELD',
        'Worker w1 does not hold the lease on task t1',
        { taskId: 't1', workerId: 'w1', recovery: 'The lease expired or another worker claimed the task; stop working on it and claim a new task.' },
      ],
      [new BadInputError('title must not be empty', { field: 'title' }), 'BAD_USER_INPUT', 'title must not be empty', { field: 'title' }],
      [new InvalidTransitionError('COMPLETED', 'RUNNING'), 'INVALID_TRANSITION', 'Invalid state transition: COMPLETED -> RUNNING', { from: 'COMPLETED', to: 'RUNNING' }],
    ];
    for (const [error, code, message, extensions] of cases) {
      expect(error).toBeInstanceOf(DomainError);
      expect(error.code).toBe(code);
      expect(error.message).toBe(message);
      expect(error.extensions).toEqual(extensions);
      expect(error.name).toBe(error.constructor.name);
    }
  });
});
