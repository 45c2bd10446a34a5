/**
 * The GraphQL documents the workers send. Selections are minimal (ids, status) so the figures
 * measure scheduling, not serialising fields nobody reads.
 */
export const CREATE_PROJECT = `mutation CreateProject($name: String!) { createProject(input: { name: $name }) { id } }`;

export const CREATE_TASK = `mutation CreateTask($input: CreateTaskInput!) { createTask(input: $input) { id status } }`;

export const CREATE_TASKS = `mutation CreateTasks($inputs: [CreateTaskInput!]!) { createTasks(inputs: $inputs) { id } }`;

export const CLAIM_NEXT = `mutation ClaimNext($projectId: ID!, $workerId: String!) {
  claimNextTask(projectId: $projectId, workerId: $workerId) { id }
}`;

export const COMPLETE = `mutation Complete($id: ID!, $workerId: String) {
  completeTask(id: $id, workerId: $workerId) { id status }
}`;

export const CLAIM_MANY = `mutation ClaimMany($projectId: ID!, $workerId: String!, $limit: Int!) {
  claimTasks(projectId: $projectId, workerId: $workerId, limit: $limit) { id }
}`;

export const COMPLETE_MANY = `mutation CompleteMany($inputs: [CompleteTaskInput!]!) { completeTasks(inputs: $inputs) { id } }`;

export const TASK_READY = `subscription Ready($projectId: ID!) { taskReady(projectId: $projectId) { id } }`;

export const STATUS_CHANGED = `subscription Changed($projectId: ID, $statuses: [TaskStatus!]) {
  taskStatusChanged(projectId: $projectId, statuses: $statuses) { cursor taskId status }
}`;

export const DETECT_DEADLOCKS = `query Deadlocks($projectId: ID!) {
  detectDeadlocks(projectId: $projectId) { cycles stalled { task { id } reason blockedBy } }
}`;

export interface ClaimNextData {
  claimNextTask: { id: string } | null;
}
export interface ClaimManyData {
  claimTasks: { id: string }[];
}

/** What both transports offer the worker loops: one operation, its data or a thrown error. */
export interface GqlTransport {
  request<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
}

export class GqlError extends Error {
  constructor(readonly errors: { message: string; extensions?: { code?: string } }[]) {
    super(`GraphQL error: ${errors.map((e) => `${e.extensions?.code ?? ''} ${e.message}`.trim()).join('; ')}`);
  }
}
