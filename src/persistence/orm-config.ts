import { defineConfig, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { Project } from './entities/project.entity';
import { Task } from './entities/task.entity';
import { TaskDependency } from './entities/task-dependency.entity';
import { TaskEvent } from './entities/task-event.entity';
import { migrationsList } from './migrations';

export const entities = [Project, Task, TaskDependency, TaskEvent];

export function ormConfig(options: { clientUrl: string; poolSize?: number; debug?: boolean }) {
  return defineConfig({
    driver: PostgreSqlDriver,
    clientUrl: options.clientUrl,
    entities,
    extensions: [Migrator],
    // Explicit types on every property: no reflection of TS types needed at run time.
    discovery: { warnWhenNoEntities: true },
    pool: { min: 0, max: options.poolSize ?? 10 },
    debug: options.debug ?? false,
    // Tests and the server never auto-sync the schema: migrations are the only source.
    migrations: { migrationsList, snapshot: false, transactional: true, allOrNothing: true, silent: true },
    allowGlobalContext: false,
  });
}
