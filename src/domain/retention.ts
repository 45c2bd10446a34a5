/**
 * Retention: which finished tasks may be deleted. A task goes only with its whole dependency
 * component (tasks linked by dependencies in either direction), and only when every task of that
 * component is finished and older than its status's retention, so no dependency ever points at
 * a missing task and no unfinished task loses a finished dependency it still reports.
 */
export const FINISHED_STATUSES = ['COMPLETED', 'FAILED', 'CANCELLED'] as const;
export type FinishedStatus = (typeof FINISHED_STATUSES)[number];

/** Days a finished task is kept, per status. */
export type RetentionDays = Record<FinishedStatus, number>;

export interface RetentionNode {
  id: string;
  status: string;
  /** When it last changed (for a finished task: when it finished). */
  updatedAt: Date;
}

export function isExpired(node: RetentionNode, days: RetentionDays, now: Date): boolean {
  if (!(FINISHED_STATUSES as readonly string[]).includes(node.status)) return false;
  const keepMs = days[node.status as FinishedStatus] * 86_400_000;
  return node.updatedAt.getTime() <= now.getTime() - keepMs;
}

/**
 * The ids that may go: every member of each component whose members are all expired. `nodes`
 * must hold every task of the components in question (a missing one counts as unfinished).
 */
export function deletableTasks(
  nodes: readonly RetentionNode[],
  edges: readonly { taskId: string; dependsOnId: string }[],
  days: RetentionDays,
  now: Date,
): string[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const ids = new Set<string>(byId.keys());
  for (const e of edges) ids.add(e.taskId).add(e.dependsOnId);
  const out: string[] = [];
  for (const component of connectedComponents([...ids], edges.map((e) => [e.taskId, e.dependsOnId] as [string, string]))) {
    if (component.every((id) => byId.has(id) && isExpired(byId.get(id)!, days, now))) out.push(...component);
  }
  return out;
}

/** Weakly connected components (union-find with path halving). */
export function connectedComponents(ids: readonly string[], edges: readonly (readonly [string, string])[]): string[][] {
  const parent = new Map<string, string>(ids.map((id) => [id, id]));
  const find = (x: string): string => {
    let p = parent.get(x) ?? x;
    while (p !== x) {
      const gp = parent.get(p) ?? p;
      parent.set(x, gp);
      x = p;
      p = gp;
    }
    return x;
  };
  for (const [a, b] of edges) {
    if (!parent.has(a)) parent.set(a, a);
    if (!parent.has(b)) parent.set(b, b);
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  }
  const groups = new Map<string, string[]>();
  for (const id of parent.keys()) {
    const r = find(id);
    const g = groups.get(r);
    if (g) g.push(id);
    else groups.set(r, [id]);
  }
  return [...groups.values()];
}
