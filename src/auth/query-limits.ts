import {
  ArgumentNode,
  ASTVisitor,
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  getNamedType,
  getNullableType,
  GraphQLError,
  GraphQLSchema,
  isListType,
  Kind,
  Lexer,
  OperationDefinitionNode,
  SelectionSetNode,
  Source,
  TokenKind,
  ValidationContext,
  ValidationRule,
  visit,
} from 'graphql';
import { ComplexityEstimatorArgs, getComplexity } from 'graphql-query-complexity';
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

function estimate({ field, args, childComplexity }: ComplexityEstimatorArgs): number {
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
  let cost = costs?.get(key);
  if (cost === undefined) {
    try {
      cost = getComplexity({ schema, query: document, operationName: operationName ?? undefined, variables: variables ?? {}, estimators: [estimate] });
    } catch {
      return null; // bad variables and the like: execution reports them
    }
    costs?.set(key, cost);
  }
  return cost > maxCost ? tooComplex('cost', maxCost, cost, 'QUERY_MAX_COST') : null;
}
