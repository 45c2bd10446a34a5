import { exportNodes } from './export-nodes';
import { colourOf, cssClass } from './status-colours';
import type { ExportEdge, ExportNode } from './types';

/**
 * Mermaid label text for inside `["..."]`. Mermaid has no backslash escapes, only `#name;` /
 * `#code;` entities, so `#` goes first, then every character that could end the string or be read
 * as markup. Newlines become <br/>.
 */
function mermaidText(text: string): string {
  return text
    .replace(/#/g, '#35;')
    .replace(/&/g, '#38;')
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/\[/g, '#91;')
    .replace(/\]/g, '#93;')
    .replace(/\(/g, '#40;')
    .replace(/\)/g, '#41;')
    .replace(/\{/g, '#123;')
    .replace(/\}/g, '#125;')
    .replace(/\|/g, '#124;')
    .replace(/`/g, '#96;')
    .replace(/\r\n|\r|\n/g, '<br/>');
}

/**
 * Mermaid flowchart, left to right. Node ids are n0, n1, ... (task ids such as UUIDs contain '-',
 * which Mermaid would misread); the real id travels in the label only if the caller puts it there.
 */
export function toMermaid(nodes: readonly ExportNode[], edges: readonly ExportEdge[]): string {
  const all = exportNodes(nodes, edges);
  const key = new Map<string, string>();
  all.forEach((node, i) => key.set(node.id, `n${i}`));
  const lines = ['flowchart LR'];
  for (const node of all) lines.push(`  ${key.get(node.id)}["${mermaidText(node.label)}"]`);
  for (const { from, to } of edges) lines.push(`  ${key.get(from)} --> ${key.get(to)}`);

  // One classDef per status present, so the text stays small and stylable by name.
  const classes = new Map<string, { status: string; keys: string[] }>();
  for (const node of all) {
    if (node.status === undefined) continue;
    const name = cssClass(node.status);
    const entry = classes.get(name) ?? { status: node.status, keys: [] };
    entry.keys.push(key.get(node.id)!);
    classes.set(name, entry);
  }
  for (const [name, { status, keys }] of classes) {
    const { fill, text } = colourOf(status);
    lines.push(`  classDef ${name} fill:${fill},stroke:#374151,color:${text}`);
    lines.push(`  class ${keys.join(',')} ${name}`);
  }
  return lines.join('\n') + '\n';
}
