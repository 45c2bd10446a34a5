import { ProjectNotFoundError } from '../domain/errors';

export const ROLES = ['ADMIN', 'PRODUCER', 'WORKER', 'VIEWER'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/**
 * Who is calling, on every operation's context (`ctx.principal`). `projectId` null means global
 * (only an ADMIN can be global); otherwise everything outside that project does not exist for
 * this caller. `tokenId` is null for the ADMIN_TOKEN of the environment and for AUTH_MODE=off.
 */
export interface Principal {
  role: Role;
  projectId: string | null;
  tokenId: string | null;
  tokenName: string | null;
  expiresAt: Date | null;
}

export function globalAdmin(tokenName: string): Principal {
  return { role: 'ADMIN', projectId: null, tokenId: null, tokenName, expiresAt: null };
}

/** True when the caller may see `projectId` (a global admin sees every project). */
export function canSeeProject(principal: Principal, projectId: string): boolean {
  return principal.projectId === null || principal.projectId === projectId;
}

/**
 * For use cases and resolvers that find a project id themselves: outside the caller's project
 * the project does not exist (PROJECT_NOT_FOUND, never "forbidden", so ids cannot be probed).
 */
export function assertProjectVisible(principal: Principal, projectId: string): void {
  if (!canSeeProject(principal, projectId)) throw new ProjectNotFoundError(projectId);
}

/**
 * What a caller's subscriptions may receive, as a value fan-out can key on: '*' (everything) or
 * one project id.
 */
export function visibilityOf(principal: Principal): string {
  return principal.projectId ?? '*';
}

/**
 * The token a WORKER's lease-guarded writes must have claimed with (null: no guard, the caller
 * may act on any lease it can see). Pass it to the guarded statements (claim, heartbeat,
 * complete, fail, decompose, release, reportProgress).
 */
export function leaseGuardOf(principal: Principal | undefined): LeaseGuard | null {
  if (!principal || principal.role !== 'WORKER') return null;
  return { tokenId: principal.tokenId ?? '00000000-0000-0000-0000-000000000000', projectId: principal.projectId };
}

export interface LeaseGuard {
  tokenId: string;
  /** The worker's project: a task elsewhere is TASK_NOT_FOUND rather than LEASE_NOT_HELD. */
  projectId: string | null;
}
