/** The side panel describing the selected task. Built with textContent only (no HTML injection). */
import type { TaskDetails, TaskRef, TaskSummary } from './api';

type Child = Node | string | null | undefined | false;

export function h(tag: string, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

export interface DeadlockInfo {
  inCycle: string[] | null;
  stalledReason: string | null;
  blockedBy: string[];
}

const time = (iso: string | null | undefined) => {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
};

function duration(fromIso: string | null | undefined, toIso: string | null | undefined): string | null {
  if (!fromIso) return null;
  const ms = (toIso ? Date.parse(toIso) : Date.now()) - Date.parse(fromIso);
  if (!Number.isFinite(ms) || ms < 0) return null;
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

const json = (value: unknown) => (value === null || value === undefined ? '—' : JSON.stringify(value, null, 2));

function errorText(metadata: Record<string, unknown> | null | undefined): string | null {
  const error = metadata?.error;
  if (error === undefined || error === null || error === '') return null;
  return typeof error === 'string' ? error : JSON.stringify(error, null, 2);
}

export class DetailsPanel {
  constructor(
    private readonly root: HTMLElement,
    private readonly onSelect: (id: string) => void,
  ) {
    this.showEmpty();
  }

  showEmpty(): void {
    this.root.dataset.taskId = '';
    this.root.replaceChildren(h('p', { class: 'hint' }, 'Click a task in the graph to see its details.'));
  }

  /** `details` null: only the summary is known so far (the full record is on its way). */
  show(summary: TaskSummary, details: TaskDetails | null, deadlock: DeadlockInfo, error?: string): void {
    const t = details ?? summary;
    this.root.dataset.taskId = summary.id;
    this.root.dataset.status = t.status;
    const rows: Array<[string, Child]> = [
      ['Status', h('span', { class: 'pill', 'data-status': t.status, 'data-testid': 'details-status' }, t.status)],
      ['Priority', `${t.priority} (effective ${t.effectivePriority})`],
      ['Retries', `${t.retryCount} / ${t.maxRetries}`],
      ['Assigned to', t.assignedTo ?? '—'],
    ];
    if (t.runAt) rows.push([t.status === 'SCHEDULED' ? 'Ready at' : 'Run at', h('span', { 'data-testid': 'details-run-at' }, time(t.runAt))]);
    if (details) {
      rows.push(
        ['Worker', details.workerId ?? '—'],
        ['Lease until', time(details.leaseExpiresAt)],
        ['Timeout', details.timeoutSeconds ? `${details.timeoutSeconds} s per attempt` : '—'],
        ['Created', time(details.createdAt)],
        ['Started', time(details.startedAt)],
        ['Completed', time(details.completedAt)],
        ['Updated', time(details.updatedAt)],
      );
      const ran = duration(details.startedAt, details.completedAt ?? (details.status === 'RUNNING' ? null : details.updatedAt));
      if (ran) rows.push([details.completedAt ? 'Ran for' : 'Running for', ran]);
      if (details.parentTaskId) rows.push(['Parent', this.link(details.parentTaskId, `#${details.parentTaskId}`)]);
    }

    const err = errorText(details?.metadata);
    const reason = details?.metadata?.reason;
    const parts: Child[] = [
      h('h2', { 'data-testid': 'details-title' }, t.title),
      h('p', { class: 'task-id' }, `Task #${summary.id}`),
      deadlock.inCycle
        ? h('p', { class: 'alert cycle', 'data-testid': 'details-deadlock' },
            '↻ Deadlocked: in a dependency cycle ', this.idList(deadlock.inCycle))
        : null,
      deadlock.stalledReason !== null
        ? h('p', { class: 'alert stalled', 'data-testid': 'details-stalled' },
            `⚠ Stalled: ${deadlock.stalledReason}`, deadlock.blockedBy.length ? ' — blocked by ' : '',
            deadlock.blockedBy.length ? this.idList(deadlock.blockedBy) : null)
        : null,
      error ? h('p', { class: 'alert' }, `Could not load the full record: ${error}`) : null,
      h('dl', {}, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
      details?.description ? h('section', {}, h('h3', {}, 'Description'), h('p', { class: 'description' }, details.description)) : null,
      err ? h('section', {}, h('h3', {}, 'Error'), h('pre', { class: 'error', 'data-testid': 'details-error' }, err)) : null,
      typeof reason === 'string' ? h('section', {}, h('h3', {}, 'Reason'), h('p', {}, reason)) : null,
      details ? h('section', {}, h('h3', {}, 'Result'), h('pre', { 'data-testid': 'details-result' }, json(details.result))) : null,
      this.refs('Depends on', details?.dependencyTasks, summary.dependencies),
      details ? this.refs('Needed by', details.dependents, []) : null,
      details ? h('section', {}, h('h3', {}, 'Metadata'), h('pre', { 'data-testid': 'details-metadata' }, json(details.metadata))) : null,
      details ? h('section', {}, h('h3', {}, 'Context'), h('pre', {}, json(details.context))) : null,
      details ? null : h('p', { class: 'hint' }, 'Loading…'),
    ];
    this.root.replaceChildren(...parts.filter((p): p is Node | string => p !== null && p !== undefined && p !== false));
  }

  private link(id: string, text: string): HTMLElement {
    const a = h('a', { href: `#task-${id}`, 'data-goto': id }, text);
    a.addEventListener('click', (ev) => {
      ev.preventDefault();
      this.onSelect(id);
    });
    return a;
  }

  private idList(ids: string[]): HTMLElement {
    const span = h('span', { class: 'id-list' });
    ids.forEach((id, i) => {
      if (i) span.append(' → ');
      span.append(this.link(id, `#${id}`));
    });
    return span;
  }

  private refs(title: string, refs: TaskRef[] | undefined, fallbackIds: string[]): HTMLElement | null {
    const items = refs ?? fallbackIds.map((id) => ({ id, title: '', status: null }));
    if (!items.length) return h('section', {}, h('h3', {}, title), h('p', { class: 'hint' }, 'none'));
    return h(
      'section',
      {},
      h('h3', {}, `${title} (${items.length})`),
      h(
        'ul',
        { class: 'refs' },
        ...items.map((r) =>
          h('li', {}, r.status ? h('span', { class: 'dot', 'data-status': r.status, title: r.status }) : null,
            this.link(r.id, `#${r.id}`), r.title ? ` ${r.title}` : ''),
        ),
      ),
    );
  }
}
