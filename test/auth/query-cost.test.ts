import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DocumentNode,
  getIntrospectionQuery,
  GraphQLInputType,
  GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  Kind,
  OperationDefinitionNode,
  parse,
  typeFromAST,
} from 'graphql';
import { getComplexity } from 'graphql-query-complexity';
import { buildAppSchema } from '../../src/graphql/schema';
import { costError, estimate, operationCost } from '../../src/auth/query-limits';
import { EXAMPLE_OPERATIONS } from '../../web/graphiql/example-operations';
import * as bench from '../../bench/operations';

// operationCost computes what graphql-query-complexity's getComplexity computed with the same
// estimator, without coercing the variables first (src/auth/query-limits.ts). The library is the
// oracle here: same cost on every operation the project sends, and on the corners of the walk.
let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildAppSchema();
});

/** What getComplexity computes with query-limits.ts's estimator; null where it throws. */
function libraryCost(document: DocumentNode, operationName: string | undefined, variables: Record<string, unknown>): number | null {
  try {
    return getComplexity({ schema, query: document, operationName, variables, estimators: [estimate] });
  } catch {
    return null;
  }
}

/** Valid values for an input type: every list `length` long, required input fields only. */
function valueFor(type: GraphQLInputType, length: number): unknown {
  if (isNonNullType(type)) return valueFor(type.ofType, length);
  if (isListType(type)) return Array.from({ length }, () => valueFor(type.ofType, length));
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (isInputObjectType(type)) {
    const out: Record<string, unknown> = {};
    for (const f of Object.values(type.getFields())) if (isNonNullType(f.type) && f.defaultValue === undefined) out[f.name] = valueFor(f.type, length);
    return out;
  }
  if (isScalarType(type)) {
    return ({ ID: '00000000-0000-4000-8000-000000000000', String: 's', Int: 7, Float: 1.5, Boolean: true, DateTime: '2026-01-01T00:00:00.000Z', JSON: {} } as Record<string, unknown>)[type.name] ?? 's';
  }
  throw new Error(`no value for ${String(type)}`);
}

function variablesFor(operation: OperationDefinitionNode, length: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const def of operation.variableDefinitions ?? []) {
    if (def.defaultValue && length % 2 === 1) continue; // odd lengths leave defaults to the definition
    out[def.variable.name.value] = valueFor(typeFromAST(schema, def.type) as GraphQLInputType, length);
  }
  return out;
}

function projectDocuments(): string[] {
  const docs = [EXAMPLE_OPERATIONS, getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true })];
  for (const text of Object.values(bench)) if (typeof text === 'string' && /^(query|mutation|subscription)/.test(text)) docs.push(text);
  const readme = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
  docs.push(...[...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!));
  const api = readFileSync(path.resolve(__dirname, '../../web/dashboard/api.ts'), 'utf8');
  const summary = /TASK_SUMMARY_FIELDS = `([^`]*)`/.exec(api)![1]!;
  docs.push(...[...api.replaceAll('${TASK_SUMMARY_FIELDS}', summary).matchAll(/`\s*((?:query|subscription) Dashboard[^`]*)`/g)].map((m) => m[1]!));
  return docs;
}

/** Each operation of a document, alone with the document's fragments (as a request names one). */
function operationsOf(text: string): { document: DocumentNode; name: string | undefined; operation: OperationDefinitionNode }[] {
  const document = parse(text);
  return document.definitions
    .filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
    .map((operation) => ({
      document: { kind: Kind.DOCUMENT, definitions: [operation, ...document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)] },
      name: operation.name?.value,
      operation,
    }));
}

