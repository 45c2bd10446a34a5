// Configuration for the MikroORM CLI and tools; the server builds the same config in
// src/persistence/orm-config.ts from src/config.ts.
import 'reflect-metadata';
import { loadConfig } from './src/config';
import { ormConfig } from './src/persistence/orm-config';

const config = loadConfig();
export default ormConfig({ clientUrl: config.databaseUrl ?? `postgres://postgres:postgres@127.0.0.1:${config.embeddedPgPort}/scheduler` });
