/**
 * The live dashboard at `/`: pick a project, see its dependency graph (ELK, left to right),
 * coloured by status, with counts, deadlock/stall marks and a details panel; kept current by
 * `taskStatusChanged` (resumed with `afterCursor` after a reconnect).
 *
 * Test hooks: `window.__dashboard` (see DashboardHooks) and the data-testid attributes in
 * index.html and graph-view.ts (nodes: `[data-task-id][data-status]`).
 */
import './styles.css';
import {
  fetchAllTasks,
  fetchDeadlocks,
  fetchLatestEventCursor,
  fetchProjects,
  fetchTaskDetails,
  type DeadlockReport,
  type Project,
  type TaskDetails,
  type TaskStatusEvent,
  type TaskSummary,
} from './api';
import { DetailsPanel, h, type DeadlockInfo } from './details';
import { GraphView, type Marks } from './graph-view';
import { cancelLayouts, layoutGraph, prepareLayout } from './layout';
import { LiveConnection, type Feed } from './live';
import type { ConnectionState, DashboardHooks } from './hooks';
import { STATUSES, STATUS_DESCRIPTIONS, type TaskStatus } from './status';
import { mountSchedulesPanel } from './panels/schedules';
import { mountFlowControlPanel } from './panels/flow-control';
import { mountOperationsPanel } from './panels/operations';
import { fetchFrontier, fetchTaskCounts, FocusBanner, LARGE_PROJECT_TASKS, READABLE_ZOOM } from './focus';
import { mountSignOut, startSession } from '../shared/auth-token';

// First: the sign-in link (/#token=…) leaves the address bar before anything reads it.
const signedIn = startSession();

declare global {
  interface Window {
    __dashboard: DashboardHooks;
  }
}

const hooks: DashboardHooks = {
  ready: false,
  projectId: null,
  nodeCount: 0,
  taskCount: 0,
  layoutMs: null,
  renderMs: null,
  layouts: 0,
  lastCursor: null,
  eventsApplied: 0,
  reconnects: 0,
  connection: 'connecting',
  error: null,
  mode: 'full',
};
window.__dashboard = hooks;

