export type TaskStatus = 'PENDING' | 'READY' | 'RUNNING' | 'BLOCKED' | 'COMPLETED' | 'FAILED' | 'CANCELLED' | 'RETRYING' | 'SCHEDULED';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface TaskProgress {
  percent: number;
  message: string | null;
  at: string;
}

/** A task as the server returns it (timestamps are ISO strings). */
export interface Task {
  id: string;
  projectId: string;
  title: string;
  description: string | null;
  priority: number;
  status: TaskStatus;
  context: Record<string, unknown>;
  result?: unknown;
  metadata: Record<string, unknown>;
  retryCount: number;
  maxRetries: number;
  attempt: number;
  assignedTo: string | null;
  parentTaskId: string | null;
  workerId?: string | null;
  leaseExpiresAt?: string | null;
  timeoutSeconds?: number | null;
  dependencies?: string[];
  progress?: TaskProgress | null;
  createdAt?: string;
  updatedAt?: string;
  startedAt?: string | null;
  completedAt?: string | null;
}

export interface CreateTaskInput {
  projectId: string;
  title: string;
  description?: string;
  priority?: number;
  dependencies?: string[];
  /** A name other inputs of the same createTasks call can refer to in dependencyKeys. */
  key?: string;
  dependencyKeys?: string[];
  context?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  maxRetries?: number;
  assignedTo?: string;
  parentTaskId?: string;
  [more: string]: unknown;
}

export interface TaskFilter {
  projectId?: string;
  statuses?: TaskStatus[];
  assignedTo?: string;
  parentTaskId?: string;
}

export interface Project {
  id: string;
  name: string;
  createdAt: string;
  paused?: boolean;
}

export interface TaskStatusEvent {
  cursor: string;
  taskId: string;
  projectId: string;
  previousStatus: TaskStatus | null;
  status: TaskStatus;
  at: string;
  task: Task | null;
}

export interface ProgressEvent {
  taskId: string;
  projectId: string;
  attempt: number;
  progress: TaskProgress;
}

/** The Task fields the helpers select (and the worker hands to handlers). */
export const TASK_FIELDS =
  'id projectId title description priority status context result metadata retryCount maxRetries attempt assignedTo parentTaskId workerId leaseExpiresAt timeoutSeconds dependencies progress { percent message at } createdAt updatedAt startedAt completedAt';
