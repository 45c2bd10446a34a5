import type { Principal } from '../auth/principal';

let unshared = 0;

/**
 * What a subscriber is allowed to see, as a string: subscriptions share one execution and one
 * serialised message per event only when their document, variables AND this key are equal, so two
 * subscribers with different rights never receive each other's result.
 *
 * The principal's project scope (src/auth): 'admin' for a global admin (AUTH_MODE=off included),
 * `project:<id>` for a caller bound to a project. That is everything a result depends on besides
 * the document and variables: the permission table fills in / checks the project arguments per
 * subscriber (each member's field `subscribe` runs), and the loaders a shared execution uses filter
 * by the project of the context it runs with, which is the same for every member of the group.
 * The role is not part of it: nested fields are the same for every role that may subscribe.
 * A context without a principal shares with nobody (it cannot get past the permission check anyway).
 */
export function visibilityKey(context: unknown): string {
  const principal = (context as { principal?: Principal } | null | undefined)?.principal;
  if (!principal) return `unshared:${++unshared}`;
  return principal.projectId === null ? 'admin' : `project:${principal.projectId}`;
}
