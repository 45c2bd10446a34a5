import {
  ArgumentNode,
  ASTVisitor,
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  getNamedType,
  getNullableType,
  GraphQLCompositeType,
  GraphQLError,
  GraphQLField,
  GraphQLInputType,
  GraphQLSchema,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  Lexer,
  OperationDefinitionNode,
  SelectionSetNode,
  Source,
  TokenKind,
  typeFromAST,
  ValidationContext,
  ValidationRule,
  valueFromAST,
  ValueNode,
  visit,
} from 'graphql';
import type { ComplexityEstimatorArgs } from 'graphql-query-complexity';
import type { QueryLimits } from '../config';

/**
 * Query limits, the same on HTTP (Apollo: parseOptions, validationRules, a plugin for the cost)
 * and graphql-ws (its own parse and validate: src/graphql/document-cache.ts and onSubscribe),
 * so the WebSocket transport is no way around them. Refused with QUERY_TOO_COMPLEX (extensions
 * kind, limit, actual) before anything runs.
 *
 * - tokens: graphql's parser stops at `maxTokens` lexical tokens (a huge document is never
 *   turned into an AST);
 * - depth and aliases: validation rules (cached with the document: checked once per distinct query);
 * - cost: per operation with its variables (page sizes come from variables): every field costs
 *   1 plus its children, a list field multiplies that by its page size (`first`, `limit`, the
 *   length of an `inputs`/`ids` list argument; a list without one counts as 10 items); a
 *   connection's `first` multiplies its edges (which then count once).
 * Introspection (`__schema`, `__type`) is exempt from depth and cost, so GraphiQL works.
 */
export function tooComplex(kind: 'depth' | 'aliases' | 'tokens' | 'cost', limit: number, actual: number, variable: string): GraphQLError {
  return new GraphQLError(`The operation is over the ${kind} limit: ${actual} > ${limit} (${variable}); nothing ran`, {
    extensions: { code: 'QUERY_TOO_COMPLEX', kind, limit, actual },
  });
}

/** The lexical tokens of a document (for the refusal's `actual`; the parser enforces the limit). */
export function countTokens(body: string): number {
  const lexer = new Lexer(new Source(body));
  let n = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF) n++;
  } catch {
    // A syntax error further on: what was counted so far.
  }
  return n;
}

/** graphql's "Document contains more that N tokens" parse error, as QUERY_TOO_COMPLEX. */
export function asTokenLimitError(error: { message: string; source?: { body: string } | undefined }, maxTokens: number): GraphQLError | null {
  if (!/^Syntax Error: Document contains more t\w+ \d+ tokens/.test(error.message)) return null;
  return tooComplex('tokens', maxTokens, error.source ? countTokens(error.source.body) : maxTokens + 1, 'QUERY_MAX_TOKENS');
}

function isIntrospection(node: FieldNode): boolean {
  return node.name.value.startsWith('__');
}

/** Deepest field nesting of each operation, fragments followed (each fragment once per path). */
function depthRule(maxDepth: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const d of context.getDocument().definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    const depthOf = (set: SelectionSetNode | undefined, seen: Set<string>): number => {
      if (!set) return 0;
      let max = 0;
      for (const s of set.selections) {
        if (s.kind === Kind.FIELD) {
          if (isIntrospection(s)) continue;
          max = Math.max(max, s.selectionSet ? 1 + depthOf(s.selectionSet, seen) : 1);
        } else if (s.kind === Kind.INLINE_FRAGMENT) max = Math.max(max, depthOf(s.selectionSet, seen));
        else {
          const name = s.name.value;
          if (seen.has(name)) continue; // a fragment cycle is NoFragmentCycles' error
          const fragment = fragments.get(name);
          if (fragment) max = Math.max(max, depthOf(fragment.selectionSet, new Set([...seen, name])));
        }
        if (max > maxDepth) return max; // far enough
      }
      return max;
    };
    return {
      OperationDefinition(node: OperationDefinitionNode) {
        const depth = depthOf(node.selectionSet, new Set());
        if (depth > maxDepth) context.reportError(tooComplex('depth', maxDepth, depth, 'QUERY_MAX_DEPTH'));
      },
    };
  };
}

/** Aliased fields in the whole document (aliases multiply work without adding depth or tokens). */
function aliasRule(maxAliases: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    let aliases = 0;
    return {
      Field(node: FieldNode) {
        if (node.alias) aliases++;
      },
      Document: {
        leave() {
          if (aliases > maxAliases) context.reportError(tooComplex('aliases', maxAliases, aliases, 'QUERY_MAX_ALIASES'));
        },
      },
    };
  };
}

export function limitRules(limits: QueryLimits): ValidationRule[] {
  return [depthRule(limits.maxDepth), aliasRule(limits.maxAliases)];
}

/** A list without a page-size argument counts as this many items. */
const UNSIZED_LIST = 10;
const SIZE_ARGS = ['first', 'limit', 'last'];
const LIST_ARGS = ['inputs', 'ids', 'taskIds'];

