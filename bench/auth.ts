import { randomBytes } from 'node:crypto';

/**
 * The server under benchmark runs with access control on, as users run it: ADMIN_TOKEN is this
 * run's random admin token and every bench client sends it (a global admin: no project-scope
 * lookups, the same statements as before access control; the token check is a cached hash).
 */
export const BENCH_ADMIN_TOKEN = `bench-${randomBytes(24).toString('hex')}`;
export const BENCH_AUTHORIZATION = `Bearer ${BENCH_ADMIN_TOKEN}`;
