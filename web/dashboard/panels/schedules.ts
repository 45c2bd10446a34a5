/**
 * Time panel: the project's cron schedules with their next run, and the SCHEDULED tasks that
 * become ready soonest (when, and how long from now). Schedules are re-read every few seconds
 * (they change rarely and have no subscription); the upcoming tasks come from the tasks the
 * dashboard already keeps current.
 */
import { graphqlRequest } from '../../shared/graphql-http';
import type { TaskSummary } from '../api';
import { h } from '../details';

export interface ScheduleRow {
  id: string;
  name: string;
  cron: string;
  timezone: string;
  paused: boolean;
  overlap: string;
  catchUp: string;
  nextRunAt: string | null;
  lastRunAt: string | null;
}

const SCHEDULES = `
  query DashboardSchedules($projectId: ID!) {
    schedules(projectId: $projectId) { id name cron timezone paused overlap catchUp nextRunAt lastRunAt }
  }`;

const REFRESH_MS = 5_000;
const UPCOMING = 10;

function relative(iso: string | null, now: number): string {
  if (!iso) return '—';
  const ms = Date.parse(iso) - now;
  const abs = Math.abs(ms);
  const text = abs < 60_000 ? `${Math.round(abs / 1000)} s` : abs < 3_600_000 ? `${Math.round(abs / 60_000)} min` : `${(abs / 3_600_000).toFixed(1)} h`;
  return ms >= 0 ? `in ${text}` : `${text} ago`;
}

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');

export interface SchedulesPanel {
  /** A project was opened (null: none). */
  setProject(projectId: string | null): void;
  /** The project's tasks changed (the upcoming SCHEDULED list follows them). */
  setTasks(tasks: Iterable<TaskSummary>): void;
}

/** Mounts the panel just above `anchor` (the details panel) in the sidebar. */
export function mountSchedulesPanel(anchor: HTMLElement): SchedulesPanel {
  const root = h('section', { class: 'time-panel', 'data-testid': 'schedules-panel' });
  const scheduleList = h('ul', { class: 'schedule-list', 'data-testid': 'schedule-list' });
  const upcomingList = h('ul', { class: 'schedule-list', 'data-testid': 'upcoming-list' });
  root.append(h('h3', {}, 'Schedules'), scheduleList, h('h3', {}, 'Scheduled tasks (next to become ready)'), upcomingList);
  anchor.before(root);

  let projectId: string | null = null;
  let schedules: ScheduleRow[] = [];
  let upcoming: TaskSummary[] = [];
  let error: string | null = null;
  let timer = 0;
  let abort: AbortController | null = null;

  const render = () => {
    const now = Date.now();
    scheduleList.replaceChildren(
      ...(error
        ? [h('li', { class: 'muted' }, `Cannot load schedules: ${error}`)]
        : schedules.length === 0
          ? [h('li', { class: 'muted' }, 'No schedules in this project')]
          : schedules.map((s) =>
              h('li', { 'data-schedule-id': s.id, title: `overlap ${s.overlap}, catch-up ${s.catchUp}; last run ${when(s.lastRunAt)}` },
                h('b', {}, s.name), ` ${s.cron} (${s.timezone}) `,
                s.paused ? h('span', { class: 'pill' }, 'paused') : h('span', { 'data-next-run': s.nextRunAt ?? '' }, `next ${relative(s.nextRunAt, now)} · ${when(s.nextRunAt)}`)),
            )),
    );
    upcomingList.replaceChildren(
      ...(upcoming.length === 0
        ? [h('li', { class: 'muted' }, 'None')]
        : upcoming.map((t) =>
            h('li', { 'data-task-id': t.id },
              h('span', { class: 'swatch', 'data-status': 'SCHEDULED' }), ` ${t.title} — ready ${relative(t.runAt ?? null, now)} · ${when(t.runAt ?? null)}`),
          )),
    );
  };

  const load = async () => {
    clearTimeout(timer);
    abort?.abort();
    if (!projectId) return;
    const mine = (abort = new AbortController());
    try {
      schedules = (await graphqlRequest<{ schedules: ScheduleRow[] }>(SCHEDULES, { projectId }, mine.signal)).schedules;
      error = null;
    } catch (e) {
      if (mine.signal.aborted) return;
      error = (e as Error).message;
    }
    render();
    timer = window.setTimeout(load, REFRESH_MS);
  };

  return {
    setProject(id) {
      projectId = id;
      schedules = [];
      upcoming = [];
      render();
      void load();
    },
    setTasks(tasks) {
      const scheduled: TaskSummary[] = [];
      for (const t of tasks) if (t.status === 'SCHEDULED') scheduled.push(t);
      scheduled.sort((a, b) => Date.parse(a.runAt ?? '') - Date.parse(b.runAt ?? ''));
      upcoming = scheduled.slice(0, UPCOMING);
      render();
    },
  };
}
