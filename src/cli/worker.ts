import type { Command } from 'commander';
import path from 'node:path';
import { createWorker, Handler } from '../../client/src';
import { CliError, EXIT_USAGE, globals, parseInteger } from './context';

/**
 * taskq worker: runs a handler module with the client package's createWorker. The module
 * exports the handler as `default`, `handler`, or is the function itself (module.exports = fn).
 */
export function workerCommand(program: Command): void {
  program
    .command('worker')
    .description('run a worker: claims tasks of a project and runs the handler module on each (SIGTERM: graceful stop)')
    .argument('<handler>', 'a JavaScript module exporting async (task, ctx) => result')
    .requiredOption('-p, --project <id>', 'project id')
    .option('-c, --concurrency <n>', 'handlers at once (default 1)', parseInteger('--concurrency', 1, 1000), 1)
    .option('--assigned-to <kind>', 'claim only tasks assigned to this kind of worker')
    .option('--worker-id <id>', 'default: host-pid-random')
    .option('--lease-seconds <n>', 'lease length (default 30)', parseInteger('--lease-seconds', 1))
    .option('--grace-ms <n>', 'on SIGTERM, how long running handlers may finish (default 25000)', parseInteger('--grace-ms', 0))
    .action(async (file: string, o: { project: string; concurrency: number; assignedTo?: string; workerId?: string; leaseSeconds?: number; graceMs?: number }, cmd: Command) => {
      const g = globals(cmd);
      const handler = loadHandler(file);
      const worker = createWorker({
        url: g.url,
        token: g.token,
        projectId: o.project,
        handler,
        concurrency: o.concurrency,
        assignedTo: o.assignedTo,
        workerId: o.workerId,
        leaseSeconds: o.leaseSeconds,
        shutdownGraceMs: o.graceMs,
        handleSignals: true,
      });
      const log = (event: string, fields: Record<string, unknown>) => {
        if (g.output === 'json') process.stderr.write(JSON.stringify({ at: new Date().toISOString(), event, ...fields }) + '\n');
        else process.stderr.write(`${new Date().toISOString()}  ${event.padEnd(10)} ${Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ')}\n`);
      };
      log('started', { workerId: worker.workerId, project: o.project, concurrency: o.concurrency });
      worker.on('claimed', (t) => log('claimed', { task: t.id, attempt: t.attempt, title: t.title }));
      worker.on('completed', (t) => log('completed', { task: t.id }));
      worker.on('failed', (t, error) => log('failed', { task: t.id, error }));
      worker.on('leaseLost', (t, reason) => log('leaseLost', { task: t.id, reason: reason instanceof Error ? reason.message : String(reason) }));
      worker.on('timedOut', (t, reason) => log('timedOut', { task: t.id, reason: reason instanceof Error ? reason.message : String(reason) }));
      worker.on('reconnected', () => log('reconnected', {}));
      worker.on('error', (e) => log('error', { message: e instanceof Error ? e.message : String(e) }));
      await worker.closed;
      log('closed', worker.stats() as unknown as Record<string, unknown>);
    });
}

function loadHandler(file: string): Handler {
  const full = path.resolve(file);
  let mod: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(full);
  } catch (e) {
    throw new CliError(`cannot load handler ${file}: ${(e as Error).message}`, EXIT_USAGE);
  }
  const m = mod as { default?: unknown; handler?: unknown };
  const fn = typeof mod === 'function' ? mod : typeof m.default === 'function' ? m.default : m.handler;
  if (typeof fn !== 'function') throw new CliError(`${file} exports no handler function (module.exports = async (task, ctx) => …, or exports.handler / default)`, EXIT_USAGE);
  return fn as Handler;
}