const byId = <T extends HTMLElement>(id: string) => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing from the page`);
  return el as T;
};

const ui = {
  projectSelect: byId<HTMLSelectElement>('project-select'),
  reloadProjects: byId<HTMLButtonElement>('reload-projects'),
  findForm: byId<HTMLFormElement>('find-form'),
  findInput: byId<HTMLInputElement>('find-task'),
  graphPane: byId<HTMLElement>('graph-pane'),
  overlay: byId<HTMLElement>('overlay'),
  statusCounts: byId<HTMLUListElement>('status-counts'),
  totalCount: byId<HTMLElement>('total-count'),
  cycleCount: byId<HTMLElement>('cycle-count'),
  stalledCount: byId<HTMLElement>('stalled-count'),
  problems: byId<HTMLUListElement>('problems'),
  details: byId<HTMLElement>('details'),
  connection: byId<HTMLElement>('connection-state'),
  statusText: byId<HTMLElement>('status-text'),
};

const RELAYOUT_DEBOUNCE_MS = 400;
const RELAYOUT_MAX_WAIT_MS = 2_000;
const DEADLOCK_DEBOUNCE_MS = 1_000;
const RETRY_MS = 5_000;

/** Everything about the project on screen; replaced wholesale when another project is picked. */
class ProjectSession {
  readonly tasks = new Map<string, TaskSummary>();
  readonly abort = new AbortController();
  feed: Feed | null = null;
  /** Events that arrive while the first snapshot loads; applied, in order, after it. */
  buffer: TaskStatusEvent[] | null = [];
  deadlocks: DeadlockReport = { cycles: [], stalled: [] };
  layoutRunning = false;
  layoutDirty = false;
  layouts = 0;
  relayoutTimer = 0;
  relayoutFirstAsked = 0;
  deadlockTimer = 0;
  /** A detectDeadlocks request in flight, and whether events asked for another meanwhile. */
  deadlockRunning = false;
  deadlockAgain = false;
  /** How long the last detectDeadlocks took (ms): the next waits at least a few times that. */
  deadlockMs = 0;
  feedFailures = 0;
  /** Large project (focus.ts): only the frontier is in `tasks`; counts come from the server. */
  focused = false;
  counts: Map<string, number> | null = null;
  frontierTimer = 0;
  frontierCore = { coreTotal: 0, truncated: false };
  constructor(readonly projectId: string) {}

  get current(): boolean {
    return session === this;
  }

  close(): void {
    this.abort.abort();
    this.feed?.dispose();
    clearTimeout(this.relayoutTimer);
    clearTimeout(this.deadlockTimer);
    clearTimeout(this.frontierTimer);
  }
}

let session: ProjectSession | null = null;
let selectedId: string | null = null;
let lastDetails: TaskDetails | null = null;
let detailsAbort: AbortController | null = null;
let detailsTimer = 0;
let countsFrame = 0;

const live = new LiveConnection((state) => {
  hooks.connection = state;
  renderConnection();
});
const view = new GraphView(ui.graphPane, (id) => selectTask(id, false));
const details = new DetailsPanel(ui.details, (id) => selectTask(id, true));
const schedulesPanel = mountSchedulesPanel(ui.details);
/** Projects the user asked to see whole, though large. */
const fullGraphWanted = new Set<string>();
const focusBanner = new FocusBanner(ui.graphPane, () => {
  if (!session) return;
  fullGraphWanted.add(session.projectId);
  void openProject(session.projectId);
});

// ---------------------------------------------------------------- status line, counts, legend

function overlay(message: string | null, isError = false): void {
  ui.overlay.hidden = message === null;
  ui.overlay.textContent = message ?? '';
  ui.overlay.classList.toggle('error', isError);
}

function renderConnection(): void {
  const labels: Record<ConnectionState, string> = { connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…' };
  ui.connection.dataset.state = hooks.connection;
  ui.connection.textContent = labels[hooks.connection];
}

const fmt = new Intl.NumberFormat('en');

function renderStatusText(): void {
  const parts = [`${fmt.format(hooks.taskCount)} tasks`];
  if (hooks.nodeCount !== hooks.taskCount) parts.push(`${fmt.format(hooks.nodeCount)} drawn`);
  if (hooks.layoutMs !== null) {
    parts.push(`layout ${fmt.format(hooks.layoutMs)} ms (ELK in a worker) + draw ${fmt.format(hooks.renderMs ?? 0)} ms`);
  }
  if (hooks.lastCursor !== null) parts.push(`event cursor ${hooks.lastCursor}`);
  ui.statusText.textContent = parts.join(' · ');
}

const legendItems = new Map<TaskStatus, HTMLElement>();
for (const status of STATUSES) {
  const count = h('b', { 'data-count-for': status }, '0');
  const li = h('li', { 'data-status': status, 'data-count': '0', title: STATUS_DESCRIPTIONS[status] },
    h('span', { class: 'swatch', 'data-status': status }), status, count);
  legendItems.set(status, li);
  ui.statusCounts.append(li);
}

function scheduleCounts(): void {
  if (countsFrame) return;
  countsFrame = requestAnimationFrame(() => {
    countsFrame = 0;
    renderCounts();
  });
}

function renderCounts(): void {
  const counts = new Map<string, number>(STATUSES.map((s) => [s, 0]));
  if (session?.counts) for (const [status, n] of session.counts) counts.set(status, n);
  else for (const t of session?.tasks.values() ?? []) counts.set(t.status, (counts.get(t.status) ?? 0) + 1);
  for (const [status, li] of legendItems) {
    const n = counts.get(status) ?? 0;
    li.dataset.count = String(n);
    li.querySelector('b')!.textContent = fmt.format(n);
  }
  schedulesPanel.setTasks(session?.tasks.values() ?? []);
  hooks.taskCount = session?.counts ? [...session.counts.values()].reduce((a, b) => a + b, 0) : (session?.tasks.size ?? 0);
  ui.totalCount.textContent = session ? `(${fmt.format(hooks.taskCount)})` : '';
  renderStatusText();
}

// ---------------------------------------------------------------- projects

async function loadProjects(): Promise<void> {
  let projects: Project[];
  try {
    projects = await fetchProjects();
  } catch (err) {
    const message = (err as Error).message;
    hooks.error = message;
    overlay(`Cannot load projects from /graphql: ${message}. Retrying every ${RETRY_MS / 1000} s…`, true);
    setTimeout(loadProjects, RETRY_MS);
    return;
  }
  hooks.error = null;
  const select = ui.projectSelect;
  const wanted = session?.projectId ?? new URLSearchParams(location.search).get('project');
  select.replaceChildren(...projects.map((p) => h('option', { value: p.id }, `${p.name} (#${p.id})`)));
  select.disabled = projects.length === 0;
  if (!projects.length) {
    select.append(h('option', {}, 'no projects'));
    overlay('No projects yet. Create one in GraphiQL (/graphiql), then reload the list with ⟳.');
    hooks.ready = true;
    return;
  }
  const chosen = projects.find((p) => p.id === wanted) ?? projects[0];
  select.value = chosen.id;
  if (session?.projectId !== chosen.id) void openProject(chosen.id);
}

