import 'reflect-metadata';
import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { scalarsMap } from './scalars';
import { ProjectResolver } from './resolvers/project.resolver';
import { TaskQueryResolver } from './resolvers/task-query.resolver';
import { TaskMutationResolver } from './resolvers/task-mutation.resolver';
import { TaskFieldsResolver } from './resolvers/task-fields.resolver';
import { SubscriptionResolver } from './resolvers/subscription.resolver';
import { ComplexityResolver } from './resolvers/complexity.resolver';
import { TaskComplexityResolver } from './resolvers/task-complexity.resolver';
import { TaskEditResolver } from './resolvers/task-edit.resolver';
import { GraphResolver } from './resolvers/graph.resolver';
import { EventCursorResolver } from './resolvers/event-cursor.resolver';
import { ScheduleResolver } from './resolvers/schedule.resolver';
import { FlowControlResolver } from './resolvers/flow-control.resolver';
import { LeaseResolver } from './resolvers/lease.resolver';
import { ProgressResolver } from './resolvers/progress.resolver';
import { OperationsResolver } from './resolvers/operations.resolver';
import { ApiTokenResolver } from './resolvers/api-token.resolver';
import { enforcePermissions } from '../auth/enforce-permissions';

export const resolvers = [
  ProjectResolver,
  TaskQueryResolver,
  TaskMutationResolver,
  TaskFieldsResolver,
  SubscriptionResolver,
  EventCursorResolver,
  ComplexityResolver,
  TaskComplexityResolver,
  TaskEditResolver,
  GraphResolver,
  OperationsResolver,
  LeaseResolver,
  ProgressResolver,
  ApiTokenResolver,
  ScheduleResolver,
  FlowControlResolver,
] as const;

/**
 * type-graphql insists on a PubSub, but every subscription here brings its own `subscribe`
 * (the event stream, src/events): topics are never used.
 */
const UNUSED_PUBSUB = {
  publish(): void {
    throw new Error('topic-based publish is not used: events flow through src/events/event-stream.ts');
  },
  subscribe(): AsyncIterable<unknown> {
    throw new Error('topic-based subscribe is not used: events flow through src/events/event-stream.ts');
  },
};

let cached: Promise<GraphQLSchema> | null = null;

export function buildAppSchema(): Promise<GraphQLSchema> {
  // Every root field is wrapped in its permission-table check (src/auth/permissions.ts).
  cached ??= buildSchema({ resolvers: [...resolvers], scalarsMap, validate: false, pubSub: UNUSED_PUBSUB }).then((schema) => {
    enforcePermissions(schema);
    return schema;
  });
  return cached;
}

/** The committed schema.graphql is exactly this text (a test fails when they drift). */
export async function printAppSchema(): Promise<string> {
  return printSchema(lexicographicSortSchema(await buildAppSchema())) + '\n';
}
