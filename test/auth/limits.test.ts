import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getIntrospectionQuery, Kind, parse, specifiedRules, validate } from 'graphql';
import { startTestServer, TestServer } from '../helpers/server';
import { createProject } from '../helpers/fixtures';
import { codeOf, gqlAs } from '../helpers/tokens';
import { TEST_ADMIN_TOKEN } from '../helpers/auth';
import { connectClient } from '../helpers/ws-client';
import { buildAppSchema } from '../../src/graphql/schema';
import { loadConfig } from '../../src/config';
import { costError, limitRules } from '../../src/auth/query-limits';
import { EXAMPLE_OPERATIONS } from '../../web/graphiql/example-operations';
import * as bench from '../../bench/operations';

const limits = loadConfig({}).queryLimits;
let ts: TestServer;
let project: string;

beforeAll(async () => {
  ts = await startTestServer();
  project = await createProject(ts, 'limits');
}, 60_000);
afterAll(async () => {
  await ts?.close();
});

/** Every operation of a document, refused or not by the default limits (with the largest page sizes clients use). */
async function refusals(text: string, variables: Record<string, unknown>): Promise<string[]> {
  const schema = await buildAppSchema();
  const document = parse(text, { maxTokens: limits.maxTokens });
  const errors: string[] = [];
  for (const def of document.definitions) {
    if (def.kind !== Kind.OPERATION_DEFINITION) continue;
    const single = { kind: Kind.DOCUMENT, definitions: [def, ...document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)] } as const;
    errors.push(...validate(schema, single, [...specifiedRules, ...limitRules(limits)]).map((e) => e.message));
    const e = costError(schema, single, def.name?.value, variables, limits.maxCost);
    if (e) errors.push(`${def.name?.value}: ${e.message}`);
  }
  return errors;
}

const BIG = {
  projectId: '00000000-0000-4000-8000-000000000000',
  taskId: '00000000-0000-4000-8000-000000000000',
  limit: 1_000,
  first: 500,
  inputs: Array.from({ length: 1_000 }, () => ({ id: '00000000-0000-4000-8000-000000000000' })),
};

describe('the default limits refuse nothing the project itself sends', () => {
  it("GraphiQL's example operations, the bench's operations, the README's examples and introspection", async () => {
    expect(await refusals(EXAMPLE_OPERATIONS, BIG)).toEqual([]);
    for (const [name, text] of Object.entries(bench)) if (typeof text === 'string' && /^(query|mutation|subscription)/.test(text)) expect(await refusals(text, BIG), name).toEqual([]);
    const readme = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) expect(await refusals(block, BIG)).toEqual([]);
    // The dashboard's operations (module constants of web/dashboard/api.ts).
    const api = readFileSync(path.resolve(__dirname, '../../web/dashboard/api.ts'), 'utf8');
    const summary = /TASK_SUMMARY_FIELDS = `([^`]*)`/.exec(api)![1]!;
    const dashboard = [...api.replaceAll('${TASK_SUMMARY_FIELDS}', summary).matchAll(/`\s*((?:query|subscription) Dashboard[^`]*)`/g)].map((m) => m[1]!);
    expect(dashboard.length).toBeGreaterThanOrEqual(5);
    for (const op of dashboard) expect(await refusals(op, { ...BIG, afterCursor: null, after: null }), op.slice(0, 60)).toEqual([]);
    expect(await refusals(getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true }), {})).toEqual([]);
    const introspection = await gqlAs(ts.url, TEST_ADMIN_TOKEN, getIntrospectionQuery());
    expect(introspection.errors).toBeUndefined();
    expect(introspection.data.__schema.queryType.name).toBe('Query');
  });
});

const nested = (depth: number) => `{ tasks(first: 1) { edges { node { ${'dependents { '.repeat(depth)}id${' }'.repeat(depth)} } } } }`;
const aliased = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: viewer { role }`).join(' ')} }`;
const tokens = (n: number) => `{ viewer { ${Array.from({ length: n }, () => 'role').join(' ')} } }`;
const costly = `{ tasks(first: 500) { edges { node { dependents { dependents { dependencyTasks { id } } } } } } }`;

