import type { TestServer } from './server';

export const TASK_FIELDS = `id projectId title status priority effectivePriority retryCount maxRetries metadata result
  workerId leaseExpiresAt startedAt completedAt createdAt assignedTo dependencies`;

export async function createProject(ts: TestServer, name = `p-${Math.random().toString(36).slice(2)}`): Promise<string> {
  const data = await ts.ok<{ createProject: { id: string } }>(`mutation($n: String!) { createProject(input: { name: $n }) { id } }`, { n: name });
  return data.createProject.id;
}

export async function createTask(ts: TestServer, input: Record<string, unknown>): Promise<any> {
  const data = await ts.ok(`mutation($i: CreateTaskInput!) { createTask(input: $i) { ${TASK_FIELDS} } }`, { i: input });
  return data.createTask;
}

export async function claim(ts: TestServer, projectId: string, workerId = 'w1', extra: Record<string, unknown> = {}): Promise<any> {
  const data = await ts.ok(
    `mutation($p: ID!, $w: String!, $a: String, $l: Int) { claimNextTask(projectId: $p, workerId: $w, assignedTo: $a, leaseSeconds: $l) { ${TASK_FIELDS} } }`,
    { p: projectId, w: workerId, ...extra },
  );
  return data.claimNextTask;
}

export async function getTask(ts: TestServer, id: string): Promise<any> {
  return (await ts.ok(`query($id: ID!) { task(id: $id) { ${TASK_FIELDS} } }`, { id })).task;
}

export async function complete(ts: TestServer, id: string, workerId?: string, result?: unknown) {
  return ts.gql(`mutation($id: ID!, $w: String, $r: JSON) { completeTask(id: $id, workerId: $w, result: $r) { ${TASK_FIELDS} } }`, { id, w: workerId, r: result });
}

export async function fail(ts: TestServer, id: string, error: string, extra: { workerId?: string; retryable?: boolean } = {}) {
  return ts.gql(
    `mutation($id: ID!, $e: String!, $w: String, $r: Boolean) { failTask(id: $id, error: $e, workerId: $w, retryable: $r) { ${TASK_FIELDS} } }`,
    { id, e: error, w: extra.workerId, r: extra.retryable },
  );
}

export function errorCode(result: { errors?: any[] }): string | undefined {
  return result.errors?.[0]?.extensions?.code;
}
