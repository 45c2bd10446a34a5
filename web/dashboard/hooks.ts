/**
 * The dashboard's test hooks (`window.__dashboard`), in a module of its own with no DOM types so
 * the browser tests (compiled without the DOM library) import the same contract the page fills.
 */
export type ConnectionState = 'connecting' | 'live' | 'reconnecting';

export interface DashboardHooks {
  /** The selected project's tasks are loaded, laid out, drawn, and its deadlocks marked. */
  ready: boolean;
  projectId: string | null;
  /** Tasks drawn in the graph. */
  nodeCount: number;
  /** Tasks known (drawn or waiting for the next layout). */
  taskCount: number;
  /** Duration of the last ELK layout (worker round trip), and of drawing it. */
  layoutMs: number | null;
  renderMs: number | null;
  layouts: number;
  /** Cursor of the last `taskStatusChanged` event applied; sent as `afterCursor` on reconnect. */
  lastCursor: string | null;
  eventsApplied: number;
  reconnects: number;
  connection: ConnectionState;
  error: string | null;
  /** 'focused': a large project shows its frontier (focus.ts); 'full': every task. */
  mode: 'full' | 'focused';
}