ui.projectSelect.addEventListener('change', () => {
  const url = new URL(location.href);
  url.searchParams.set('project', ui.projectSelect.value);
  history.replaceState(null, '', url);
  void openProject(ui.projectSelect.value);
});
ui.reloadProjects.addEventListener('click', () => void loadProjects());

// ---------------------------------------------------------------- one project

async function openProject(projectId: string): Promise<void> {
  if (session?.layoutRunning) cancelLayouts();
  // The layout engine loads while the counts and tasks are fetched, not after.
  prepareLayout();
  session?.close();
  const s = new ProjectSession(projectId);
  session = s;
  schedulesPanel.setProject(projectId);
  Object.assign(hooks, { ready: false, projectId, nodeCount: 0, taskCount: 0, lastCursor: null, layoutMs: null, renderMs: null, error: null });
  view.clear();
  focusBanner.hide();
  selectTask(null, false);
  renderCounts();
  renderMarks(s);
  overlay('Loading tasks…');

  try {
    // Cursor first, tasks second, subscription third (afterCursor = that cursor): the server
    // replays every event after the cursor, so nothing between the snapshot and the
    // subscription is lost; events the snapshot already shows are re-applied harmlessly.
    const cursor = await fetchLatestEventCursor(s.abort.signal);
    if (!s.current) return;
    if (cursor === null) {
      // Empty event log: no cursor to resume from, so subscribe first and buffer during the load.
      s.feed = subscribe(s, null);
      await live.whenLive(3_000);
      if (!s.current) return;
    }
    // Counts first (one grouped query): they show at once whatever the project's size.
    const counts = await fetchTaskCounts(projectId, s.abort.signal);
    if (!s.current) return;
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    s.focused = total > LARGE_PROJECT_TASKS && !fullGraphWanted.has(projectId);
    hooks.mode = s.focused ? 'focused' : 'full';
    if (s.focused) {
      s.counts = counts;
      renderCounts();
      overlay(`Large project (${fmt.format(total)} tasks): loading the tasks in flight or in trouble…`);
    }
    const tasks = s.focused
      ? await loadFrontier(s)
      : await fetchAllTasks(projectId, (n, total) => overlay(`Loading tasks… ${fmt.format(n)} / ${fmt.format(total)}`), s.abort.signal);
    if (!s.current) return;
    for (const t of tasks) s.tasks.set(t.id, t);
    const buffered = s.buffer ?? [];
    s.buffer = null;
    for (const event of buffered) applyEvent(s, event);
    if (cursor !== null) {
      hooks.lastCursor = cursor;
      s.feed = subscribe(s, cursor);
    }
    renderCounts();
    // A large project's deadlock report (a pass over every task) is not what its first screen
    // waits for: it is asked for once the graph is drawn.
    await Promise.all([relayout(s), s.focused ? null : refreshDeadlocks(s)]);
    if (s.current) hooks.ready = true;
    if (s.focused) scheduleDeadlocks(s);
  } catch (err) {
    if (!s.current || s.abort.signal.aborted) return;
    hooks.error = (err as Error).message;
    overlay(`Cannot load project #${projectId}: ${hooks.error}. Retrying in ${RETRY_MS / 1000} s…`, true);
    setTimeout(() => {
      if (s.current) void openProject(projectId);
    }, RETRY_MS);
  }
}

