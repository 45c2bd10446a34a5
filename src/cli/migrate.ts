import type { Command } from 'commander';
import path from 'node:path';
/* eslint-disable @typescript-eslint/no-require-imports */

export function migrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations and exit (DATABASE_URL, or the embedded database)')
    .action(async () => {
      // Loaded here, not at the top: every other command starts without the ORM.
      const { loadConfig } = require('../config') as typeof import('../config');
      const { openOrm } = require('../persistence/orm') as typeof import('../persistence/orm');
      const { startEmbeddedPostgres } = require('../persistence/embedded-postgres') as typeof import('../persistence/embedded-postgres');
      const config = loadConfig();
      const embedded = config.databaseUrl === null ? await startEmbeddedPostgres({ dataDir: path.resolve(config.dataDir, 'pg'), port: config.embeddedPgPort, database: 'scheduler', log: () => {} }) : null;
      try {
        const orm = await openOrm({ clientUrl: embedded?.url ?? config.databaseUrl!, poolSize: 1, migrate: false });
        try {
          const applied = await orm.getMigrator().up();
          process.stdout.write(applied.length ? `applied ${applied.length} migration(s): ${applied.map((m) => m.name).join(', ')}\n` : 'database is up to date\n');
        } finally {
          await orm.close();
        }
      } finally {
        await embedded?.stop();
      }
    });
}