const CASES: [string, string, string][] = [
  ['depth', nested(limits.maxDepth), 'QUERY_MAX_DEPTH'],
  ['aliases', aliased(limits.maxAliases + 1), 'QUERY_MAX_ALIASES'],
  ['tokens', tokens(limits.maxTokens), 'QUERY_MAX_TOKENS'],
  ['cost', costly, 'QUERY_MAX_COST'],
];

describe('over a limit: QUERY_TOO_COMPLEX with kind, limit and actual, before anything runs', () => {
  it.each(CASES)('%s over HTTP', async (kind, query) => {
    const r = await gqlAs(ts.url, TEST_ADMIN_TOKEN, query);
    expect(r.status).toBe(400);
    expect(r.data).toBeUndefined();
    expect(r.errors![0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', kind });
    const { limit, actual } = r.errors![0].extensions;
    expect(limit).toBe({ depth: limits.maxDepth, aliases: limits.maxAliases, tokens: limits.maxTokens, cost: limits.maxCost }[kind]);
    expect(actual).toBeGreaterThan(limit);
  });

  it('within the limits runs', async () => {
    for (const query of [nested(3), aliased(limits.maxAliases), `{ tasks(first: 500) { edges { node { id dependencyTasks { id } dependents { id } } } } }`]) {
      const r = await gqlAs(ts.url, TEST_ADMIN_TOKEN, query);
      expect(r.errors, query.slice(0, 80)).toBeUndefined();
    }
  });

  it.each(CASES)('%s over graphql-ws', async (kind, query) => {
    const live = await connectClient(ts.wsUrl);
    try {
      const result = await new Promise<any>((resolve) => {
        live.client.subscribe({ query }, { next: (v) => resolve(v), error: (e) => resolve({ errors: e }), complete: () => resolve({}) });
      });
      const errors = Array.isArray(result.errors) ? result.errors : [result.errors];
      expect(errors[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', kind });
    } finally {
      await live.dispose();
    }
  });

  it('the same document is judged by each request\'s variables (page sizes, @include), not by the first one seen', async () => {
    const paged = `query($n: Int, $deep: Boolean!) { tasks(first: $n) { edges { node { id dependents @include(if: $deep) { dependents { dependencyTasks { id } } } } } } }`;
    for (let i = 0; i < 2; i++) {
      expect((await gqlAs(ts.url, TEST_ADMIN_TOKEN, paged, { n: 1, deep: true })).errors).toBeUndefined();
      expect(codeOf(await gqlAs(ts.url, TEST_ADMIN_TOKEN, paged, { n: 500, deep: true }))).toBe('QUERY_TOO_COMPLEX');
      expect((await gqlAs(ts.url, TEST_ADMIN_TOKEN, paged, { n: 500, deep: false })).errors).toBeUndefined();
    }
    // A document whose cost does not depend on its variables keeps its verdict across requests.
    for (let i = 0; i < 2; i++) expect(codeOf(await gqlAs(ts.url, TEST_ADMIN_TOKEN, `query($id: ID) { tasks(first: 500, filter: { projectId: $id }) { edges { node { dependents { dependents { dependencyTasks { id } } } } } } }`, { id: project }))).toBe('QUERY_TOO_COMPLEX');
  });

  it('a refused mutation wrote nothing', async () => {
    const mutation = `mutation { ${Array.from({ length: limits.maxAliases + 1 }, (_, i) => `t${i}: createTask(input: { projectId: "${project}", title: "t${i}" }) { id }`).join(' ')} }`;
    const r = await gqlAs(ts.url, TEST_ADMIN_TOKEN, mutation);
    expect(codeOf(r)).toBe('QUERY_TOO_COMPLEX');
    const count = await ts.ok(`query($p: ID) { tasks(filter: { projectId: $p }) { totalCount } }`, { p: project });
    expect(count.tasks.totalCount).toBe(0);
  });

  it('batch sizes are capped at 1000 (BAD_USER_INPUT)', async () => {
    const r = await gqlAs(ts.url, TEST_ADMIN_TOKEN, `mutation($p: ID!) { claimTasks(projectId: $p, workerId: "w", limit: 1001) { id } }`, { p: project });
    expect(codeOf(r)).toBe('BAD_USER_INPUT');
  });
});
