import { defaultFieldResolver, GraphQLField, GraphQLObjectType, GraphQLSchema } from 'graphql';
import type { EntityManager } from '@mikro-orm/postgresql';
import { LeaseNotHeldError, ProjectNotFoundError, TaskNotFoundError } from '../domain/errors';
import { sql } from '../persistence/sql/run';
import { ForbiddenError, UnauthenticatedError } from './errors';
import { Permission, permissionFor, RootType, ScopeRule } from './permissions';
import type { Principal } from './principal';

/** What the guard needs from an operation's context. */
interface GuardContext {
  principal?: Principal;
  statementEm: EntityManager;
}

const HIDDEN = Symbol('hidden');
type GuardResult = undefined | typeof HIDDEN | Promise<undefined | typeof HIDDEN>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Wraps every root field's resolver (and subscribe) in the check its permissions.ts entry
 * describes: role first (FORBIDDEN), then project scope (not found). Runs before the resolver,
 * so a refused call changes nothing. Nested fields are not wrapped: everything reachable from
 * a visible task or project is in the same project (dependencies, parents and children never
 * cross projects), and the DataLoaders filter by the caller's project as well.
 *
 * Cost for a global admin or a WORKER on its hot paths: a role check and a string compare.
 */
export function enforcePermissions(schema: GraphQLSchema): void {
  const roots: [RootType, GraphQLObjectType | null | undefined][] = [
    ['Query', schema.getQueryType()],
    ['Mutation', schema.getMutationType()],
    ['Subscription', schema.getSubscriptionType()],
  ];
  for (const [root, type] of roots) {
    if (!type) continue;
    for (const field of Object.values(type.getFields()) as GraphQLField<unknown, GuardContext>[]) {
      const guard = guardFor(`${field.name}`, permissionFor(root, field.name));
      if (root === 'Subscription') {
        const subscribe = field.subscribe ?? defaultFieldResolver;
        field.subscribe = async (source, args, context, info) => {
          const verdict = await guard(args, context);
          if (verdict === HIDDEN) throw new ProjectNotFoundError(String(args.projectId));
          return subscribe(source, args, context, info);
        };
      } else {
        const resolve = field.resolve ?? defaultFieldResolver;
        field.resolve = (source, args, context, info) => {
          const verdict = guard(args, context);
          if (verdict === undefined) return resolve(source, args, context, info);
          if (verdict === HIDDEN) return null;
          return verdict.then((v) => (v === HIDDEN ? null : resolve(source, args, context, info)));
        };
      }
    }
  }
}

function guardFor(field: string, permission: Permission | undefined): (args: Record<string, any>, ctx: GuardContext) => GuardResult {
  return (args, ctx) => {
    const principal = ctx.principal;
    if (!principal) throw new UnauthenticatedError('No API token: send "Authorization: Bearer <token>"', 'missing');
    // Fail closed: an operation nobody wrote a permission for is refused to everyone.
    if (!permission) throw new ForbiddenError(field, principal.role, []);
    if (!permission.roles.includes(principal.role)) throw new ForbiddenError(field, principal.role, permission.roles);
    if (principal.projectId === null) return undefined;
    if (permission.globalOnly) throw new ForbiddenError(field, `${principal.role} (project-scoped)`, ['ADMIN (global)']);
    return checkScope(permission, args, ctx.statementEm, principal);
  };
}

