import { describe, expect, it, vi } from 'vitest';
import { GraphQLError } from 'graphql';
import { formatError } from '../../src/graphql/error-mapping';
import { TaskDependencyError, TaskNotFoundError } from '../../src/domain/errors';

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
