import { colourOf } from '../domain/dependency-graph/status-colours';

const NODE_WIDTH = 200;
const NODE_HEIGHT = 46;

interface ElkPoint {
  x: number;
  y: number;
}
interface ElkLaidOut {
  width?: number;
  height?: number;
  children?: { id: string; x?: number; y?: number }[];
  edges?: { id: string; sections?: { startPoint: ElkPoint; endPoint: ElkPoint; bendPoints?: ElkPoint[] }[] }[];
}

/**
 * A standalone SVG of the graph, laid out left to right by ELK's layered algorithm (elkjs, the
 * engine the dashboard uses; thoroughness 1 keeps a few thousand nodes within seconds), nodes
 * coloured by status like the DOT and Mermaid exports.
 */
export async function renderSvg(nodes: { id: string; title: string; status: string }[], edges: { from: string; to: string }[]): Promise<string> {
  // elkjs' Node build runs the layout in-process.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ELK = require('elkjs') as new () => { layout(graph: unknown): Promise<ElkLaidOut> };
  const elk = new ELK();
  const laid = await elk.layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.layered.thoroughness': '1',
      'elk.spacing.nodeNode': '20',
      'elk.layered.spacing.nodeNodeBetweenLayers': '50',
      'elk.edgeRouting': 'POLYLINE',
    },
    children: nodes.map((n) => ({ id: n.id, width: NODE_WIDTH, height: NODE_HEIGHT })),
    edges: edges.map((e, i) => ({ id: `e${i}`, sources: [e.from], targets: [e.to] })),
  });
  const pos = new Map((laid.children ?? []).map((c) => [c.id, c]));
  const width = Math.ceil((laid.width ?? 0) + 20);
  const height = Math.ceil((laid.height ?? 0) + 20);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="-10 -10 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#6b7280"/></marker></defs>',
  ];
  for (const e of laid.edges ?? []) {
    for (const s of e.sections ?? []) {
      const points = [s.startPoint, ...(s.bendPoints ?? []), s.endPoint].map((p) => `${round(p.x)},${round(p.y)}`).join(' ');
      out.push(`<polyline points="${points}" fill="none" stroke="#6b7280" stroke-width="1.2" marker-end="url(#arrow)"/>`);
    }
  }
  for (const n of nodes) {
    const p = pos.get(n.id);
    if (!p) continue;
    const { fill, text } = colourOf(n.status);
    const label = n.title.length > 28 ? `${n.title.slice(0, 27)}…` : n.title;
    out.push(
      `<g transform="translate(${round(p.x ?? 0)},${round(p.y ?? 0)})"><title>${escape(`${n.title} (${n.status}) ${n.id}`)}</title>` +
        `<rect width="${NODE_WIDTH}" height="${NODE_HEIGHT}" rx="6" fill="${fill}" stroke="#374151"/>` +
        `<text x="8" y="19" fill="${text}">${escape(label)}</text><text x="8" y="36" fill="${text}" font-size="10">${n.status}</text></g>`,
    );
  }
  out.push('</svg>\n');
  return out.join('\n');
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

function escape(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
