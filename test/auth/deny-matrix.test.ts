import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getNamedType, GraphQLArgument, GraphQLInputType, GraphQLSchema, isEnumType, isInputObjectType, isListType, isNonNullType, isObjectType, isAbstractType, isScalarType } from 'graphql';
import { startTestServer, TestServer } from '../helpers/server';
import { TEST_ADMIN_TOKEN } from '../helpers/auth';
import { createProject, createTask } from '../helpers/fixtures';
import { codeOf, gqlAs, mintToken, Role } from '../helpers/tokens';
import { connectClient, collect, subscriberCount } from '../helpers/ws-client';
import { buildAppSchema } from '../../src/graphql/schema';
import { PERMISSIONS } from '../../src/auth/permissions';

/**
 * The deny matrix, generated from the permission table and the schema: every role x every root
 * field. A role the table does not allow gets FORBIDDEN and nothing is written; an allowed role
 * is never FORBIDDEN; a token bound to project A finds nothing of project B.
 */
let ts: TestServer;
let schema: GraphQLSchema;
let A: string;
let B: string;
let sB: string;
const tokens = {} as Record<Role, string>;
let otherAdmin: { token: string; id: string };
let tA: string;
let tA2: string;
let tB: string;
let tBReady: string;

async function counts() {
  const [row] = await ts.orm.em.getConnection().execute(
    `select (select count(*) from task)::int as tasks, (select count(*) from task_event)::int as events, (select count(*) from project)::int as projects,
            (select count(*) from api_token)::int as tokens, (select count(*) from task_dependency)::int as edges,
            (select max(updated_at)::text from task) as touched`,
  );
  return row;
}

beforeAll(async () => {
  ts = await startTestServer();
  schema = await buildAppSchema();
  A = await createProject(ts, 'matrix-A');
  B = await createProject(ts, 'matrix-B');
  for (const role of ['ADMIN', 'PRODUCER', 'WORKER', 'VIEWER'] as Role[]) tokens[role] = (await mintToken(ts, { role, projectId: A })).token;
  otherAdmin = await mintToken(ts, { role: 'ADMIN', projectId: B });
  tA = (await createTask(ts, { projectId: A, title: 'a1' })).id;
  tA2 = (await createTask(ts, { projectId: A, title: 'a2' })).id;
  tB = (await createTask(ts, { projectId: B, title: 'b1' })).id;
  tBReady = (await createTask(ts, { projectId: B, title: 'b2', priority: 1 })).id;
  sB = (await ts.ok(`mutation($p: ID!) { upsertSchedule(input: { projectId: $p, name: "b", cron: "0 0 1 1 *", task: { title: "s" } }) { id } }`, { p: B })).upsertSchedule.id;
  // tB is RUNNING, claimed by the global admin, for an hour: the matrix takes longer than a
  // default lease on a busy machine, and the sweeper must not change B under the checks.
  await ts.ok(`mutation($p: ID!) { claimNextTask(projectId: $p, workerId: "wb", leaseSeconds: 3600) { id } }`, { p: B });
}, 60_000);
afterAll(async () => {
  await ts?.close();
});

const DUMMY_ID = '00000000-0000-4000-8000-000000000000';

/** A value of the input type (required fields only), for operations whose role check comes first. */
function dummy(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return dummy(type.ofType);
  if (isListType(type)) return [dummy(type.ofType)];
  if (isEnumType(type)) return type.getValues()[0]!.value;
  if (isInputObjectType(type)) {
    const out: Record<string, unknown> = {};
    for (const f of Object.values(type.getFields())) if (isNonNullType(f.type)) out[f.name] = dummy(f.type);
    return out;
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'ID':
        return DUMMY_ID;
      case 'Int':
      case 'Float':
        return 1;
      case 'Boolean':
        return false;
      case 'JSON':
        return {};
      case 'DateTime':
        return new Date().toISOString();
      default:
        return 'x';
    }
  }
  throw new Error(`no dummy for ${String(type)}`);
}