function checkScope(permission: Permission, args: Record<string, any>, em: EntityManager, principal: Principal): GuardResult {
  const own = principal.projectId!;
  const lookups: Promise<undefined | typeof HIDDEN>[] = [];
  for (const rule of permission.scope) {
    switch (rule.kind) {
      case 'own':
        break;
      case 'project':
      case 'optionalProject': {
        const values = valuesAt(args, rule.path);
        if (values.length === 0 && rule.kind === 'optionalProject') setAt(args, rule.path, own);
        for (const value of values) {
          if (value === undefined || value === null) {
            if (rule.kind === 'optionalProject') setAt(args, rule.path, own);
            continue;
          }
          if (String(value) !== own) {
            if (permission.hiddenIsNull) return HIDDEN;
            throw new ProjectNotFoundError(String(value));
          }
        }
        break;
      }
      case 'lease':
        if (principal.role === 'WORKER') {
          if (rule.inSql) break; // the use case's guarded statement checks claimed_by_token_id
          lookups.push(checkLease(em, ids(args, rule), principal, args.workerId));
          break;
        }
        lookups.push(checkTasks(em, ids(args, rule), own, permission));
        break;
      case 'task':
        lookups.push(checkTasks(em, ids(args, rule), own, permission));
        break;
      case 'schedule':
        lookups.push(checkRows(em, 'schedule', ids(args, rule), own).then((bad) => {
          if (bad) throw new ProjectNotFoundError(bad);
          return undefined;
        }));
        break;
    }
  }
  if (lookups.length === 0) return undefined;
  return Promise.all(lookups).then((verdicts) => (verdicts.includes(HIDDEN) ? HIDDEN : undefined));
}

function ids(args: Record<string, any>, rule: { path: string }): string[] {
  return valuesAt(args, rule.path)
    .filter((v) => v !== null && v !== undefined)
    .map(String)
    .filter((v) => UUID.test(v)); // malformed ids are the resolver's BAD_USER_INPUT
}

async function checkTasks(em: EntityManager, taskIds: string[], own: string, permission: Permission): Promise<undefined | typeof HIDDEN> {
  const bad = await checkRows(em, 'task', taskIds, own);
  if (bad === null) return undefined;
  if (permission.hiddenIsNull) return HIDDEN;
  throw new TaskNotFoundError(bad);
}

/** The first id found in another project (ids not found at all are left to the resolver). */
async function checkRows(em: EntityManager, table: 'task' | 'schedule', rowIds: string[], own: string): Promise<string | null> {
  if (rowIds.length === 0) return null;
  const rows = await sql<{ id: string; project_id: string }>(em, `select id::text, project_id::text from ${table} where id = any(?::uuid[])`, [rowIds]);
  return rows.find((r) => r.project_id !== own)?.id ?? null;
}

async function checkLease(em: EntityManager, taskIds: string[], principal: Principal, workerId: unknown): Promise<undefined> {
  if (taskIds.length === 0) return undefined;
  const rows = await sql<{ id: string; project_id: string; claimed_by_token_id: string | null }>(
    em,
    'select id::text, project_id::text, claimed_by_token_id::text from task where id = any(?::uuid[])',
    [taskIds],
  );
  for (const row of rows) {
    if (row.project_id !== principal.projectId) throw new TaskNotFoundError(row.id);
    if (row.claimed_by_token_id !== principal.tokenId) throw new LeaseNotHeldError(row.id, typeof workerId === 'string' ? workerId : '');
  }
  return undefined;
}

/** Values at a dotted path; `name[]` steps into every element of a list. */
export function valuesAt(value: unknown, path: string): unknown[] {
  let current: unknown[] = [value];
  for (const step of path.split('.')) {
    const list = step.endsWith('[]');
    const key = list ? step.slice(0, -2) : step;
    const next: unknown[] = [];
    for (const v of current) {
      if (v === null || typeof v !== 'object') continue;
      const child = (v as Record<string, unknown>)[key];
      if (list) {
        if (Array.isArray(child)) next.push(...child);
      } else next.push(child);
    }
    current = next;
  }
  return current;
}

/** Sets a dotted path (no lists), creating objects on the way: fills in the caller's project. */
function setAt(target: Record<string, any>, path: string, value: unknown): void {
  const steps = path.split('.');
  let current = target;
  for (const step of steps.slice(0, -1)) {
    if (current[step] === null || current[step] === undefined || typeof current[step] !== 'object') current[step] = {};
    current = current[step];
  }
  current[steps[steps.length - 1]!] = value;
}
