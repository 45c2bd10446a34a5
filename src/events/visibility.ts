/**
 * What a subscriber is allowed to see, as a string: subscriptions share one execution and one
 * serialised message per event only when their document, variables AND this key are equal, so two
 * subscribers with different rights never receive each other's result.
 *
 * Today every connection sees everything ('all'). Access control returns the principal's scope
 * here (for instance its role and projectId, 'all' for a global admin): the result of a
 * subscription must depend on nothing else of the connection.
 */
export function visibilityKey(_context: unknown): string {
  return 'all';
}