function subscribe(s: ProjectSession, afterCursor: string | null): Feed {
  return live.subscribe(s.projectId, afterCursor, {
    onEvent: (event) => {
      if (!s.current) return;
      s.feedFailures = 0;
      if (s.buffer) s.buffer.push(event);
      else applyEvent(s, event);
    },
    onReconnected: (cursor) => {
      if (!s.current) return;
      hooks.reconnects++;
      // With a cursor the server replays what we missed; without one, reload the snapshot.
      if (cursor === null && !s.buffer) void resync(s);
      scheduleDeadlocks(s);
    },
    onEnded: (reason, resumeFrom) => {
      if (!s.current) return;
      s.feedFailures++;
      const delay = Math.min(30_000, 1_000 * 2 ** (s.feedFailures - 1));
      console.warn(`live feed ended (${reason}); resubscribing in ${delay} ms ${resumeFrom ? `after cursor ${resumeFrom}` : 'from a fresh snapshot'}`);
      setTimeout(() => {
        if (!s.current) return;
        s.feed = subscribe(s, resumeFrom);
        if (resumeFrom === null && !s.buffer) void resync(s);
      }, delay);
    },
  });
}

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

function applyEvent(s: ProjectSession, event: TaskStatusEvent): void {
  const prev = s.tasks.get(event.taskId);
  const next: TaskSummary | undefined = event.task
    ? { ...prev, ...event.task, status: event.status }
    : prev && { ...prev, status: event.status };
  hooks.lastCursor = event.cursor;
  hooks.eventsApplied++;
  if (s.counts && s.buffer === null) {
    // Focused: counts follow the events; the frontier is re-read when it may have moved.
    if (event.previousStatus) s.counts.set(event.previousStatus, Math.max(0, (s.counts.get(event.previousStatus) ?? 0) - 1));
    s.counts.set(event.status, (s.counts.get(event.status) ?? 0) + 1);
    scheduleCounts();
    scheduleFrontier(s);
    if (!prev) return;
  }
  if (!next) return;
  s.tasks.set(next.id, next);
  // During the first layout (events flow as soon as the snapshot is in), a new task or edge
  // must still reach the graph: relayout() then runs once more. Status-only changes are drawn
  // by render(), which reads s.tasks.
  const drawn = s.layouts > 0;
  if (s.buffer === null && (drawn || s.layoutRunning)) {
    if (!prev || !sameList(prev.dependencies, next.dependencies) || (drawn && !view.has(next.id))) scheduleRelayout(s);
    else if (drawn) view.setStatus(next.id, next.status, next.priority);
  }
  scheduleCounts();
  scheduleDeadlocks(s);
  if (selectedId === next.id) refreshSelected(next);
}

