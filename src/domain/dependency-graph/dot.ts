import { exportNodes } from './export-nodes';
import { colourOf, cssClass, DEFAULT_FILL } from './status-colours';
import type { ExportEdge, ExportNode } from './types';

/** A DOT quoted string: only `"` needs escaping for the parser; `\` is doubled so escString
 * sequences like \N or \l in a title are shown literally; newlines become centred line breaks. */
function dotQuote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r\n|\r|\n/g, '\\n')}"`;
}

/** Graphviz DOT, edges from dependency to dependent, laid out left to right. */
export function toDot(nodes: readonly ExportNode[], edges: readonly ExportEdge[]): string {
  const lines = [
    'digraph dependencies {',
    '  rankdir=LR;',
    `  node [shape=box, style="rounded,filled", fillcolor="${DEFAULT_FILL.fill}", fontcolor="${DEFAULT_FILL.text}"];`,
  ];
  for (const node of exportNodes(nodes, edges)) {
    const attrs = [`label=${dotQuote(node.label)}`];
    if (node.status !== undefined) {
      const { fill, text } = colourOf(node.status);
      attrs.push(`class=${dotQuote(cssClass(node.status))}`, `fillcolor="${fill}"`, `fontcolor="${text}"`);
    }
    lines.push(`  ${dotQuote(node.id)} [${attrs.join(', ')}];`);
  }
  for (const { from, to } of edges) lines.push(`  ${dotQuote(from)} -> ${dotQuote(to)};`);
  lines.push('}');
  return lines.join('\n') + '\n';
}
