import type { Role } from './principal';

/**
 * THE permission table: every root field of Query, Mutation and Subscription, who may call it,
 * and how its arguments name what it touches (so project scope is applied before it runs).
 * Enforced in one place (enforce-permissions.ts, wrapped around the built schema); a root field
 * with no entry here refuses every caller, and test/auth/permissions.test.ts fails for it.
 * Adding an operation = adding its line here.
 *
 * Scope rules (`scope`), checked for a caller bound to a project (a global admin skips them):
 * - project:  the argument at `path` is a project id that must be the caller's, else PROJECT_NOT_FOUND.
 * - optionalProject: like project, but when absent the caller's project is filled in (queries,
 *   filters and subscriptions without a project are restricted to it, never widened).
 * - task:     the argument is a task id (or ids) whose project must be the caller's, else
 *   TASK_NOT_FOUND (one indexed read; hot paths use lease instead).
 * - lease:    a task id a WORKER acts on as the lease holder. `inSql`: the use case's guarded
 *   statement checks that the task was claimed with this very token (task.claimed_by_token_id),
 *   so nothing is read up front (claim/complete/heartbeat hot paths); otherwise the check reads
 *   the task first (LEASE_NOT_HELD when another token claimed it). Non-workers: as `task`.
 * - schedule: a schedule id whose project must be the caller's (one read).
 * - own:      the resolver filters or checks by itself (lists over everything, own-token views).
 * Paths: dotted argument paths; `[]` steps into a list (`inputs[].projectId`).
 */
export type ScopeRule =
  | { kind: 'project'; path: string }
  | { kind: 'optionalProject'; path: string }
  | { kind: 'task'; path: string }
  | { kind: 'lease'; path: string; inSql?: boolean }
  | { kind: 'schedule'; path: string }
  | { kind: 'own' };

export interface Permission {
  roles: readonly Role[];
  /** Only a global admin (an ADMIN token bound to no project). */
  globalOnly?: boolean;
  scope: readonly ScopeRule[];
  /** A hidden object reads as "not there" (null) instead of an error: task(id), project(id). */
  hiddenIsNull?: boolean;
}

const ALL: readonly Role[] = ['ADMIN', 'PRODUCER', 'WORKER', 'VIEWER'];
const ADMIN: readonly Role[] = ['ADMIN'];
const PRODUCE: readonly Role[] = ['ADMIN', 'PRODUCER'];
const WORK: readonly Role[] = ['ADMIN', 'WORKER'];

const project = (path: string): ScopeRule => ({ kind: 'project', path });
const optionalProject = (path: string): ScopeRule => ({ kind: 'optionalProject', path });
const task = (path: string): ScopeRule => ({ kind: 'task', path });
const lease = (path: string, inSql = false): ScopeRule => ({ kind: 'lease', path, inSql });
const own: ScopeRule = { kind: 'own' };

export const QUERY_PERMISSIONS: Record<string, Permission> = {
  viewer: { roles: ALL, scope: [own] },
  projects: { roles: ALL, scope: [own] },
  project: { roles: ALL, scope: [project('id')], hiddenIsNull: true },
  task: { roles: ALL, scope: [task('id')], hiddenIsNull: true },
  tasks: { roles: ALL, scope: [optionalProject('filter.projectId')] },
  resolveDependencies: { roles: ALL, scope: [task('taskId')] },
  dependencyGraph: { roles: ALL, scope: [project('projectId'), task('rootTaskId')] },
  detectDeadlocks: { roles: ALL, scope: [project('projectId')] },
  // Reads no stored data; `input.dependencies` ids are only counted.
  estimateComplexity: { roles: ALL, scope: [] },
  // A position in the event log, not an event: reveals nothing of any project.
  latestEventCursor: { roles: ALL, scope: [] },
  apiTokens: { roles: ADMIN, scope: [optionalProject('projectId')] },
  // The operations dashboard's series (read-only). Without projectId they cover every project for
  // a global admin only; a project-bound token is held to its own project.
  throughput: { roles: ALL, scope: [optionalProject('projectId')] },
  queueDepth: { roles: ALL, scope: [optionalProject('projectId')] },
  taskCounts: { roles: ALL, scope: [project('projectId')] },
  dependencyFrontier: { roles: ALL, scope: [project('projectId')] },
  // Part 2 (other branches): entries exist before the fields do, so they arrive protected.
  schedules: { roles: ALL, scope: [project('projectId')] },
  concurrencyLimits: { roles: ALL, scope: [project('projectId')] },
};

