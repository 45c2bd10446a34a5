import type { TestProject } from 'vitest/node' with { 'resolution-mode': 'import' };
import setupDatabase from '../../helpers/global-setup';
import { startPgBouncer } from '../../../bench/pgbouncer';

declare module 'vitest' {
  export interface ProvidedContext {
    /** PgBouncer (transaction mode) in front of adminUrl's server: swap the database part. */
    poolerUrl: string;
  }
}

/** The usual template database (test/helpers/global-setup.ts), then a PgBouncer in front of it. */
export default async function setup(project: TestProject) {
  const teardownDatabase = await setupDatabase(project);
  try {
    const bouncer = await startPgBouncer(project.getProvidedContext().adminUrl);
    project.provide('poolerUrl', bouncer.url);
    return async () => {
      await bouncer.stop();
      await teardownDatabase();
    };
  } catch (e) {
    await teardownDatabase();
    throw e;
  }
}