function generatedCall(root: 'Query' | 'Mutation', field: string) {
  const def = (root === 'Query' ? schema.getQueryType() : schema.getMutationType())!.getFields()[field]!;
  const required = def.args.filter((a: GraphQLArgument) => isNonNullType(a.type));
  const named = getNamedType(def.type);
  const selection = isObjectType(named) || isAbstractType(named) ? '{ __typename }' : '';
  const vars = required.map((a, i) => `$v${i}: ${String(a.type)}`).join(', ');
  const args = required.map((a, i) => `${a.name}: $v${i}`).join(', ');
  const query = `${root === 'Query' ? 'query' : 'mutation'}${vars ? `(${vars})` : ''} { ${field}${args ? `(${args})` : ''} ${selection} }`;
  return { query, variables: Object.fromEntries(required.map((a, i) => [`v${i}`, dummy(a.type)])) };
}

function rootFields(root: 'Query' | 'Mutation'): string[] {
  return Object.keys((root === 'Query' ? schema.getQueryType() : schema.getMutationType())!.getFields());
}

describe('deny matrix: every role x every root field', () => {
  it('a role the table does not allow gets FORBIDDEN, and nothing is written', async () => {
    const before = await counts();
    const checked: string[] = [];
    for (const root of ['Query', 'Mutation'] as const) {
      for (const field of rootFields(root)) {
        const permission = PERMISSIONS[root][field]!;
        for (const role of ['ADMIN', 'PRODUCER', 'WORKER', 'VIEWER'] as Role[]) {
          const denied = !permission.roles.includes(role) || (permission.globalOnly && role === 'ADMIN');
          if (!denied) continue;
          const { query, variables } = generatedCall(root, field);
          const r = await gqlAs(ts.url, tokens[role], query, variables);
          expect(codeOf(r), `${role} ${field}: ${JSON.stringify(r.errors)}`).toBe('FORBIDDEN');
          expect(r.data?.[field] ?? null).toBeNull();
          checked.push(`${role}:${field}`);
        }
      }
    }
    expect(checked.length).toBeGreaterThan(40);
    expect(await counts()).toEqual(before);
  });

  it('an allowed role is never FORBIDDEN (generated arguments: at worst not found or bad input)', async () => {
    for (const root of ['Query', 'Mutation'] as const) {
      for (const field of rootFields(root)) {
        const permission = PERMISSIONS[root][field]!;
        for (const role of permission.roles) {
          if (permission.globalOnly) continue;
          const { query, variables } = generatedCall(root, field);
          const r = await gqlAs(ts.url, tokens[role], query, variables);
          expect(['FORBIDDEN', 'UNAUTHENTICATED', 'INTERNAL_SERVER_ERROR'], `${role} ${field}: ${JSON.stringify(r.errors)}`).not.toContain(codeOf(r));
        }
      }
    }
    const r = await gqlAs(ts.url, TEST_ADMIN_TOKEN, `mutation { createProject(input: { name: "by the global admin" }) { id } }`);
    expect(r.errors).toBeUndefined();
  });
});

/** Calls naming project B's objects, for a token bound to A: each must find nothing. */
type Expected = string | null | [];
/**
 * `expect`: an error code, or null (the field answers null). `worker`, when given, is what a
 * WORKER token gets instead: the batch lease calls leave a task it did not claim out of their
 * answer ([]), checked in their statement, where other roles are refused up front.
 */
