import { DocumentNode, GraphQLError, GraphQLSchema, parse, ParseOptions, specifiedRules, validate, ValidationRule } from 'graphql';

export type PreparedDocument = { document: DocumentNode } | { errors: readonly GraphQLError[] };

/**
 * Parsed and validated documents by query text, least recently used evicted. Workers send the
 * same few operations thousands of times; graphql-ws would parse and validate every one (Apollo
 * already caches for HTTP). Validation results depend only on the schema, which is fixed.
 */
export function createDocumentCache(
  schema: GraphQLSchema,
  options: { parseOptions?: ParseOptions; rules?: readonly ValidationRule[]; maxEntries?: number } = {},
): (query: string) => PreparedDocument {
  const maxEntries = options.maxEntries ?? 1_000;
  // The query limits (src/auth/query-limits.ts) take part exactly as on HTTP.
  const rules = [...specifiedRules, ...(options.rules ?? [])];
  const cache = new Map<string, PreparedDocument>();
  return (query) => {
    const hit = cache.get(query);
    if (hit) {
      cache.delete(query);
      cache.set(query, hit);
      return hit;
    }
    let prepared: PreparedDocument;
    try {
      const document = parse(query, options.parseOptions);
      const errors = validate(schema, document, rules);
      prepared = errors.length > 0 ? { errors } : { document };
    } catch (e) {
      if (!(e instanceof GraphQLError)) throw e;
      prepared = { errors: [e] };
    }
    cache.set(query, prepared);
    if (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
    return prepared;
  };
}