/** After a reconnect with nothing to resume from: reload every task and merge (newer wins). */
async function resync(s: ProjectSession): Promise<void> {
  if (s.focused) {
    scheduleFrontier(s);
    return;
  }
  try {
    const tasks = await fetchAllTasks(s.projectId, () => {}, s.abort.signal);
    if (!s.current) return;
    let structural = false;
    for (const t of tasks) {
      const prev = s.tasks.get(t.id);
      if (prev && Date.parse(prev.updatedAt) > Date.parse(t.updatedAt)) continue;
      s.tasks.set(t.id, t);
      if (!prev || !sameList(prev.dependencies, t.dependencies) || !view.has(t.id)) structural = true;
      else if (prev.status !== t.status) view.setStatus(t.id, t.status, t.priority);
    }
    if (structural) scheduleRelayout(s);
    scheduleCounts();
    scheduleDeadlocks(s);
  } catch (err) {
    if (!s.abort.signal.aborted) console.warn('resync failed:', (err as Error).message);
  }
}

// ---------------------------------------------------------------- layout

function scheduleRelayout(s: ProjectSession): void {
  const now = performance.now();
  if (!s.relayoutTimer) s.relayoutFirstAsked = now;
  clearTimeout(s.relayoutTimer);
  // A big graph takes ELK a second or two: never ask more often than it can answer.
  const debounce = Math.max(RELAYOUT_DEBOUNCE_MS, hooks.layoutMs ?? 0);
  const wait = Math.max(0, Math.min(debounce, s.relayoutFirstAsked + Math.max(RELAYOUT_MAX_WAIT_MS, debounce) - now));
  s.relayoutTimer = window.setTimeout(() => {
    s.relayoutTimer = 0;
    void relayout(s);
  }, wait);
}

/** Lays the project out again (only when its structure changed); one layout at a time. */
async function relayout(s: ProjectSession): Promise<void> {
  if (s.layoutRunning) {
    s.layoutDirty = true;
    return;
  }
  s.layoutRunning = true;
  try {
    do {
      s.layoutDirty = false;
      const ids = [...s.tasks.keys()];
      if (!ids.length) {
        view.clear();
        hooks.nodeCount = 0;
        s.layouts++;
        overlay('No tasks in this project yet. Create some in GraphiQL (/graphiql): they appear here live.');
        break;
      }
      if (s.layouts === 0) overlay(`Laying out ${fmt.format(ids.length)} tasks…`);
      const edges: Array<{ from: string; to: string }> = [];
      // A focused view holds part of the graph: edges to tasks outside it are left out.
      for (const id of ids) for (const dep of s.tasks.get(id)!.dependencies) if (s.tasks.has(dep)) edges.push({ from: dep, to: id });
      const result = await layoutGraph({ ids, edges });
      if (!s.current) return;
      const drawStart = performance.now();
      view.render(result, s.tasks, s.layouts > 0);
      hooks.renderMs = Math.round(performance.now() - drawStart);
      hooks.layoutMs = Math.round(result.ms);
      hooks.nodeCount = view.nodeCount;
      hooks.layouts++;
      s.layouts++;
      overlay(null);
      if (s.focused) {
        focusBanner.show(ids.length, hooks.taskCount, s.frontierCore);
        if (s.layouts === 1) view.fitReadable(READABLE_ZOOM);
      }
      // Statuses that changed while ELK worked are already in s.tasks, so render() drew them.
      renderStatusText();
    } while (s.layoutDirty && s.current);
  } catch (err) {
    if (s.current) {
      hooks.error = `layout failed: ${(err as Error).message}`;
      overlay(hooks.error, true);
    }
  } finally {
    s.layoutRunning = false;
  }
}

// ---------------------------------------------------------------- focused view (large projects)

async function loadFrontier(s: ProjectSession) {
  const [frontier, counts] = await Promise.all([fetchFrontier(s.projectId, s.abort.signal), fetchTaskCounts(s.projectId, s.abort.signal)]);
  s.frontierCore = { coreTotal: frontier.coreTotal, truncated: frontier.truncated };
  if (s.current) s.counts = counts;
  return frontier.tasks;
}

