/**
 * The flow-control panel (issue #16), in the sidebar: pause / resume the project (kept live by
 * the `projectChanged` subscription), cancel or retry the filtered set of its tasks (a dry run
 * shows the count first, then the operator confirms), and its concurrency limits (what runs and
 * waits under each; set, change, remove).
 *
 * Self-contained: main.ts mounts it and tells it nothing else; it follows the project on screen
 * through `projectId()` (checked on every refresh and when the project picker changes).
 * Test hooks: the data-testid attributes below; `data-live-events` on the section counts the
 * projectChanged events received.
 */
import type { Client } from 'graphql-ws';
import { h } from '../details';
import { STATUSES } from '../status';
import './flow-control.css';
import { bulkAction, fetchFlowState, PROJECT_CHANGED_SUBSCRIPTION, setLimit, setPaused, type BulkFilter, type ConcurrencyLimit, type ProjectState } from './flow-control-api';

const REFRESH_MS = 2_000;

export interface FlowControlOptions {
  /** The graphql-ws client the dashboard already has (one socket for everything). */
  client: Client;
  /** The project on screen, or null while none is open. */
  projectId: () => string | null;
}

export function mountFlowControlPanel(sidebar: HTMLElement, options: FlowControlOptions): { refresh(): Promise<void> } {
  const pauseState = h('span', { 'data-testid': 'project-paused', class: 'flow-state' }, '—');
  const pauseButton = h('button', { type: 'button', 'data-testid': 'pause-toggle', disabled: '' }, 'Pause') as HTMLButtonElement;

  const statusBoxes = STATUSES.map((s) => {
    const box = h('input', { type: 'checkbox', value: s, 'data-testid': `bulk-status-${s}` }) as HTMLInputElement;
    return { status: s, box, label: h('label', { class: 'flow-check' }, box, s.toLowerCase()) };
  });
  const assignedTo = h('input', { type: 'text', placeholder: 'assignedTo (optional)', 'data-testid': 'bulk-assigned-to' }) as HTMLInputElement;
  const reason = h('input', { type: 'text', placeholder: 'reason for cancelling', value: 'cancelled from the dashboard', 'data-testid': 'bulk-reason' }) as HTMLInputElement;
  const cancelButton = h('button', { type: 'button', 'data-testid': 'bulk-cancel' }, 'Cancel matching…') as HTMLButtonElement;
  const retryButton = h('button', { type: 'button', 'data-testid': 'bulk-retry' }, 'Retry matching…') as HTMLButtonElement;
  const preview = h('p', { 'data-testid': 'bulk-preview', class: 'flow-preview', hidden: '' });
  const confirmButton = h('button', { type: 'button', 'data-testid': 'bulk-confirm', class: 'danger', hidden: '' }, 'Confirm') as HTMLButtonElement;
  const backButton = h('button', { type: 'button', 'data-testid': 'bulk-back', hidden: '' }, 'Back') as HTMLButtonElement;
  const bulkResult = h('p', { 'data-testid': 'bulk-result', class: 'flow-result', 'aria-live': 'polite' });

  const limitsBody = h('tbody', { 'data-testid': 'limits-body' });
  const limitKey = h('input', { type: 'text', placeholder: 'concurrency key', 'data-testid': 'limit-key', required: '' }) as HTMLInputElement;
  const limitValue = h('input', { type: 'number', min: '0', step: '1', placeholder: 'limit', 'data-testid': 'limit-value', required: '' }) as HTMLInputElement;
  const limitForm = h('form', { class: 'flow-limit-form', 'data-testid': 'limit-form' }, limitKey, limitValue, h('button', { type: 'submit', 'data-testid': 'limit-set' }, 'Set')) as HTMLFormElement;
  const error = h('p', { class: 'flow-error', 'data-testid': 'flow-error', hidden: '' });

  const section = h(
    'section',
    { class: 'flow-control', 'data-testid': 'flow-control', 'aria-label': 'Flow control' },
    h('h2', {}, 'Flow control'),
    h('div', { class: 'flow-row' }, 'Claims: ', pauseState, ' ', pauseButton),
    h(
      'details',
      { class: 'flow-bulk' },
      h('summary', {}, 'Bulk cancel / retry'),
      h('div', { class: 'flow-checks' }, ...statusBoxes.map((s) => s.label)),
      h('div', { class: 'flow-row' }, assignedTo),
      h('div', { class: 'flow-row' }, reason),
      h('div', { class: 'flow-row' }, cancelButton, ' ', retryButton),
      preview,
      h('div', { class: 'flow-row' }, confirmButton, ' ', backButton),
      bulkResult,
    ),
    h(
      'details',
      { class: 'flow-limits', open: '' },
      h('summary', {}, 'Concurrency limits'),
      h('table', { 'data-testid': 'limits-table' }, h('thead', {}, h('tr', {}, h('th', {}, 'key'), h('th', {}, 'limit'), h('th', {}, 'running'), h('th', {}, 'waiting'), h('th', {}, ''))), limitsBody),
      limitForm,
    ),
    error,
  );
  const details = sidebar.querySelector('.details');
  sidebar.insertBefore(section, details);

  let projectId: string | null = null;
  let unsubscribe: (() => void) | null = null;
  let pending: { action: 'cancel' | 'retry'; filter: BulkFilter; reason: string } | null = null;
  let refreshing: Promise<void> | null = null;

  const showError = (e: unknown) => {
    error.hidden = false;
    error.textContent = (e as Error).message ?? String(e);
  };
  const clearError = () => {
    error.hidden = true;
    error.textContent = '';
  };

  function renderProject(p: ProjectState | null): void {
    pauseButton.disabled = p === null;
    pauseState.textContent = p === null ? '—' : p.paused ? 'paused' : 'running';
    pauseState.dataset.paused = String(p?.paused ?? false);
    pauseButton.textContent = p?.paused ? 'Resume' : 'Pause';
  }

  function renderLimits(limits: ConcurrencyLimit[]): void {
    limitsBody.replaceChildren(
      ...limits.map((l) => {
        const remove = h('button', { type: 'button', title: `Remove the limit on ${l.key}`, 'data-testid': `limit-remove-${l.key}` }, '×');
        remove.addEventListener('click', () => void run(() => setLimit(projectId!, l.key, null)));
        return h('tr', { 'data-limit-key': l.key }, h('td', {}, l.key), h('td', { 'data-field': 'limit' }, String(l.limit)), h('td', { 'data-field': 'running' }, String(l.running)), h('td', { 'data-field': 'waiting' }, String(l.waiting)), h('td', {}, remove));
      }),
    );
  }

  /** Switches to the project on screen when it changed: new subscription, fresh state. */
  function follow(): void {
    const wanted = options.projectId();
    if (wanted === projectId) return;
    projectId = wanted;
    unsubscribe?.();
    unsubscribe = null;
    resetBulk();
    bulkResult.textContent = '';
    renderProject(null);
    renderLimits([]);
    if (projectId === null) return;
    const forProject = projectId;
    unsubscribe = options.client.subscribe<{ projectChanged: ProjectState }>(
      { query: PROJECT_CHANGED_SUBSCRIPTION, variables: { p: forProject } },
      {
        next: (r) => {
          if (!r.data?.projectChanged || projectId !== forProject) return;
          section.dataset.liveEvents = String(Number(section.dataset.liveEvents ?? 0) + 1);
          renderProject(r.data.projectChanged);
        },
        error: () => {},
        complete: () => {},
      },
    );
  }

  async function refresh(): Promise<void> {
    follow();
    if (projectId === null) return;
    const forProject = projectId;
    refreshing ??= fetchFlowState(forProject)
      .then((state) => {
        if (projectId !== forProject) return;
        renderProject(state.project);
        renderLimits(state.limits);
      })
      .catch(showError)
      .finally(() => (refreshing = null));
    await refreshing;
  }

  async function run(work: () => Promise<unknown>): Promise<void> {
    clearError();
    try {
      await work();
    } catch (e) {
      showError(e);
    }
    await refresh();
  }

  function filter(): BulkFilter {
    const statuses = statusBoxes.filter((s) => s.box.checked).map((s) => s.status);
    const f: BulkFilter = { projectId: projectId! };
    if (statuses.length) f.statuses = statuses;
    if (assignedTo.value.trim()) f.assignedTo = assignedTo.value.trim();
    return f;
  }

  function resetBulk(): void {
    pending = null;
    preview.hidden = confirmButton.hidden = backButton.hidden = true;
    cancelButton.disabled = retryButton.disabled = false;
  }

  /** Step 1: a dry run, its count shown; step 2 (confirm) does it. */
  async function ask(action: 'cancel' | 'retry'): Promise<void> {
    if (projectId === null) return;
    clearError();
    bulkResult.textContent = '';
    const f = filter();
    const why = reason.value.trim() || 'cancelled from the dashboard';
    try {
      const r = await bulkAction(action, f, true, why);
      pending = { action, filter: f, reason: why };
      preview.textContent =
        r.changed === 0
          ? `${r.matched} tasks match; none can be ${action === 'cancel' ? 'cancelled' : 'retried'}.`
          : `${r.matched} tasks match; ${r.changed} will be ${action === 'cancel' ? 'cancelled' : 'retried'}${action === 'cancel' ? ' (their dependents blocked)' : ''}.`;
      preview.dataset.changed = String(r.changed);
      preview.hidden = backButton.hidden = false;
      confirmButton.hidden = r.changed === 0;
      confirmButton.textContent = `${action === 'cancel' ? 'Cancel' : 'Retry'} ${r.changed} tasks`;
      cancelButton.disabled = retryButton.disabled = true;
    } catch (e) {
      showError(e);
    }
  }

  async function confirm(): Promise<void> {
    if (!pending) return;
    const { action, filter: f, reason: why } = pending;
    confirmButton.disabled = true;
    try {
      const r = await bulkAction(action, f, false, why);
      bulkResult.textContent = `${action === 'cancel' ? 'Cancelled' : 'Retried'}: ${r.changed} changed of ${r.matched} matching.`;
      bulkResult.dataset.changed = String(r.changed);
    } catch (e) {
      showError(e);
    } finally {
      confirmButton.disabled = false;
      resetBulk();
      await refresh();
    }
  }

  pauseButton.addEventListener('click', () => {
    const paused = pauseState.dataset.paused === 'true';
    void run(async () => renderProject(await setPaused(projectId!, !paused)));
  });
  cancelButton.addEventListener('click', () => void ask('cancel'));
  retryButton.addEventListener('click', () => void ask('retry'));
  confirmButton.addEventListener('click', () => void confirm());
  backButton.addEventListener('click', resetBulk);
  limitForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (projectId === null) return;
    const key = limitKey.value.trim();
    const value = Number(limitValue.value);
    void run(async () => {
      await setLimit(projectId!, key, value);
      limitKey.value = limitValue.value = '';
    });
  });
  document.getElementById('project-select')?.addEventListener('change', () => setTimeout(() => void refresh(), 0));

  setInterval(() => void refresh(), REFRESH_MS);
  void refresh();
  return { refresh };
}
