import { defineConfig, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { Project } from './entities/project.entity';
import { Task } from './entities/task.entity';
import { TaskDependency } from './entities/task-dependency.entity';
import { TaskEvent } from './entities/task-event.entity';
import { migrationsList } from './migrations';

export const entities = [Project, Task, TaskDependency, TaskEvent];

/**
 * Set on each pooled connection when it opens. `plan_cache_mode = force_generic_plan` only touches
 * named prepared statements (the hot claim, completion, heartbeat and event statements, see
 * preparedSql): PostgreSQL otherwise keeps re-planning them with their parameter values whenever
 * its estimate of the generic plan looks no better, and the claim's and completion's CTEs cost
 * more to plan than to run (a claim + completion loop on one connection: 23-28% less PostgreSQL
 * CPU per task with generic plans). Their plans do not depend on the values: the claim walks the
 * project's slice of task_claim_idx, the others look rows up by primary key. Statements sent
 * through knex are unnamed and planned per call as before. Not set behind a transaction-mode
 * pooler, where statements run unnamed and a session setting would stick to whichever server
 * connection the pooler lent.
 */
const SESSION_SETTINGS = 'set plan_cache_mode = force_generic_plan';

export function ormConfig(options: { clientUrl: string; poolSize?: number; debug?: boolean; genericPlans?: boolean }) {
  return defineConfig({
    driver: PostgreSqlDriver,
    clientUrl: options.clientUrl,
    entities,
    extensions: [Migrator],
    // Explicit types on every property: no reflection of TS types needed at run time.
    discovery: { warnWhenNoEntities: true },
    pool: {
      min: 0,
      max: options.poolSize ?? 10,
      ...(options.genericPlans === false
        ? {}
        : { afterCreate: (connection: { query: (sql: string, done: (e?: Error) => void) => void }, done: (e: Error | undefined, c: unknown) => void) => connection.query(SESSION_SETTINGS, (e) => done(e, connection)) }),
    },
    debug: options.debug ?? false,
    // Tests and the server never auto-sync the schema: migrations are the only source.
    migrations: { migrationsList, snapshot: false, transactional: true, allOrNothing: true, silent: true },
    allowGlobalContext: false,
  });
}
