/** The operations panel's test hooks (`window.__operations`); no DOM types, so tests import the same contract. */
export interface OperationsHooks {
  refreshes: number;
  /** Time from the first request of a refresh to everything drawn, ms. */
  lastRefreshMs: number | null;
  projectId: string | null;
  error: string | null;
  /** The values last drawn: per-minute sums over the window, and the latest depth point. */
  totals: { claimed: number; completed: number; failed: number } | null;
  depth: Record<string, number> | null;
  leases: number;
  ready: boolean | null;
}

