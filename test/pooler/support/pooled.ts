import { inject } from 'vitest';
import type { Logger } from '../../../src/logger';
import { withDatabase } from '../../../src/persistence/database-url';
import type { TestDatabase } from '../../helpers/database';

/** The test database `db`, reached through the suite's PgBouncer (transaction mode). */
export function throughPooler(db: TestDatabase): string {
  return withDatabase(inject('poolerUrl'), db.name);
}

/** A logger that keeps what the server said (to check the start-up notice and the absence of errors). */
export function recordingLogger(): Logger & { lines: Array<{ level: string; msg: string; extra?: unknown }> } {
  const lines: Array<{ level: string; msg: string; extra?: unknown }> = [];
  const keep = (level: string) => (msg: string, extra?: unknown) => lines.push({ level, msg, extra });
  return { lines, debug: () => {}, info: keep('info'), warn: keep('warn'), error: keep('error') };
}
