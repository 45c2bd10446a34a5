/**
 * The server runs in production mode unless told otherwise (NODE_ENV=development): graphql-js
 * then skips its development-only checks (every `instanceof` on a schema type also compared
 * class names, to catch two copies of graphql in one process: 5% of a 1,000-task createTasks),
 * and Express answers unknown errors without detail. Imported first by the entry point, because
 * graphql reads NODE_ENV once, when it loads. Tests import the server directly and keep the
 * checks.
 */
process.env.NODE_ENV ??= 'production';