const FRONTIER_REFRESH_MS = 2_000;

/** Re-reads the frontier (and the counts, which events may have raced) at most every 2 s. */
function scheduleFrontier(s: ProjectSession): void {
  if (s.frontierTimer || !s.focused) return;
  s.frontierTimer = window.setTimeout(async () => {
    try {
      const tasks = await loadFrontier(s);
      if (!s.current) return;
      const ids = new Set(tasks.map((t) => t.id));
      const structural = ids.size !== s.tasks.size || tasks.some((t) => !s.tasks.has(t.id) || !sameList(s.tasks.get(t.id)!.dependencies, t.dependencies));
      s.tasks.clear();
      for (const t of tasks) s.tasks.set(t.id, t);
      if (structural) scheduleRelayout(s);
      else for (const t of tasks) view.setStatus(t.id, t.status, t.priority);
      scheduleCounts();
    } catch (err) {
      if (!s.abort.signal.aborted) console.warn('frontier refresh failed:', (err as Error).message);
    } finally {
      s.frontierTimer = 0;
    }
  }, FRONTIER_REFRESH_MS);
}

// ---------------------------------------------------------------- deadlocks

/**
 * detectDeadlocks reads the whole project (about 0.35 s of server time at 100,000 tasks, several
 * seconds on a loaded machine): one request at a time per page, and the next no sooner than
 * DEADLOCK_BUSY_FACTOR times the last one's duration, so a busy large project does not keep the
 * server computing reports a page cannot show faster than that anyway.
 */
const DEADLOCK_BUSY_FACTOR = 4;

function scheduleDeadlocks(s: ProjectSession): void {
  if (s.deadlockRunning) {
    s.deadlockAgain = true;
    return;
  }
  if (s.deadlockTimer || s.buffer) return;
  s.deadlockTimer = window.setTimeout(() => {
    s.deadlockTimer = 0;
    void refreshDeadlocks(s);
  }, Math.max(DEADLOCK_DEBOUNCE_MS, DEADLOCK_BUSY_FACTOR * s.deadlockMs));
}

async function refreshDeadlocks(s: ProjectSession): Promise<void> {
  s.deadlockRunning = true;
  s.deadlockAgain = false;
  const started = performance.now();
  try {
    const report = await fetchDeadlocks(s.projectId, s.abort.signal);
    if (!s.current) return;
    s.deadlocks = report;
  } catch (err) {
    if (!s.abort.signal.aborted) console.warn('detectDeadlocks failed:', (err as Error).message);
    return;
  } finally {
    s.deadlockMs = performance.now() - started;
    s.deadlockRunning = false;
    if (s.deadlockAgain && s.current) scheduleDeadlocks(s);
  }
  renderMarks(s);
  if (selectedId) refreshSelected(s.tasks.get(selectedId));
}

function marksOf(s: ProjectSession): Marks {
  const cycle = new Set(s.deadlocks.cycles.flat());
  const stalled = new Map(s.deadlocks.stalled.map((x) => [x.task.id, x.reason]));
  return { cycle, stalled };
}

function renderMarks(s: ProjectSession): void {
  const marks = marksOf(s);
  view.setMarks(marks);
  ui.cycleCount.textContent = fmt.format(marks.cycle.size);
  ui.stalledCount.textContent = fmt.format(marks.stalled.size);
  const items: HTMLElement[] = [];
  const link = (id: string) => {
    const a = h('a', { href: `#task-${id}` }, `#${id}`);
    a.addEventListener('click', (ev) => {
      ev.preventDefault();
      selectTask(id, true);
    });
    return a;
  };
  for (const cycle of s.deadlocks.cycles.slice(0, 20)) {
    const li = h('li', { 'data-kind': 'cycle' }, '↻ cycle: ');
    cycle.forEach((id, i) => li.append(...(i ? [' → ', link(id)] : [link(id)])));
    items.push(li);
  }
  for (const st of s.deadlocks.stalled.slice(0, 50)) {
    items.push(h('li', { 'data-kind': 'stalled' }, '⚠ ', link(st.task.id), ` ${st.reason}`));
  }
  const more = s.deadlocks.cycles.length - 20 + s.deadlocks.stalled.length - 50;
  if (more > 0) items.push(h('li', {}, `… and ${more} more`));
  ui.problems.replaceChildren(...items);
}