function pageSize(args: Record<string, unknown>): number | null {
  for (const name of SIZE_ARGS) if (typeof args[name] === 'number') return Math.max(0, args[name] as number);
  for (const name of LIST_ARGS) if (Array.isArray(args[name])) return (args[name] as unknown[]).length;
  return null;
}

/** A field's cost from its children's (exported for the test that holds operationCost to getComplexity). */
export function estimate({ field, args, childComplexity }: ComplexityEstimatorArgs): number {
  if (field.name.startsWith('__')) return 0;
  const type = getNullableType(field.type);
  const size = pageSize(args);
  // A connection's edges were multiplied by its page size already.
  if (isListType(type)) return (size ?? (field.name === 'edges' ? 1 : UNSIZED_LIST)) * (1 + childComplexity);
  // A connection (tasks): its page size multiplies its edges.
  if (getNamedType(type).name.endsWith('Connection')) return 1 + (size ?? 50) * childComplexity;
  return 1 + childComplexity;
}

/**
 * Whether a document's cost can change with its variables: a page-size or list argument, or an
 * @include/@skip condition, given as a variable. Most operations (a claim, a completion) have
 * none, and their cost is then computed once per parsed document rather than on every request
 * (walking the document with the schema's type info was ~7% of an HTTP claim's server CPU).
 */
function costDependsOnVariables(document: DocumentNode): boolean {
  let dynamic = false;
  visit(document, {
    Argument(node: ArgumentNode) {
      if (node.value.kind === Kind.VARIABLE && (SIZE_ARGS.includes(node.name.value) || LIST_ARGS.includes(node.name.value))) dynamic = true;
    },
    Directive(node) {
      if ((node.name.value === 'include' || node.name.value === 'skip') && node.arguments?.some((a) => a.value.kind === Kind.VARIABLE)) dynamic = true;
    },
  });
  return dynamic;
}

/** Per parsed document (parsed documents are cached by Apollo and by graphql-ws's document cache): null when the cost depends on variables, else the cost per operation name. */
const staticCosts = new WeakMap<DocumentNode, Map<string, number> | null>();

/** The cost of the operation that will run, with its variables; null when it is within the limit. */
export function costError(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown> | null | undefined, maxCost: number): GraphQLError | null {
  let costs = staticCosts.get(document);
  if (costs === undefined) {
    costs = costDependsOnVariables(document) ? null : new Map();
    staticCosts.set(document, costs);
  }
  const key = operationName ?? '';
  let cost: number | null | undefined = costs?.get(key);
  if (cost === undefined) {
    cost = operationCost(schema, document, operationName ?? undefined, variables ?? {});
    if (cost === null) return null; // where getComplexity gave no figure either (operationCost)
    costs?.set(key, cost);
  }
  return cost > maxCost ? tooComplex('cost', maxCost, cost, 'QUERY_MAX_COST') : null;
}

/** graphql-query-complexity's guard against fragments that expand exponentially (its maxQueryNodes default). */
const MAX_QUERY_NODES = 10_000;

class TooManyNodes extends Error {}

/**
 * The cost graphql-query-complexity's getComplexity computes with `estimate`, without what made
 * that the dearest step of a large createTasks: getComplexity first coerces every variable
 * (each of 1,000 inputs, field by field, as execution does again right after), then walks the
 * document with a TypeInfo visitor. The cost reads only page sizes (a number, or a list's length)
 * and @include / @skip conditions, so the raw variables do: a list variable given one value
 * counts as a list of one, as coercion would make it. A variable that coercion would refuse is
 * refused by execution; here it counts as whatever it is (getComplexity gave up on it, counting
 * nothing). The walk is the library's (test/auth/query-cost.test.ts compares the two on every
 * operation the project sends): per field the estimate of its children; fragments on an abstract
 * type count for each possible type, and a selection costs its most expensive possible type.
 * Null where getComplexity failed too: an operation name that is not in the document, or more
 * than MAX_QUERY_NODES selections evaluated.
 */
export function operationCost(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined, variables: Record<string, unknown>): number | null {
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: OperationDefinitionNode[] = [];
  for (const d of document.definitions) {
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    else if (d.kind === Kind.OPERATION_DEFINITION) operations.push(d);
  }
  let cost = 0;
  const walk = new CostWalk(schema, fragments);
  try {
    for (const operation of operations) {
      // getComplexity counts every operation when no name is given, and only the named one otherwise.
      if (operationName !== undefined) {
        if (!operation.name) return null;
        if (operation.name.value !== operationName) continue;
      }
      const root = operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
      walk.variables = operationVariables(schema, operation, variables);
      cost += walk.selectionCost(operation.selectionSet, root ?? undefined, new Set());
    }
  } catch (e) {
    if (e instanceof TooManyNodes) return null;
    throw e;
  }
  return cost;
}