const OTHER_PROJECT_CALLS: Record<string, () => { query: string; variables?: Record<string, unknown>; expect: Expected; worker?: Expected }[]> = {
  project: () => [{ query: `query($id: ID!) { project(id: $id) { id } }`, variables: { id: B }, expect: null }],
  task: () => [{ query: `query($id: ID!) { task(id: $id) { id } }`, variables: { id: tB }, expect: null }],
  tasks: () => [{ query: `query($p: ID) { tasks(filter: { projectId: $p }) { totalCount } }`, variables: { p: B }, expect: 'PROJECT_NOT_FOUND' }],
  resolveDependencies: () => [{ query: `query($id: ID!) { resolveDependencies(taskId: $id) { id } }`, variables: { id: tB }, expect: 'TASK_NOT_FOUND' }],
  dependencyGraph: () => [
    { query: `query($p: ID!) { dependencyGraph(projectId: $p) { criticalPath } }`, variables: { p: B }, expect: 'PROJECT_NOT_FOUND' },
    { query: `query($p: ID!, $r: ID) { dependencyGraph(projectId: $p, rootTaskId: $r) { criticalPath } }`, variables: { p: A, r: tB }, expect: 'TASK_NOT_FOUND' },
  ],
  detectDeadlocks: () => [{ query: `query($p: ID!) { detectDeadlocks(projectId: $p) { cycles } }`, variables: { p: B }, expect: 'PROJECT_NOT_FOUND' }],
  throughput: () => [{ query: `query($p: ID) { throughput(projectId: $p, minutes: 5) { created } }`, variables: { p: B }, expect: 'PROJECT_NOT_FOUND' }],
  queueDepth: () => [{ query: `query($p: ID) { queueDepth(projectId: $p, minutes: 5) { minute } }`, variables: { p: B }, expect: 'PROJECT_NOT_FOUND' }],
  taskCounts: () => [{ query: `query($p: ID!) { taskCounts(projectId: $p) { status count } }`, variables: { p: B }, expect: 'PROJECT_NOT_FOUND' }],
  dependencyFrontier: () => [{ query: `query($p: ID!) { dependencyFrontier(projectId: $p, limit: 10) { coreTotal } }`, variables: { p: B }, expect: 'PROJECT_NOT_FOUND' }],
  apiTokens: () => [{ query: `query($p: ID) { apiTokens(projectId: $p) { id } }`, variables: { p: B }, expect: 'PROJECT_NOT_FOUND' }],
  createTask: () => [{ query: `mutation($p: ID!) { createTask(input: { projectId: $p, title: "x" }) { id } }`, variables: { p: B }, expect: 'PROJECT_NOT_FOUND' }],
  createTasks: () => [{ query: `mutation($a: ID!, $p: ID!) { createTasks(inputs: [{ projectId: $a, title: "x" }, { projectId: $p, title: "y" }]) { id } }`, variables: { a: A, p: B }, expect: 'PROJECT_NOT_FOUND' }],
  updateTask: () => [{ query: `mutation($id: ID!) { updateTask(id: $id, input: { title: "stolen" }) { id } }`, variables: { id: tBReady }, expect: 'TASK_NOT_FOUND' }],
  updateTaskPriority: () => [{ query: `mutation($id: ID!) { updateTaskPriority(id: $id, priority: 9) { id } }`, variables: { id: tBReady }, expect: 'TASK_NOT_FOUND' }],
  addDependency: () => [
    { query: `mutation($t: ID!, $d: ID!) { addDependency(taskId: $t, dependsOn: $d) { id } }`, variables: { t: tA, d: tBReady }, expect: 'TASK_NOT_FOUND' },
    { query: `mutation($t: ID!, $d: ID!) { addDependency(taskId: $t, dependsOn: $d) { id } }`, variables: { t: tBReady, d: tA }, expect: 'TASK_NOT_FOUND' },
  ],
  removeDependency: () => [{ query: `mutation($t: ID!, $d: ID!) { removeDependency(taskId: $t, dependsOn: $d) { id } }`, variables: { t: tBReady, d: tA2 }, expect: 'TASK_NOT_FOUND' }],
  retryTask: () => [{ query: `mutation($id: ID!) { retryTask(id: $id) { id } }`, variables: { id: tBReady }, expect: 'TASK_NOT_FOUND' }],
  cancelTask: () => [{ query: `mutation($id: ID!) { cancelTask(id: $id, reason: "x") { id } }`, variables: { id: tBReady }, expect: 'TASK_NOT_FOUND' }],
  claimNextTask: () => [{ query: `mutation($p: ID!) { claimNextTask(projectId: $p, workerId: "thief") { id } }`, variables: { p: B }, expect: 'PROJECT_NOT_FOUND' }],
  claimTasks: () => [{ query: `mutation($p: ID!) { claimTasks(projectId: $p, workerId: "thief", limit: 5) { id } }`, variables: { p: B }, expect: 'PROJECT_NOT_FOUND' }],
  heartbeatTask: () => [{ query: `mutation($id: ID!) { heartbeatTask(id: $id, workerId: "wb") { id } }`, variables: { id: tB }, expect: 'TASK_NOT_FOUND' }],
  completeTask: () => [{ query: `mutation($id: ID!) { completeTask(id: $id, workerId: "wb") { id } }`, variables: { id: tB }, expect: 'TASK_NOT_FOUND' }],
  completeTasks: () => [{ query: `mutation($id: ID!) { completeTasks(inputs: [{ id: $id, workerId: "wb" }]) { id } }`, variables: { id: tB }, expect: 'TASK_NOT_FOUND' }],
  failTask: () => [{ query: `mutation($id: ID!) { failTask(id: $id, workerId: "wb", error: "x") { id } }`, variables: { id: tB }, expect: 'TASK_NOT_FOUND' }],
  decomposeTask: () => [{ query: `mutation($id: ID!) { decomposeTask(id: $id) { id } }`, variables: { id: tBReady }, expect: 'TASK_NOT_FOUND' }],
  heartbeatTasks: () => [
    { query: `mutation($id: ID!) { heartbeatTasks(inputs: [{ id: $id, workerId: "wb", leaseSeconds: 600 }]) { id } }`, variables: { id: tB }, expect: 'TASK_NOT_FOUND', worker: [] },
  ],
  releaseTask: () => [{ query: `mutation($id: ID!) { releaseTask(id: $id, workerId: "wb") { id } }`, variables: { id: tB }, expect: 'TASK_NOT_FOUND' }],
  releaseTasks: () => [{ query: `mutation($id: ID!) { releaseTasks(inputs: [{ id: $id, workerId: "wb" }]) { id } }`, variables: { id: tB }, expect: 'TASK_NOT_FOUND', worker: [] }],
  reportProgress: () => [{ query: `mutation($id: ID!) { reportProgress(id: $id, workerId: "wb", percent: 50) { id } }`, variables: { id: tB }, expect: 'TASK_NOT_FOUND' }],
  createApiToken: () => [{ query: `mutation($p: ID) { createApiToken(input: { name: "x", role: VIEWER, projectId: $p }) { token } }`, variables: { p: B }, expect: 'PROJECT_NOT_FOUND' }],
  schedules: () => [{ query: `query($p: ID!) { schedules(projectId: $p) { id } }`, variables: { p: B }, expect: 'PROJECT_NOT_FOUND' }],
  upsertSchedule: () => [{ query: `mutation($p: ID!) { upsertSchedule(input: { projectId: $p, name: "b", cron: "* * * * *", task: { title: "stolen" } }) { id } }`, variables: { p: B }, expect: 'PROJECT_NOT_FOUND' }],
  deleteSchedule: () => [{ query: `mutation($id: ID!) { deleteSchedule(id: $id) { id } }`, variables: { id: sB }, expect: 'PROJECT_NOT_FOUND' }],
  triggerSchedule: () => [{ query: `mutation($id: ID!) { triggerSchedule(id: $id) { id } }`, variables: { id: sB }, expect: 'PROJECT_NOT_FOUND' }],
  revokeApiToken: () => [{ query: `mutation($id: ID!) { revokeApiToken(id: $id) { id } }`, variables: { id: otherAdmin.id }, expect: 'TOKEN_NOT_FOUND' }],
  // Flow control (issue #16)
  pauseProject: () => [{ query: `mutation($p: ID!) { pauseProject(id: $p) { id } }`, variables: { p: B }, expect: 'PROJECT_NOT_FOUND' }],
  resumeProject: () => [{ query: `mutation($p: ID!) { resumeProject(id: $p) { id } }`, variables: { p: B }, expect: 'PROJECT_NOT_FOUND' }],
  setConcurrencyLimit: () => [{ query: `mutation($p: ID!) { setConcurrencyLimit(projectId: $p, key: "k", limit: 1) }`, variables: { p: B }, expect: 'PROJECT_NOT_FOUND' }],
  concurrencyLimits: () => [{ query: `query($p: ID!) { concurrencyLimits(projectId: $p) { key } }`, variables: { p: B }, expect: 'PROJECT_NOT_FOUND' }],
  cancelTasks: () => [{ query: `mutation($p: ID!) { cancelTasks(filter: { projectId: $p }, reason: "x") { changed } }`, variables: { p: B }, expect: 'PROJECT_NOT_FOUND' }],
  retryTasks: () => [{ query: `mutation($p: ID!) { retryTasks(filter: { projectId: $p }) { changed } }`, variables: { p: B }, expect: 'PROJECT_NOT_FOUND' }],
};

