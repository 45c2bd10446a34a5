/** The dashboard's GraphQL operations (names and shapes from the API contract in DESIGN.md). */
import { GraphQLRequestError, graphqlRequest } from '../shared/graphql-http';
import type { TaskStatus } from './status';

export interface Project {
  id: string;
  name: string;
  createdAt: string;
}

/** What the graph needs for every task; the details panel fetches the rest on demand. */
export interface TaskSummary {
  id: string;
  title: string;
  status: TaskStatus;
  priority: number;
  effectivePriority: number;
  dependencies: string[];
  retryCount: number;
  maxRetries: number;
  assignedTo: string | null;
  updatedAt: string;
  /** Not before this time: a SCHEDULED task becomes READY then. */
  runAt?: string | null;
}

export interface TaskRef {
  id: string;
  title: string;
  status: TaskStatus;
}

export interface TaskDetails extends TaskSummary {
  projectId: string;
  description: string | null;
  context: unknown;
  result: unknown;
  metadata: Record<string, unknown> | null;
  parentTaskId: string | null;
  workerId: string | null;
  leaseExpiresAt: string | null;
  timeoutSeconds?: number | null;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  dependencyTasks: TaskRef[];
  dependents: TaskRef[];
}

export interface StalledTask {
  task: { id: string };
  reason: string;
  blockedBy: string[];
}

export interface DeadlockReport {
  cycles: string[][];
  stalled: StalledTask[];
}

export interface TaskStatusEvent {
  cursor: string;
  taskId: string;
  projectId: string;
  previousStatus: TaskStatus | null;
  status: TaskStatus;
  at: string;
  task: TaskSummary;
}

export const TASK_SUMMARY_FIELDS = `
  id title status priority effectivePriority dependencies retryCount maxRetries assignedTo updatedAt runAt
`;

const PROJECTS = `query DashboardProjects { projects { id name createdAt } }`;

const LATEST_EVENT_CURSOR = `query DashboardEventCursor { latestEventCursor }`;

const TASKS_PAGE = `
  query DashboardTasks($projectId: ID!, $first: Int!, $after: String) {
    tasks(filter: { projectId: $projectId }, first: $first, after: $after) {
      totalCount
      edges { node { ${TASK_SUMMARY_FIELDS} } }
      pageInfo { hasNextPage endCursor }
    }
  }`;

const DEADLOCKS = `
  query DashboardDeadlocks($projectId: ID!) {
    detectDeadlocks(projectId: $projectId) {
      cycles
      stalled { task { id } reason blockedBy }
    }
  }`;

const TASK_DETAILS = `
  query DashboardTask($id: ID!) {
    task(id: $id) {
      ${TASK_SUMMARY_FIELDS}
      projectId description context result metadata parentTaskId
      workerId leaseExpiresAt timeoutSeconds createdAt startedAt completedAt
      dependencyTasks { id title status }
      dependents { id title status }
    }
  }`;

export const TASK_STATUS_SUBSCRIPTION = `
  subscription DashboardTaskStatus($projectId: ID, $afterCursor: String) {
    taskStatusChanged(projectId: $projectId, afterCursor: $afterCursor) {
      cursor taskId projectId previousStatus status at
      task { ${TASK_SUMMARY_FIELDS} }
    }
  }`;

export const PAGE_SIZE = 500;
const FALLBACK_PAGE_SIZE = 100;

export async function fetchProjects(signal?: AbortSignal): Promise<Project[]> {
  return (await graphqlRequest<{ projects: Project[] }>(PROJECTS, {}, signal)).projects;
}

/**
 * Where the event log stands now (null: empty). Read BEFORE the snapshot, then subscribe with it
 * as afterCursor: every event after it is replayed, so nothing is missed between the two.
 */
export async function fetchLatestEventCursor(signal?: AbortSignal): Promise<string | null> {
  return (await graphqlRequest<{ latestEventCursor: string | null }>(LATEST_EVENT_CURSOR, {}, signal)).latestEventCursor;
}

/** Every task of the project, `PAGE_SIZE` at a time. */
export async function fetchAllTasks(
  projectId: string,
  onProgress: (loaded: number, total: number) => void,
  signal?: AbortSignal,
): Promise<TaskSummary[]> {
  type Page = {
    tasks: { totalCount: number; edges: { node: TaskSummary }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
  };
  const tasks: TaskSummary[] = [];
  let after: string | null = null;
  let first = PAGE_SIZE;
  for (;;) {
    let page: Page;
    try {
      page = await graphqlRequest<Page>(TASKS_PAGE, { projectId, first, after }, signal);
    } catch (err) {
      // A server that caps the page size below ours says so with BAD_USER_INPUT: use smaller pages.
      const capped = err instanceof GraphQLRequestError && err.errors.some((e) => e.extensions?.code === 'BAD_USER_INPUT');
      if (!capped || first <= FALLBACK_PAGE_SIZE) throw err;
      first = FALLBACK_PAGE_SIZE;
      continue;
    }
    for (const edge of page.tasks.edges) tasks.push(edge.node);
    onProgress(tasks.length, page.tasks.totalCount);
    if (!page.tasks.pageInfo.hasNextPage || !page.tasks.pageInfo.endCursor || page.tasks.edges.length === 0) break;
    after = page.tasks.pageInfo.endCursor;
  }
  return tasks;
}

export async function fetchDeadlocks(projectId: string, signal?: AbortSignal): Promise<DeadlockReport> {
  return (await graphqlRequest<{ detectDeadlocks: DeadlockReport }>(DEADLOCKS, { projectId }, signal)).detectDeadlocks;
}

export async function fetchTaskDetails(id: string, signal?: AbortSignal): Promise<TaskDetails | null> {
  return (await graphqlRequest<{ task: TaskDetails | null }>(TASK_DETAILS, { id }, signal)).task;
}
