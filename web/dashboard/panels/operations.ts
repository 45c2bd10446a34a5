/**
 * The operations panel: a health strip (readiness checks, live feed), throughput (claimed,
 * completed, failed per minute) and queue depth per status over the last hour as live charts,
 * and the workers holding leases with their task and lease age. Refreshed every few seconds
 * from `throughput`, `queueDepth` and `tasks(statuses: [RUNNING])`, computed from the event log
 * on the server (the same on every instance).
 *
 * Test hooks: `window.__operations` (OperationsHooks) and the data-testid attributes below.
 */
import './operations.css';
import { h } from '../details';
import { STATUSES, type TaskStatus } from '../status';
import { TimeChart } from './charts';
import { fetchReadiness, fetchSeries, LEASES_SHOWN, type Lease, type Series } from './operations-api';
import type { OperationsHooks } from './operations-hooks';

declare global {
  interface Window {
    __operations: OperationsHooks;
  }
}

export const WINDOW_MINUTES = 60;
const REFRESH_MS = 5_000;

const COLORS: Record<TaskStatus | 'claimed' | 'completed' | 'failed', string> = {
  claimed: '#d97706',
  completed: '#16a34a',
  failed: '#dc2626',
  PENDING: '#94a3b8',
  SCHEDULED: '#0891b2',
  READY: '#3b82f6',
  RUNNING: '#f59e0b',
  RETRYING: '#8b5cf6',
  BLOCKED: '#f97316',
  FAILED: '#dc2626',
  CANCELLED: '#6b7280',
  COMPLETED: '#22c55e',
};

/** Statuses drawn on the depth chart: the queue, not the finished (those only grow). */
const DEPTH_STATUSES: TaskStatus[] = STATUSES.filter((s) => s !== 'COMPLETED' && s !== 'CANCELLED');

