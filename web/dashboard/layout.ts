/**
 * Left-to-right layered layout by ELK, computed in elkjs' own Web Worker build so a
 * 2,000-task graph does not freeze the page (measured: see window.__dashboard.layoutMs).
 * Only the structure goes in (ids, sizes, dependency edges): status changes never re-run it.
 */
import ELK, { type ElkExtendedEdge, type ElkNode } from 'elkjs/lib/elk-api.js';
import { workerUrl } from '../shared/asset-manifest';

export const NODE_WIDTH = 200;
export const NODE_HEIGHT = 46;

export interface LayoutInput {
  ids: string[];
  /** dependency -> dependent (the arrow points at the task that waits). */
  edges: Array<{ from: string; to: string }>;
}

export interface PlacedEdge {
  from: string;
  to: string;
  /** x0,y0,x1,y1,… from the dependency's right side to the dependent's left side. */
  points: number[];
}

export interface LayoutResult {
  width: number;
  height: number;
  positions: Map<string, { x: number; y: number }>;
  edges: PlacedEdge[];
  ms: number;
}

let elk: InstanceType<typeof ELK> | undefined;

function engine(): InstanceType<typeof ELK> {
  elk ??= new ELK({ workerUrl: workerUrl('elk.worker'), algorithms: ['layered'] });
  return elk;
}

/** Big graphs trade a little crossing reduction for speed (thoroughness 1: ~2 s at 2,000). */
function layoutOptions(nodeCount: number): Record<string, string> {
  return {
    'elk.algorithm': 'layered',
    'elk.direction': 'RIGHT',
    'elk.edgeRouting': 'POLYLINE',
    'elk.layered.thoroughness': nodeCount > 300 ? '1' : '7',
    'elk.layered.spacing.nodeNodeBetweenLayers': '56',
    'elk.spacing.nodeNode': '14',
    'elk.spacing.edgeNode': '10',
    'elk.spacing.componentComponent': '28',
    // Unconnected tasks and small chains are packed in rows instead of one endless column.
    'elk.separateConnectedComponents': 'true',
    'elk.aspectRatio': '1.8',
    // Keep the order tasks were created in where the algorithm is free to: steadier relayouts.
    'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  };
}

/**
 * Starts the layout worker and runs a two-node layout in it, so that loading elkjs (about 1 MB of
 * script) and warming up its layered algorithm happen while the page fetches the tasks rather
 * than after: the first real layout then starts warm. Called when a project opens.
 */
export function prepareLayout(): void {
  engine()
    .layout({
      id: '__warm',
      layoutOptions: layoutOptions(2),
      children: [{ id: 'a', width: NODE_WIDTH, height: NODE_HEIGHT }, { id: 'b', width: NODE_WIDTH, height: NODE_HEIGHT }],
      edges: [{ id: 'a>b', sources: ['a'], targets: ['b'] }],
    })
    .catch(() => {}); // a warm-up that fails changes nothing: the real layout reports its own error
}

/**
 * Abandons layouts in flight (another project was picked): ELK cannot cancel, so the worker is
 * terminated and a fresh one starts with the next layout. Their promises never settle.
 */
export function cancelLayouts(): void {
  elk?.terminateWorker();
  elk = undefined;
}

export async function layoutGraph(input: LayoutInput): Promise<LayoutResult> {
  const started = performance.now();
  const known = new Set(input.ids);
  const edges: ElkExtendedEdge[] = [];
  for (const e of input.edges) {
    if (!known.has(e.from) || !known.has(e.to) || e.from === e.to) continue;
    edges.push({ id: `${e.from}>${e.to}`, sources: [e.from], targets: [e.to] });
  }
  const graph: ElkNode = {
    id: '__root',
    layoutOptions: layoutOptions(input.ids.length),
    children: input.ids.map((id) => ({ id, width: NODE_WIDTH, height: NODE_HEIGHT })),
    edges,
  };
  const laidOut = await engine().layout(graph);

  const positions = new Map<string, { x: number; y: number }>();
  for (const child of laidOut.children ?? []) positions.set(child.id, { x: child.x ?? 0, y: child.y ?? 0 });
  const placed: PlacedEdge[] = [];
  for (const edge of (laidOut.edges ?? []) as ElkExtendedEdge[]) {
    const section = edge.sections?.[0];
    if (!section) continue;
    const points = [section.startPoint.x, section.startPoint.y];
    for (const bend of section.bendPoints ?? []) points.push(bend.x, bend.y);
    points.push(section.endPoint.x, section.endPoint.y);
    placed.push({ from: edge.sources[0], to: edge.targets[0], points });
  }
  return {
    width: laidOut.width ?? 0,
    height: laidOut.height ?? 0,
    positions,
    edges: placed,
    ms: performance.now() - started,
  };
}
