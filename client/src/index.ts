export { createClient, TaskqClient } from './producer';
export type { ClientOptions, EventStream, TaskPage } from './producer';
export { createWorker, Worker } from './worker';
export type { Handler, TaskContext, WorkerOptions, WorkerStats } from './worker';
export {
  ConnectionLostError,
  GraphQLRequestError,
  LeaseLostError,
  NonRetryableError,
  TaskCancelledError,
  TaskTimeoutError,
  WorkerShutdownError,
} from './errors';
export type { CreateTaskInput, Json, Project, ProgressEvent, Task, TaskFilter, TaskProgress, TaskStatus, TaskStatusEvent } from './types';
export { TASK_FIELDS } from './types';
