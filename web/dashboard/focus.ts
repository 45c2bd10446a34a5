/**
 * Large projects (more than LARGE_PROJECT_TASKS tasks) open in a focused view: the status counts
 * come from one grouped query (`taskCounts`), and the graph shows the frontier
 * (`dependencyFrontier`: tasks RUNNING, FAILED, RETRYING, READY or BLOCKED, most urgent first,
 * with their immediate dependencies and dependents) rather than every task. Laying out 10,000
 * boxes took ELK 17 s and gave an unreadable wall; a few hundred lay out in well under a second.
 * The whole graph stays one click away ("Show the full graph").
 */
import { graphqlRequest } from '../shared/graphql-http';
import { TASK_SUMMARY_FIELDS, type TaskSummary } from './api';
import { h } from './details';

export const LARGE_PROJECT_TASKS = 2_000;
/**
 * Core tasks asked for (their neighbours add at most twice as many): a graph of about a hundred
 * boxes is one a person reads at a legible zoom, and ELK lays it out in well under a second.
 */
export const FRONTIER_LIMIT = 50;
/** A focused graph opens at no smaller zoom than this (text stays legible), from its top left. */
export const READABLE_ZOOM = 0.75;

const COUNTS = `query DashboardTaskCounts($projectId: ID!) { taskCounts(projectId: $projectId) { status count } }`;
const FRONTIER = `
  query DashboardFrontier($projectId: ID!, $limit: Int!) {
    dependencyFrontier(projectId: $projectId, limit: $limit) {
      coreIds coreTotal truncated
      tasks { ${TASK_SUMMARY_FIELDS} }
    }
  }`;

export interface Frontier {
  tasks: TaskSummary[];
  coreIds: string[];
  coreTotal: number;
  truncated: boolean;
}

export async function fetchTaskCounts(projectId: string, signal?: AbortSignal): Promise<Map<string, number>> {
  const data = await graphqlRequest<{ taskCounts: { status: string; count: number }[] }>(COUNTS, { projectId }, signal);
  return new Map(data.taskCounts.map((c) => [c.status, c.count]));
}

export async function fetchFrontier(projectId: string, signal?: AbortSignal): Promise<Frontier> {
  return (await graphqlRequest<{ dependencyFrontier: Frontier }>(FRONTIER, { projectId, limit: FRONTIER_LIMIT }, signal)).dependencyFrontier;
}

/** The banner over a focused graph: what is shown, and the way to the whole graph. */
export class FocusBanner {
  private readonly el: HTMLElement;
  private readonly text: HTMLElement;

  constructor(host: HTMLElement, onShowAll: () => void) {
    this.text = h('span', { 'data-testid': 'focus-text' });
    const button = h('button', { type: 'button', 'data-testid': 'show-full-graph' }, 'Show the full graph');
    button.addEventListener('click', onShowAll);
    this.el = h('div', { class: 'focus-banner', 'data-testid': 'focus-banner', hidden: '' }, this.text, button);
    host.append(this.el);
  }

  show(drawn: number, total: number, frontier: Pick<Frontier, 'coreTotal' | 'truncated'>): void {
    const fmt = new Intl.NumberFormat('en');
    const more = frontier.truncated ? ` (${fmt.format(frontier.coreTotal)} in flight or in trouble; the most urgent shown)` : '';
    this.text.textContent = `Focused view of a large project: ${fmt.format(drawn)} of ${fmt.format(total)} tasks, those running, ready, failed, retrying or blocked and their immediate neighbours${more}. `;
    this.el.hidden = false;
  }

  hide(): void {
    this.el.hidden = true;
  }
}
