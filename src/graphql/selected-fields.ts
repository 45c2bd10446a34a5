import type { FieldNode, FragmentDefinitionNode, GraphQLResolveInfo, SelectionSetNode } from 'graphql';

/**
 * The names of the fields selected directly under the current field (through inline fragments
 * and fragment spreads; `@skip`/`@include` are ignored, so a field that might be skipped still
 * counts: at worst a column too many). The hot mutations pass these to the scheduler so their
 * statements return only what the client reads. Cached per field node: the document caches
 * (Apollo's and graphql-ws's) hand the same AST to every execution of an operation.
 */
const cache = new WeakMap<FieldNode, readonly string[]>();

export function selectedFields(info: GraphQLResolveInfo): readonly string[] {
  const [node, ...more] = info.fieldNodes;
  if (node && more.length === 0) {
    const known = cache.get(node);
    if (known) return known;
  }
  const names = new Set<string>();
  for (const field of info.fieldNodes) if (field.selectionSet) collect(field.selectionSet, info.fragments, names, new Set());
  const fields = [...names];
  if (node && more.length === 0) cache.set(node, fields);
  return fields;
}

function collect(set: SelectionSetNode, fragments: Record<string, FragmentDefinitionNode>, out: Set<string>, seen: Set<string>): void {
  for (const selection of set.selections) {
    if (selection.kind === 'Field') out.add(selection.name.value);
    else if (selection.kind === 'InlineFragment') collect(selection.selectionSet, fragments, out, seen);
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = fragments[selection.name.value];
      if (fragment) collect(fragment.selectionSet, fragments, out, seen);
    }
  }
}