describe('project scope: a token bound to project A finds nothing of project B', () => {
  it('has a call for every root field that names a project, task or token (so new operations are covered)', () => {
    const needed = (['Query', 'Mutation'] as const).flatMap((root) =>
      rootFields(root).filter((f) => {
        const p = PERMISSIONS[root][f]!;
        return !p.globalOnly && p.scope.length > 0 && !['viewer', 'projects'].includes(f);
      }),
    );
    expect(needed.filter((f) => !OTHER_PROJECT_CALLS[f])).toEqual([]);
  });

  it('every allowed role gets not-found (or null) for B, and B is unchanged', async () => {
    const before = await counts();
    for (const [field, calls] of Object.entries(OTHER_PROJECT_CALLS)) {
      const root = field in PERMISSIONS.Query ? 'Query' : 'Mutation';
      if (!rootFields(root).includes(field)) continue;
      for (const role of PERMISSIONS[root][field]!.roles) {
        for (const call of calls()) {
          const r = await gqlAs(ts.url, tokens[role], call.query, call.variables);
          const expected = role === 'WORKER' && call.worker !== undefined ? call.worker : call.expect;
          if (expected === null || Array.isArray(expected)) {
            expect(r.errors, `${role} ${field}`).toBeUndefined();
            expect(r.data?.[field], `${role} ${field}`).toEqual(expected);
          } else expect(codeOf(r), `${role} ${field}: ${JSON.stringify(r.errors)}`).toBe(expected);
        }
      }
    }
    expect(await counts()).toEqual(before);
    const b = await ts.ok(`query($id: ID!) { task(id: $id) { status workerId } }`, { id: tB });
    expect(b.task).toEqual({ status: 'RUNNING', workerId: 'wb' });
  });

  it('lists are restricted to the own project: projects, tasks without a filter, apiTokens', async () => {
    const projects = await gqlAs(ts.url, tokens.VIEWER, `{ projects { id } }`);
    expect(projects.data.projects).toEqual([{ id: A }]);
    const tasks = await gqlAs(ts.url, tokens.VIEWER, `{ tasks(first: 100) { edges { node { projectId } } } }`);
    expect(new Set(tasks.data.tasks.edges.map((e: any) => e.node.projectId))).toEqual(new Set([A]));
    const listed = await gqlAs(ts.url, tokens.ADMIN, `{ apiTokens { projectId } }`);
    expect(listed.data.apiTokens.length).toBeGreaterThan(0);
    expect(new Set(listed.data.apiTokens.map((t: any) => t.projectId))).toEqual(new Set([A]));
    const viewer = await gqlAs(ts.url, tokens.WORKER, `{ viewer { role projectId tokenName } }`);
    expect(viewer.data.viewer).toMatchObject({ role: 'WORKER', projectId: A });
    // The dashboard's series without projectId: every project for a global admin only, the own project otherwise.
    const created = (r: any) => r.data.throughput.reduce((n: number, p: any) => n + p.created, 0);
    const series = (token: string, p?: string) => gqlAs(ts.url, token, `query($p: ID) { throughput(projectId: $p, minutes: 1440) { created } }`, { p });
    const ownOnly = created(await series(TEST_ADMIN_TOKEN, A));
    expect(created(await series(tokens.VIEWER))).toBe(ownOnly);
    expect(created(await series(TEST_ADMIN_TOKEN))).toBeGreaterThan(ownOnly);
  });

  it('subscriptions: events of B never reach a token of A; taskReady on B is PROJECT_NOT_FOUND', async () => {
    const live = await connectClient(ts.wsUrl, { authorization: `Bearer ${tokens.VIEWER}` });
    try {
      const before = await subscriberCount(ts.url);
      const all = await collect(live, `subscription { taskStatusChanged { taskId projectId } }`, {}, async () => (await subscriberCount(ts.url)) > before);
      const byIds = await collect(live, `subscription($t: [ID!]) { taskStatusChanged(taskIds: $t) { taskId } }`, { t: [tBReady] }, async () => (await subscriberCount(ts.url)) > before + 1);
      const ready = await collect(live, `subscription($p: ID!) { taskReady(projectId: $p) { id } }`, { p: B });
      await createTask(ts, { projectId: B, title: 'b-event' });
      await ts.ok(`mutation($id: ID!) { updateTaskPriority(id: $id, priority: 7) { id } }`, { id: tBReady });
      await ts.ok(`mutation($id: ID!) { cancelTask(id: $id, reason: "done") { id } }`, { id: tBReady });
      const mine = await createTask(ts, { projectId: A, title: 'a-event' });
      await all.waitFor(1);
      await all.settle(300);
      expect(all.events).toEqual([{ taskId: mine.id, projectId: A }]);
      expect(byIds.events).toEqual([]);
      await expect(ready.waitFor(1, 5_000)).rejects.toThrow();
      expect(JSON.stringify(ready.errors)).toContain('PROJECT_NOT_FOUND');
    } finally {
      await live.dispose();
    }
  });
});