/** The operation's variables as the cost needs them: given, else the definition's default; a single value for a list type, as a list of one. */
function operationVariables(schema: GraphQLSchema, operation: OperationDefinitionNode, raw: Record<string, unknown>): Map<string, unknown> {
  const values = new Map<string, unknown>();
  for (const def of operation.variableDefinitions ?? []) {
    const name = def.variable.name.value;
    const type = typeFromAST(schema, def.type) as GraphQLInputType | undefined;
    let value = Object.prototype.hasOwnProperty.call(raw, name) ? raw[name] : undefined;
    if (value === undefined && def.defaultValue && type) value = valueFromAST(def.defaultValue, type);
    if (value === undefined) continue;
    if (type && value !== null && isListType(getNullableType(type)) && !Array.isArray(value)) value = [value];
    values.set(name, value);
  }
  return values;
}

class CostWalk {
  /** Selections evaluated, in all the operations counted (as getComplexity counts them). */
  private nodes = 0;
  /** The variables of the operation being walked. */
  variables = new Map<string, unknown>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly fragments: Map<string, FragmentDefinitionNode>,
  ) {}

  selectionCost(set: SelectionSetNode | undefined, type: GraphQLCompositeType | undefined, activeFragments: Set<string>): number {
    if (!set || !type) return 0;
    const fields = isObjectType(type) || isInterfaceType(type) ? type.getFields() : {};
    const possible = isAbstractType(type) ? this.schema.getPossibleTypes(type).map((t) => t.name) : [type.name];
    const byType = new Map<string, number>();
    const add = (cost: number, names: readonly string[]) => {
      for (const name of names) byType.set(name, (byType.get(name) ?? 0) + cost);
    };
    for (const selection of set.selections) {
      if (++this.nodes >= MAX_QUERY_NODES) throw new TooManyNodes();
      if (!this.included(selection.directives)) continue;
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        // Meta fields (__typename, __schema, __type) cost nothing (estimate), whatever they select.
        if (name.startsWith('__')) {
          add(0, possible);
          continue;
        }
        const field = fields[name];
        if (!field) continue; // an unknown field is validation's error
        const named = getNamedType(field.type);
        const childComplexity = isCompositeType(named) ? this.selectionCost(selection.selectionSet, named, activeFragments) : 0;
        add(estimate({ field, args: this.sizeArguments(field, selection), childComplexity } as unknown as ComplexityEstimatorArgs), possible);
      } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        const fragment = this.fragments.get(name);
        if (!fragment || activeFragments.has(name)) continue;
        const fragmentType = this.schema.getType(fragment.typeCondition.name.value);
        if (!isCompositeType(fragmentType)) continue;
        activeFragments.add(name);
        const cost = this.selectionCost(fragment.selectionSet, fragmentType, activeFragments);
        activeFragments.delete(name);
        add(cost, isAbstractType(fragmentType) ? this.schema.getPossibleTypes(fragmentType).map((t) => t.name) : [fragmentType.name]);
      } else {
        let fragmentType: GraphQLCompositeType = type;
        if (selection.typeCondition) {
          const named = this.schema.getType(selection.typeCondition.name.value);
          if (!isCompositeType(named)) continue;
          fragmentType = named;
        }
        const cost = this.selectionCost(selection.selectionSet, fragmentType, activeFragments);
        add(cost, isAbstractType(fragmentType) ? this.schema.getPossibleTypes(fragmentType).map((t) => t.name) : [fragmentType.name]);
      }
    }
    return Math.max(...byType.values(), 0);
  }

  /** @skip(if: true) or @include(if: false), literal or variable, leave a selection out. */
  private included(directives: FieldNode['directives']): boolean {
    for (const d of directives ?? []) {
      const name = d.name.value;
      if (name !== 'skip' && name !== 'include') continue;
      const arg = d.arguments?.find((a) => a.name.value === 'if');
      const value = arg ? this.value(arg.value) : undefined;
      if (typeof value !== 'boolean') continue;
      if (name === 'skip' ? value : !value) return false;
    }
    return true;
  }

  /** The arguments `estimate` reads (page sizes and list lengths), given or defaulted. */
  private sizeArguments(field: GraphQLField<unknown, unknown>, node: FieldNode): Record<string, unknown> {
    const args: Record<string, unknown> = {};
    for (const def of field.args) {
      if (!SIZE_ARGS.includes(def.name) && !LIST_ARGS.includes(def.name)) continue;
      const given = node.arguments?.find((a) => a.name.value === def.name);
      let value: unknown;
      if (given) {
        value = this.value(given.value);
        if (value === undefined && given.value.kind === Kind.VARIABLE) value = def.defaultValue;
      } else value = def.defaultValue;
      if (value !== undefined && value !== null && isListType(getNullableType(def.type)) && !Array.isArray(value)) value = [value];
      args[def.name] = value;
    }
    return args;
  }

  /** A literal's value, or a variable's; lists keep their length (their items are not needed). */
  private value(node: ValueNode): unknown {
    switch (node.kind) {
      case Kind.VARIABLE:
        return this.variables.get(node.name.value);
      case Kind.INT:
        return Number.parseInt(node.value, 10);
      case Kind.BOOLEAN:
        return node.value;
      case Kind.LIST:
        return node.values.map(() => null);
      case Kind.NULL:
        return null;
      default:
        return node.kind; // a string, enum, float or object: not a size
    }
  }
}
