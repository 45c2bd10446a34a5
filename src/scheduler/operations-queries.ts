import type { EntityManager } from '@mikro-orm/postgresql';
import { BadInputError } from '../domain/errors';
import { assertId } from '../domain/task-input';
import { TASK_STATUSES, TaskStatus } from '../domain/task-status';
import { sql } from '../persistence/sql/run';
import type { Task } from '../persistence/entities/task.entity';
import { FRONTIER_CORE_COUNT_SQL, FRONTIER_SQL } from '../persistence/sql/frontier.sql';
import { toTasks } from '../persistence/sql/task-rows';
import { MinuteBuckets } from './minute-buckets';
import { CURRENT_MINUTE_SQL, STATUS_CHANGES_SQL, STATUS_COUNTS_SQL, THROUGHPUT_SQL } from '../persistence/sql/throughput.sql';

export interface ThroughputPoint {
  minute: Date;
  created: number;
  claimed: number;
  completed: number;
  failed: number;
  retried: number;
}

export interface StatusCount {
  status: TaskStatus;
  count: number;
}

export interface QueueDepthPoint {
  minute: Date;
  counts: StatusCount[];
}

export const MAX_SERIES_MINUTES = 24 * 60;
const MINUTE_MS = 60_000;

function window(projectId: string | null | undefined, minutes: number) {
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_SERIES_MINUTES) {
    throw new BadInputError(`minutes must be a whole number from 1 to ${MAX_SERIES_MINUTES}, got ${minutes}`, { field: 'minutes' });
  }
  return { project: projectId == null ? null : assertId(projectId, 'projectId'), minutes };
}

type Counts = Omit<ThroughputPoint, 'minute'>;
type Deltas = Map<TaskStatus, number>;

/**
 * Settled minutes per database (keyed by the ORM's configuration, shared by its forks), so two
 * servers in one process on different databases never mix their series.
 */
const bucketsByDatabase = new WeakMap<object, { throughput: MinuteBuckets<Counts>; deltas: MinuteBuckets<Deltas> }>();

function bucketsOf(em: EntityManager) {
  const key = em.config as object;
  let buckets = bucketsByDatabase.get(key);
  if (!buckets) bucketsByDatabase.set(key, (buckets = { throughput: new MinuteBuckets(), deltas: new MinuteBuckets() }));
  return buckets;
}

async function currentMinute(em: EntityManager): Promise<number> {
  const [{ now }] = await sql<{ now: number }>(em, CURRENT_MINUTE_SQL);
  return Number(now);
}

/** One point per minute, oldest first, ending with the current (partial) minute; empty minutes are zeros. */
export async function throughput(em: EntityManager, projectId: string | null | undefined, minutes: number): Promise<ThroughputPoint[]> {
  const w = window(projectId, minutes);
  const now = await currentMinute(em);
  const list = minutesEndingAt(now, w.minutes);
  const byMinute = await bucketsOf(em).throughput.read(w.project ?? '*', list, now, async (from) => {
    const rows = await sql<Counts & { minute: number }>(em, THROUGHPUT_SQL, [from, w.project, w.project]);
    return new Map(rows.map(({ minute, ...counts }) => [Number(minute), counts]));
  });
  return list.map((m) => {
    const r = byMinute.get(m);
    return { minute: new Date(m), created: r?.created ?? 0, claimed: r?.claimed ?? 0, completed: r?.completed ?? 0, failed: r?.failed ?? 0, retried: r?.retried ?? 0 };
  });
}

/**
 * The count of each status at the end of every minute of the window (the last point: now),
 * reconstructed from today's counts and the log's transitions (see STATUS_CHANGES_SQL).
 */
export async function queueDepth(em: EntityManager, projectId: string | null | undefined, minutes: number): Promise<QueueDepthPoint[]> {
  const w = window(projectId, minutes);
  const now = await currentMinute(em);
  const minuteList = minutesEndingAt(now, w.minutes);
  const [counts, deltas] = await Promise.all([
    sql<StatusCount>(em, STATUS_COUNTS_SQL, [w.project, w.project]),
    bucketsOf(em).deltas.read(w.project ?? '*', minuteList, now, async (from) => {
      const changes = await sql<{ minute: number; status: TaskStatus; delta: number }>(em, STATUS_CHANGES_SQL, [from, w.project, w.project]);
      const byMinute = new Map<number, Deltas>();
      for (const c of changes) {
        const m = byMinute.get(Number(c.minute)) ?? new Map<TaskStatus, number>();
        m.set(c.status, c.delta);
        byMinute.set(Number(c.minute), m);
      }
      return byMinute;
    }),
  ]);
  const current = new Map<TaskStatus, number>(TASK_STATUSES.map((s) => [s, 0]));
  for (const c of counts) current.set(c.status, c.count);
  const points: QueueDepthPoint[] = [];
  for (let i = minuteList.length - 1; i >= 0; i--) {
    const minute = minuteList[i]!;
    points.push({ minute: new Date(minute), counts: TASK_STATUSES.map((status) => ({ status, count: Math.max(0, current.get(status)!) })) });
    // Undo this minute's changes: the counts at the end of the minute before.
    for (const [status, delta] of deltas.get(minute) ?? []) current.set(status, (current.get(status) ?? 0) - delta);
  }
  return points.reverse();
}

export async function taskCounts(em: EntityManager, projectId: string): Promise<StatusCount[]> {
  const project = assertId(projectId, 'projectId');
  const rows = await sql<StatusCount>(em, STATUS_COUNTS_SQL, [project, project]);
  const byStatus = new Map(rows.map((r) => [r.status, r.count]));
  return TASK_STATUSES.map((status) => ({ status, count: byStatus.get(status) ?? 0 }));
}

function minutesEndingAt(now: number, minutes: number): number[] {
  return Array.from({ length: minutes }, (_, i) => Number(now) - (minutes - 1 - i) * MINUTE_MS);
}

export interface Frontier {
  tasks: Task[];
  /** Ids of the core (in flight or in trouble); the other tasks are their immediate neighbours. */
  coreIds: string[];
  /** Core tasks in the project (may exceed the core shown when `limit` cut it). */
  coreTotal: number;
  truncated: boolean;
}

export const MAX_FRONTIER = 2_000;

/** See FRONTIER_SQL: the tasks in flight or in trouble and their immediate neighbours. */
export async function frontier(em: EntityManager, projectId: string, limit: number): Promise<Frontier> {
  const project = assertId(projectId, 'projectId');
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_FRONTIER) {
    throw new BadInputError(`limit must be a whole number from 1 to ${MAX_FRONTIER}, got ${limit}`, { field: 'limit' });
  }
  const [rows, [{ count }]] = await Promise.all([
    sql<Record<string, unknown> & { in_core: boolean }>(em, FRONTIER_SQL, [project, limit, 2 * limit]),
    sql<{ count: number }>(em, FRONTIER_CORE_COUNT_SQL, [project]),
  ]);
  const coreIds = rows.filter((r) => r.in_core).map((r) => String(r.id));
  return { tasks: toTasks(rows), coreIds, coreTotal: count, truncated: count > coreIds.length || rows.length - coreIds.length >= 2 * limit };
}