export function mountOperationsPanel(root: HTMLElement, currentProject: () => string | null, liveState: () => string): void {
  const hooks: OperationsHooks = { refreshes: 0, lastRefreshMs: null, projectId: null, error: null, totals: null, depth: null, leases: 0, ready: null };
  window.__operations = hooks;

  const strip = h('ul', { class: 'health-strip', 'data-testid': 'health-strip' });
  const throughputHost = h('div', { class: 'chart', 'data-testid': 'throughput-chart' });
  const depthHost = h('div', { class: 'chart', 'data-testid': 'depth-chart' });
  const leaseBody = h('tbody', {});
  const leaseCaption = h('caption', {}, 'Leases');
  const leaseTable = h('table', { class: 'leases', 'data-testid': 'leases' }, leaseCaption,
    h('thead', {}, h('tr', {}, h('th', {}, 'worker'), h('th', {}, 'task'), h('th', {}, 'lease age'), h('th', {}, 'expires in'))), leaseBody);
  root.append(strip, h('div', { class: 'charts' }, throughputHost, depthHost), h('div', { class: 'lease-box' }, leaseTable));

  const throughput = new TimeChart(throughputHost, `Throughput per minute (last ${WINDOW_MINUTES} min)`, [
    { label: 'claimed', color: COLORS.claimed },
    { label: 'completed', color: COLORS.completed },
    { label: 'failed', color: COLORS.failed },
  ]);
  const depth = new TimeChart(depthHost, 'Queue depth by status', DEPTH_STATUSES.map((s) => ({ label: s, color: COLORS[s] })));

  let timer = 0;
  let abort: AbortController | null = null;

  const refresh = async () => {
    clearTimeout(timer);
    abort?.abort();
    const controller = new AbortController();
    abort = controller;
    const projectId = currentProject();
    const started = performance.now();
    try {
      const [readiness, series] = await Promise.all([
        fetchReadiness(controller.signal),
        projectId ? fetchSeries(projectId, WINDOW_MINUTES, controller.signal) : Promise.resolve(null),
      ]);
      if (controller.signal.aborted) return;
      renderHealth(readiness.reachable ? readiness.checks : null, readiness.ready);
      hooks.ready = readiness.ready;
      if (series) draw(series);
      hooks.projectId = projectId;
      hooks.error = null;
      hooks.refreshes++;
      hooks.lastRefreshMs = Math.round(performance.now() - started);
    } catch (err) {
      if (controller.signal.aborted) return;
      hooks.error = (err as Error).message;
      renderHealth(null, false);
    } finally {
      if (abort === controller) timer = window.setTimeout(() => void refresh(), REFRESH_MS);
    }
  };

  const draw = (series: Series) => {
    const times = series.throughput.map((p) => Date.parse(p.minute) / 1000);
    throughput.update(times, [series.throughput.map((p) => p.claimed), series.throughput.map((p) => p.completed), series.throughput.map((p) => p.failed)]);
    const depthTimes = series.queueDepth.map((p) => Date.parse(p.minute) / 1000);
    const byStatus = series.queueDepth.map((p) => new Map(p.counts.map((c) => [c.status, c.count])));
    depth.update(depthTimes, DEPTH_STATUSES.map((s) => byStatus.map((m) => m.get(s) ?? 0)));
    const sum = (k: 'claimed' | 'completed' | 'failed') => series.throughput.reduce((n, p) => n + p[k], 0);
    hooks.totals = { claimed: sum('claimed'), completed: sum('completed'), failed: sum('failed') };
    hooks.depth = Object.fromEntries(series.queueDepth.at(-1)?.counts.map((c) => [c.status, c.count]) ?? []);
    renderLeases(series.leases, series.leaseTotal);
  };

  const renderHealth = (checks: Record<string, { ok: boolean; detail?: string }> | null, ready: boolean) => {
    const items: HTMLElement[] = [h('li', { 'data-check': 'server', 'data-ok': String(checks !== null), title: checks ? 'the server answers' : 'the server does not answer' }, checks ? 'server' : 'server unreachable')];
    for (const [name, c] of Object.entries(checks ?? {})) {
      items.push(h('li', { 'data-check': name, 'data-ok': String(c.ok), title: c.detail ?? 'ok' }, c.ok ? name : `${name}: ${c.detail ?? 'failing'}`));
    }
    const state = liveState();
    items.push(h('li', { 'data-check': 'live', 'data-ok': String(state === 'live'), title: 'the dashboard’s live feed (graphql-ws)' }, `live feed: ${state}`));
    strip.dataset.ready = String(ready);
    strip.replaceChildren(h('li', { class: 'strip-title' }, ready ? 'Ready' : 'Not ready'), ...items);
  };

  const renderLeases = (leases: Lease[], total: number) => {
    hooks.leases = total;
    const now = Date.now();
    const age = (iso: string | null) => (iso ? formatDuration(now - Date.parse(iso)) : '–');
    const rows = [...leases]
      .sort((a, b) => (a.workerId ?? '').localeCompare(b.workerId ?? '') || Date.parse(a.startedAt ?? '') - Date.parse(b.startedAt ?? ''))
      .map((l) =>
        h('tr', { 'data-task-id': l.id, 'data-worker': l.workerId ?? '' },
          h('td', {}, l.workerId ?? '–'),
          h('td', { title: `#${l.id}` }, l.title),
          h('td', { 'data-testid': 'lease-age' }, age(l.startedAt)),
          h('td', {}, l.leaseExpiresAt ? formatDuration(Date.parse(l.leaseExpiresAt) - now) : '–')),
      );
    const workers = new Set(leases.map((l) => l.workerId)).size;
    leaseCaption.textContent = total === 0 ? 'No worker holds a lease' : `${total} lease${total === 1 ? '' : 's'} held by ${workers}${total > LEASES_SHOWN ? '+' : ''} worker${workers === 1 ? '' : 's'}${total > LEASES_SHOWN ? ` (oldest ${LEASES_SHOWN} shown)` : ''}`;
    leaseBody.replaceChildren(...rows);
  };

  // A project switch refreshes at once; otherwise every REFRESH_MS.
  let shown: string | null = null;
  window.setInterval(() => {
    const p = currentProject();
    if (p !== shown) {
      shown = p;
      void refresh();
    }
  }, 250);
  void refresh();
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
