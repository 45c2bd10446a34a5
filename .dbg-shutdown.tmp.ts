import 'reflect-metadata';
import { loadConfig } from './src/config';
import { createLogger } from './src/logger';
import { openOrm } from './src/persistence/orm';
import { startServer } from './src/server';
(async () => {
  const url = 'postgres://postgres@127.0.0.1:5432/live_scratch_w4';
  const config = { ...loadConfig({}), port: 0, logLevel: 'warn' as const };
  const orm = await openOrm({ clientUrl: url, poolSize: 5 });
  const s = await startServer({ config, orm, databaseUrl: url, logger: createLogger('warn') });
  await new Promise((r) => setTimeout(r, 3000));
  const t = Date.now();
  const step = async (n: string, p: Promise<unknown>) => { await p; console.log(n, Date.now() - t); };
  setInterval(() => console.log('waiting', Date.now() - t), 2000).unref();
  await step('server.close', s.close());
  await step('orm', orm.close());
})();
