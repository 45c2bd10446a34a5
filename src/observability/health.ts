import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { migrationsList } from '../persistence/migrations';
import { APPLIED_MIGRATIONS_SQL, PING_SQL } from '../persistence/sql/health.sql';
import { sql } from '../persistence/sql/run';

export interface CheckResult {
  ok: boolean;
  detail?: string;
}

export interface Readiness {
  ok: boolean;
  /** Names of the failing checks (empty when ready). */
  failing: string[];
  checks: Record<string, CheckResult>;
}

/** How long the database has to answer before the instance counts as not ready. */
export const DATABASE_CHECK_TIMEOUT_MS = 1_000;

/**
 * GET /readyz: ready only when the database answers within 1 s, every migration this build
 * knows is applied, the LISTEN connection (cross-instance events) is up, and the server is not
 * shutting down. /livez checks none of this: a database outage must not get every instance
 * restarted.
 */
export class Health {
  private shuttingDown = false;
  private migrationsCurrent = false;

  /** `listening`: whether the LISTEN connection is up; null when this instance runs without one (behind a transaction pooler with no direct URL, it polls the event log instead). */
  constructor(private readonly orm: MikroORM, private readonly listening: () => boolean | null) {}

  /** From now on /readyz fails with `shutdown` (the first step of a graceful stop). */
  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  async readiness(): Promise<Readiness> {
    const [database, migrations] = await Promise.all([this.checkDatabase(), this.checkMigrations()]);
    const checks: Record<string, CheckResult> = {
      database,
      migrations,
      listen: this.listenCheck(),
      shutdown: this.shuttingDown ? { ok: false, detail: 'shutting down' } : { ok: true },
    };
    const failing = Object.entries(checks).filter(([, c]) => !c.ok).map(([name]) => name);
    return { ok: failing.length === 0, failing, checks };
  }

  private listenCheck(): CheckResult {
    const up = this.listening();
    if (up === null) return { ok: true, detail: 'no LISTEN connection configured: the event log is polled' };
    return up ? { ok: true } : { ok: false, detail: 'the LISTEN connection is down (reconnecting)' };
  }

  private async checkDatabase(): Promise<CheckResult> {
    try {
      await withTimeout(sql(this.orm.em.fork() as EntityManager, PING_SQL), DATABASE_CHECK_TIMEOUT_MS, `no answer within ${DATABASE_CHECK_TIMEOUT_MS} ms`);
      return { ok: true };
    } catch (e) {
      return { ok: false, detail: `database unreachable: ${(e as Error).message}` };
    }
  }

  /** Once current, always current for this process (migrations are never un-applied under it). */
  private async checkMigrations(): Promise<CheckResult> {
    if (this.migrationsCurrent) return { ok: true };
    try {
      const rows = await withTimeout(sql<{ name: string }>(this.orm.em.fork() as EntityManager, APPLIED_MIGRATIONS_SQL), DATABASE_CHECK_TIMEOUT_MS, 'no answer');
      const applied = new Set(rows.map((r) => r.name.replace(/\.[jt]s$/, '')));
      const pending = migrationsList.map((m) => m.name).filter((n) => !applied.has(n));
      if (pending.length > 0) return { ok: false, detail: `pending migrations: ${pending.join(', ')}` };
      this.migrationsCurrent = true;
      return { ok: true };
    } catch (e) {
      return { ok: false, detail: `cannot read the migrations table: ${(e as Error).message}` };
    }
  }
}

function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)));
  work.catch(() => {}); // a late failure after the timeout is not unhandled
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
