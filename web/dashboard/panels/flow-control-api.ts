/** The flow-control panel's GraphQL operations (names and shapes from DESIGN.md, issue #16). */
import { graphqlRequest } from '../../shared/graphql-http';

export interface ProjectState {
  id: string;
  name: string;
  paused: boolean;
}

export interface ConcurrencyLimit {
  key: string;
  limit: number;
  running: number;
  waiting: number;
}

export interface BulkResult {
  matched: number;
  changed: number;
  dryRun: boolean;
}

export interface BulkFilter {
  projectId: string;
  statuses?: string[];
  assignedTo?: string;
}

export async function fetchFlowState(projectId: string, signal?: AbortSignal): Promise<{ project: ProjectState | null; limits: ConcurrencyLimit[] }> {
  const data = await graphqlRequest<{ project: ProjectState | null; concurrencyLimits: ConcurrencyLimit[] }>(
    `query DashboardFlowState($p: ID!) { project(id: $p) { id name paused } concurrencyLimits(projectId: $p) { key limit running waiting } }`,
    { p: projectId },
    signal,
  );
  return { project: data.project, limits: data.concurrencyLimits };
}

export async function setPaused(projectId: string, paused: boolean): Promise<ProjectState> {
  const data = await graphqlRequest<{ pauseProject?: ProjectState; resumeProject?: ProjectState }>(
    paused
      ? `mutation DashboardPause($p: ID!) { pauseProject(id: $p) { id name paused } }`
      : `mutation DashboardResume($p: ID!) { resumeProject(id: $p) { id name paused } }`,
    { p: projectId },
  );
  return (data.pauseProject ?? data.resumeProject)!;
}

export async function setLimit(projectId: string, key: string, limit: number | null): Promise<number | null> {
  const data = await graphqlRequest<{ setConcurrencyLimit: number | null }>(
    `mutation DashboardSetLimit($p: ID!, $k: String!, $l: Int) { setConcurrencyLimit(projectId: $p, key: $k, limit: $l) }`,
    { p: projectId, k: key, l: limit },
  );
  return data.setConcurrencyLimit;
}

export async function bulkAction(action: 'cancel' | 'retry', filter: BulkFilter, dryRun: boolean, reason = ''): Promise<BulkResult> {
  if (action === 'cancel') {
    const data = await graphqlRequest<{ cancelTasks: BulkResult }>(
      `mutation DashboardCancelTasks($f: TaskFilter!, $r: String!, $d: Boolean) { cancelTasks(filter: $f, reason: $r, dryRun: $d) { matched changed dryRun } }`,
      { f: filter, r: reason, d: dryRun },
    );
    return data.cancelTasks;
  }
  const data = await graphqlRequest<{ retryTasks: BulkResult }>(
    `mutation DashboardRetryTasks($f: TaskFilter!, $d: Boolean) { retryTasks(filter: $f, dryRun: $d) { matched changed dryRun } }`,
    { f: filter, d: dryRun },
  );
  return data.retryTasks;
}

export const PROJECT_CHANGED_SUBSCRIPTION = `subscription DashboardProjectChanged($p: ID) { projectChanged(projectId: $p) { id name paused } }`;
