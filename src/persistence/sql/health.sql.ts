/** Readiness (src/observability/health.ts): the cheapest statement that proves a round trip. */
export const PING_SQL = 'select 1 as ok';

/**
 * Applied migrations, compared with the list this build carries (migrations/index.ts). MikroORM
 * records each applied migration by name in this table.
 */
export const APPLIED_MIGRATIONS_SQL = 'select name from mikro_orm_migrations';
