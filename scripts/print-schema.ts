// Writes the GraphQL schema generated from the code (type-graphql) to stdout: `npm run schema`.
import 'reflect-metadata';
import { printAppSchema } from '../src/graphql/schema';

printAppSchema().then(
  (sdl) => process.stdout.write(sdl),
  (e) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