function deadlockInfo(id: string): DeadlockInfo {
  const deadlocks = session?.deadlocks ?? { cycles: [], stalled: [] };
  const stalled = deadlocks.stalled.find((x) => x.task.id === id);
  return {
    inCycle: deadlocks.cycles.find((c) => c.includes(id)) ?? null,
    stalledReason: stalled?.reason ?? null,
    blockedBy: stalled?.blockedBy ?? [],
  };
}

// ---------------------------------------------------------------- selection and details

function selectTask(id: string | null, center: boolean): void {
  const s = session;
  const task = id ? s?.tasks.get(id) : undefined;
  selectedId = task ? task.id : null;
  view.select(selectedId, center);
  detailsAbort?.abort();
  lastDetails = null;
  if (!task) {
    details.showEmpty();
    return;
  }
  details.show(task, null, deadlockInfo(task.id));
  void loadDetails(task.id);
}

async function loadDetails(id: string): Promise<void> {
  detailsAbort?.abort();
  const abort = new AbortController();
  detailsAbort = abort;
  const summary = () => session?.tasks.get(id);
  try {
    const full = await fetchTaskDetails(id, abort.signal);
    if (abort.signal.aborted || selectedId !== id) return;
    lastDetails = full;
    const s = summary();
    if (s) details.show(s, full, deadlockInfo(id), full ? undefined : 'task not found');
  } catch (err) {
    if (abort.signal.aborted || selectedId !== id) return;
    const s = summary();
    if (s) details.show(s, lastDetails, deadlockInfo(id), (err as Error).message);
  }
}

/** The selected task changed: show what the event says now, then re-read the full record. */
function refreshSelected(summary: TaskSummary | undefined): void {
  if (!summary || summary.id !== selectedId) return;
  details.show(summary, lastDetails ? { ...lastDetails, ...summary } : null, deadlockInfo(summary.id));
  clearTimeout(detailsTimer);
  detailsTimer = window.setTimeout(() => {
    if (selectedId === summary.id) void loadDetails(summary.id);
  }, 250);
}

// ---------------------------------------------------------------- toolbar and search

byId('zoom-in').addEventListener('click', () => view.zoomBy(1.25));
byId('zoom-out').addEventListener('click', () => view.zoomBy(0.8));
byId('zoom-fit').addEventListener('click', () => view.fit());

ui.findForm.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const q = ui.findInput.value.trim().replace(/^#/, '');
  if (!q || !session) return;
  const lower = q.toLowerCase();
  let found = session.tasks.has(q) ? q : null;
  if (!found) for (const t of session.tasks.values()) if (t.title.toLowerCase().includes(lower)) { found = t.id; break; }
  ui.findInput.setCustomValidity(found ? '' : 'No task matches');
  ui.findInput.reportValidity();
  if (found) selectTask(found, true);
});
ui.findInput.addEventListener('input', () => ui.findInput.setCustomValidity(''));

renderConnection();
renderCounts();
mountSignOut(document.querySelector('.topbar nav') ?? document.body);
if (signedIn) {
  void loadProjects();
  // The operations panel is extra: if it cannot start, the graph and counts still work.
  try {
    mountOperationsPanel(byId('ops-panel'), () => session?.projectId ?? null, () => hooks.connection);
  } catch (err) {
    console.error('operations panel failed to start:', err);
  }
} else overlay('Sign in with an API token to see the projects.');
mountFlowControlPanel(document.querySelector<HTMLElement>('.sidebar')!, { client: live.client, projectId: () => hooks.projectId });
