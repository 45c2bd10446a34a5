import type { ExportEdge, ExportNode } from './types';

/** Nodes in input order (first wins), plus any id an edge mentions that was not listed. */
export function exportNodes(nodes: readonly ExportNode[], edges: readonly ExportEdge[]): ExportNode[] {
  const byId = new Map<string, ExportNode>();
  for (const node of nodes) if (!byId.has(node.id)) byId.set(node.id, node);
  for (const { from, to } of edges) {
    for (const id of [from, to]) if (!byId.has(id)) byId.set(id, { id, label: id });
  }
  return [...byId.values()];
}