export const MUTATION_PERMISSIONS: Record<string, Permission> = {
  createProject: { roles: ADMIN, globalOnly: true, scope: [] },
  pauseProject: { roles: ADMIN, scope: [project('id')] },
  resumeProject: { roles: ADMIN, scope: [project('id')] },
  setConcurrencyLimit: { roles: ADMIN, scope: [project('projectId')] },
  createApiToken: { roles: ADMIN, scope: [optionalProject('input.projectId')] },
  revokeApiToken: { roles: ADMIN, scope: [own] },

  createTask: { roles: PRODUCE, scope: [project('input.projectId')] },
  createTasks: { roles: PRODUCE, scope: [project('inputs[].projectId')] },
  updateTask: { roles: PRODUCE, scope: [task('id')] },
  updateTaskPriority: { roles: PRODUCE, scope: [task('id')] },
  addDependency: { roles: PRODUCE, scope: [task('taskId'), task('dependsOn')] },
  removeDependency: { roles: PRODUCE, scope: [task('taskId'), task('dependsOn')] },
  retryTask: { roles: PRODUCE, scope: [task('id')] },
  cancelTask: { roles: PRODUCE, scope: [task('id')] },
  retryTasks: { roles: PRODUCE, scope: [project('filter.projectId')] },
  cancelTasks: { roles: PRODUCE, scope: [project('filter.projectId')] },
  upsertSchedule: { roles: PRODUCE, scope: [project('input.projectId')] },
  deleteSchedule: { roles: PRODUCE, scope: [{ kind: 'schedule', path: 'id' }] },
  triggerSchedule: { roles: PRODUCE, scope: [{ kind: 'schedule', path: 'id' }] },

  claimNextTask: { roles: WORK, scope: [project('projectId')] },
  claimTasks: { roles: WORK, scope: [project('projectId')] },
  heartbeatTask: { roles: WORK, scope: [lease('id', true)] },
  completeTask: { roles: WORK, scope: [lease('id', true)] },
  completeTasks: { roles: WORK, scope: [lease('inputs[].id', true)] },
  failTask: { roles: WORK, scope: [lease('id', true)] },
  decomposeTask: { roles: ['ADMIN', 'PRODUCER', 'WORKER'], scope: [lease('id', true)] },
  // The batch forms leave a lost lease out of their answer rather than failing the call, so the
  // token check is in their statements too (a read up front would refuse the whole batch).
  heartbeatTasks: { roles: WORK, scope: [lease('inputs[].id', true)] },
  releaseTask: { roles: WORK, scope: [lease('id', true)] },
  releaseTasks: { roles: WORK, scope: [lease('inputs[].id', true)] },
  reportProgress: { roles: WORK, scope: [lease('id', true)] },
};

export const SUBSCRIPTION_PERMISSIONS: Record<string, Permission> = {
  taskStatusChanged: { roles: ALL, scope: [optionalProject('projectId')] },
  taskReady: { roles: ALL, scope: [project('projectId')] },
  taskProgress: { roles: ALL, scope: [project('projectId')] },
  // Without projectId a project-bound token is given its own project, never all of them.
  projectChanged: { roles: ALL, scope: [optionalProject('projectId')] },
};

export const PERMISSIONS = { Query: QUERY_PERMISSIONS, Mutation: MUTATION_PERMISSIONS, Subscription: SUBSCRIPTION_PERMISSIONS } as const;
export type RootType = keyof typeof PERMISSIONS;

/** Fields named here for operations other branches are adding (Part 2): allowed to be absent from the schema. */
export const NOT_YET_IN_SCHEMA = new Set([
  'schedules',
  'upsertSchedule',
  'deleteSchedule',
  'triggerSchedule',
]);

export function permissionFor(root: RootType, field: string): Permission | undefined {
  return Object.prototype.hasOwnProperty.call(PERMISSIONS[root], field) ? PERMISSIONS[root][field] : undefined;
}
