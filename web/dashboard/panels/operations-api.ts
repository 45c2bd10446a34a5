/** The operations panel's reads: per-minute series, lease holders, and the server's readiness. */
import { graphqlRequest } from '../../shared/graphql-http';
import type { TaskStatus } from '../status';

export interface ThroughputPoint {
  minute: string;
  claimed: number;
  completed: number;
  failed: number;
  retried: number;
}

export interface DepthPoint {
  minute: string;
  counts: { status: TaskStatus; count: number }[];
}

export interface Lease {
  id: string;
  title: string;
  workerId: string | null;
  startedAt: string | null;
  leaseExpiresAt: string | null;
}

export interface Series {
  throughput: ThroughputPoint[];
  queueDepth: DepthPoint[];
  leases: Lease[];
  leaseTotal: number;
}

export const LEASES_SHOWN = 100;

const SERIES = `
  query DashboardOperations($projectId: ID!, $minutes: Int!, $leases: Int!) {
    throughput(projectId: $projectId, minutes: $minutes) { minute claimed completed failed retried }
    queueDepth(projectId: $projectId, minutes: $minutes) { minute counts { status count } }
    tasks(filter: { projectId: $projectId, statuses: [RUNNING] }, first: $leases) {
      totalCount
      edges { node { id title workerId startedAt leaseExpiresAt } }
    }
  }`;

export async function fetchSeries(projectId: string, minutes: number, signal?: AbortSignal): Promise<Series> {
  const data = await graphqlRequest<{
    throughput: ThroughputPoint[];
    queueDepth: DepthPoint[];
    tasks: { totalCount: number; edges: { node: Lease }[] };
  }>(SERIES, { projectId, minutes, leases: LEASES_SHOWN }, signal);
  return { throughput: data.throughput, queueDepth: data.queueDepth, leases: data.tasks.edges.map((e) => e.node), leaseTotal: data.tasks.totalCount };
}

export interface Readiness {
  reachable: boolean;
  ready: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

/** GET /readyz (no token needed): 200 ready, 503 with the failing checks, else unreachable. */
export async function fetchReadiness(signal?: AbortSignal): Promise<Readiness> {
  try {
    const res = await fetch(new URL('/readyz', location.href), { signal, cache: 'no-store' });
    const body = (await res.json()) as { checks?: Readiness['checks'] };
    return { reachable: true, ready: res.status === 200, checks: body.checks ?? {} };
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    return { reachable: false, ready: false, checks: {} };
  }
}