describe('operationCost is getComplexity without the variable coercion', () => {
  it('the same cost for every operation the project sends, with lists of 0, 1, 2, 37 and 1,000 items', () => {
    let compared = 0;
    for (const text of projectDocuments()) {
      for (const { document, name, operation } of operationsOf(text)) {
        for (const length of [0, 1, 2, 37, 1_000]) {
          const variables = variablesFor(operation, length);
          const expected = libraryCost(document, name, variables);
          expect(expected, `${name}: the oracle failed on generated variables`).not.toBeNull();
          expect(operationCost(schema, document, name, variables), `${name} with lists of ${length}`).toBe(expected);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(100);
  });

  it('the corners: fragments, inline fragments, @include/@skip, defaults, literals, a single value for a list, several operations', () => {
    const cases: [string, Record<string, unknown>, string?][] = [
      [`query Q($f: Int = 30) { tasks(first: $f) { edges { node { ...T } } } } fragment T on Task { id dependents { id } dependencyTasks { ...U } } fragment U on Task { id title }`, {}],
      [`query Q($f: Int = 30) { tasks(first: $f) { edges { node { id } } } }`, { f: 400 }],
      [`query Q($f: Int) { tasks(first: $f) { edges { node { id } } totalCount } }`, {}],
      [`query Q($f: Int) { tasks(first: $f) { edges { node { id } } } }`, { f: null }],
      [`query Q { tasks(first: 3) { edges { node { ... on Task { id dependents { id } } ... { title } } } } }`, {}],
      [`query Q($a: Boolean!, $b: Boolean!) { tasks(first: 9) { edges { node { id dependents @include(if: $a) { id } dependencyTasks @skip(if: $b) { id } } } } }`, { a: true, b: true }],
      [`query Q($a: Boolean!, $b: Boolean!) { tasks(first: 9) { edges { node { id dependents @include(if: $a) { id } dependencyTasks @skip(if: $b) { id } } } } }`, { a: false, b: false }],
      [`query Q { tasks(first: 9) { edges { node { id dependents @include(if: false) { id } dependencyTasks @skip(if: false) { id } } } } }`, {}],
      [`query Q($ids: [ID!]) { taskProgress(projectId: "p", taskIds: $ids) { __typename } }`, { ids: '00000000-0000-4000-8000-000000000000' }],
      [`query Q { taskProgress(projectId: "p", taskIds: ["a", "b", "c"]) { __typename } }`, {}],
      [`query Q($p: ID!) { dependencyFrontier(projectId: $p) { __typename } }`, { p: 'p' }],
      [`query Q($p: ID!, $l: Int!) { dependencyFrontier(projectId: $p, limit: $l) { __typename } }`, { p: 'p', l: 12 }],
      [`query A { viewer { role } } query B { tasks(first: 100) { edges { node { id } } } }`, {}, 'B'],
      [`{ __schema { types { name fields { name } } } __typename viewer { role __typename } }`, {}],
      [`query Q { ...R } fragment R on Query { tasks(first: 2) { edges { node { id ...R2 } } } } fragment R2 on Task { dependents { id } }`, {}],
    ];
    for (const [text, variables, name] of cases) {
      const document = parse(text);
      const operationName = name ?? (document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode).name?.value;
      const expected = libraryCost(document, operationName, variables);
      expect(expected, text).not.toBeNull();
      expect(operationCost(schema, document, operationName, variables), text).toBe(expected);
    }
    // No operation name: every operation counts (a request with several is refused by GraphQL anyway).
    const two = parse(`query A { tasks(first: 4) { edges { node { id } } } } query B { tasks(first: 100) { edges { node { id } } } }`);
    expect(operationCost(schema, two, undefined, {})).toBe(libraryCost(two, undefined, {}));
  });

  it('where the library gave no figure, neither does operationCost: a name not in the document, fragments expanding past 10,000 selections', () => {
    const named = parse(`query A { viewer { role } }`);
    expect(operationCost(schema, named, 'Missing', {})).toBe(0);
    expect(libraryCost(named, 'Missing', {})).toBe(0);
    const anonymous = parse(`{ viewer { role } }`);
    expect(operationCost(schema, anonymous, 'A', {})).toBeNull();
    expect(libraryCost(anonymous, 'A', {})).toBeNull();
    // Each level spreads the one below twice: 2^14 selections.
    const levels = Array.from({ length: 14 }, (_, i) => `fragment F${i} on Task { id ...F${i + 1} dependents { ...F${i + 1} } }`).join(' ');
    const exploding = parse(`query Q { tasks(first: 1) { edges { node { ...F0 } } } } ${levels} fragment F14 on Task { id }`);
    expect(libraryCost(exploding, 'Q', {})).toBeNull();
    expect(operationCost(schema, exploding, 'Q', {})).toBeNull();
  });

  it('a createTasks of 1,000 inputs costs by its length, refused over the limit without coercing each input', () => {
    const document = parse(`mutation M($inputs: [CreateTaskInput!]!) { createTasks(inputs: $inputs) { id } }`);
    const inputs = Array.from({ length: 1_000 }, (_, i) => ({ projectId: 'p', title: `t${i}` }));
    expect(operationCost(schema, document, 'M', { inputs })).toBe(2_000);
    expect(costError(schema, document, 'M', { inputs }, 1_999)?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', kind: 'cost', limit: 1_999, actual: 2_000 });
    expect(costError(schema, document, 'M', { inputs }, 2_000)).toBeNull();
  });
});
