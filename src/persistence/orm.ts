import { MikroORM } from '@mikro-orm/postgresql';
import { ormConfig } from './orm-config';

/** Connects and applies every pending migration (the server runs them itself at start). */
export async function openOrm(options: { clientUrl: string; poolSize?: number; debug?: boolean; migrate?: boolean; genericPlans?: boolean }): Promise<MikroORM> {
  const orm = await MikroORM.init(ormConfig(options));
  if (options.migrate !== false) await orm.getMigrator().up();
  return orm;
}
