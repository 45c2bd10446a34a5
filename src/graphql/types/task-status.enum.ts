import { registerEnumType } from 'type-graphql';
import { TASK_STATUSES, TaskStatus } from '../../domain/task-status';

/** The GraphQL enum mirrors the domain's statuses one to one. */
export const TaskStatusEnum = Object.fromEntries(TASK_STATUSES.map((s) => [s, s])) as { [K in TaskStatus]: K };

registerEnumType(TaskStatusEnum, {
  name: 'TaskStatus',
  description: 'PENDING -> (SCHEDULED ->) READY -> RUNNING -> COMPLETED, with RETRYING, FAILED, BLOCKED and CANCELLED on the side (see the README).',
});
