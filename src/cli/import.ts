import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CliError, client, EXIT_USAGE, globals, parseInteger, print } from './context';
import { chunkInputs, chunkNeeds, ImportFileError, ImportRow, normaliseRows, orderRows, readRecords } from './import-rows';
import { GraphQLRequestError, type TaskqClient } from '../../client/src';

export function importCommand(program: Command): void {
  program
    .command('import')
    .description('create tasks from a CSV, JSON(L) or YAML file (rows with key / dependencyKeys); validated whole first; re-running creates nothing twice')
    .argument('<file>')
    .requiredOption('-p, --project <id>', 'project id')
    .option('--chunk <n>', 'tasks per createTasks call (default 1000)', parseInteger('--chunk', 1, 1000), 1000)
    // 4: parallel chunks that share dependencies no longer deadlock on the server (#14); on a
    // 2-core machine 8 was slower than 4 (100,000 rows: PostgreSQL's lock traffic on the shared
    // dependencies grows), 1 leaves the server idle while the CLI prepares the next chunk.
    .option('--parallel <n>', 'chunks in flight at once when their dependencies allow (default 4)', parseInteger('--parallel', 1, 16), 4)
    .option('--dry-run', 'validate only')
    .action(async (file: string, o: { project: string; chunk: number; parallel: number; dryRun?: boolean }, cmd: Command) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        throw new CliError(`cannot read ${file}: ${(e as Error).message}`, EXIT_USAGE);
      }
      const startedAt = Date.now();
      let order;
      try {
        order = orderRows(normaliseRows(readRecords(text, path.extname(file).slice(1).toLowerCase())));
      } catch (e) {
        if (e instanceof ImportFileError) throw new CliError(`${file}: ${e.message}`);
        throw e;
      }
      if (o.dryRun) return print(cmd, { file, rows: order.length, valid: true }, ['file', 'rows', 'valid']);
      const api = client(cmd);
      const before = await taskCount(api, o.project);
      const bar = progressBar(order.length, globals(cmd).output === 'table');
      await sendChunks(api, order, o.project, o.chunk, o.parallel, bar);
      bar.done();
      const created = (await taskCount(api, o.project)) - before;
      const seconds = (Date.now() - startedAt) / 1000;
      print(cmd, { file, rows: order.length, created, existing: order.length - created, seconds: Math.round(seconds * 10) / 10 }, ['file', 'rows', 'created', 'existing', 'seconds']);
    });
}

/**
 * Every row carries an idempotency key, so a chunk whose answer never came (network, a server
 * error) is safely sent again; refusals are final.
 */
async function createWithRetries(api: TaskqClient, inputs: Record<string, unknown>[]): Promise<{ id: string }[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await api.createTasks(inputs as never, 'id');
    } catch (e) {
      const code = e instanceof GraphQLRequestError ? e.code : 'NETWORK';
      if (attempt >= 4 || !['INTERNAL_SERVER_ERROR', 'NETWORK'].includes(code)) throw e;
      await new Promise((r) => setTimeout(r, 200 * 2 ** attempt * (0.5 + Math.random())));
    }
  }
}

async function taskCount(api: TaskqClient, projectId: string): Promise<number> {
  return (await api.tasks({ projectId }, { first: 1 }, 'id')).totalCount;
}

/**
 * createTasks per chunk, up to `parallel` at once: a chunk goes out once every chunk it takes
 * dependency ids from has been created (chunkNeeds). Stops at the first refusal.
 */
async function sendChunks(api: TaskqClient, order: ImportRow[], projectId: string, size: number, parallel: number, progress: (n: number) => void): Promise<void> {
  const needs = chunkNeeds(order, size);
  const chunks = needs.length;
  const idsByKey = new Map<string, string>();
  const done = new Array<boolean>(chunks).fill(false);
  let doneUpTo = -1; // every chunk up to here is created
  let next = 0;
  let sent = 0;
  const inFlight = new Set<Promise<void>>();
  let failure: unknown = null;
  while ((next < chunks || inFlight.size > 0) && failure === null) {
    while (next < chunks && inFlight.size < parallel && needs[next]! <= doneUpTo) {
      const index = next++;
      const { inputs, rows } = chunkInputs(order, projectId, size, idsByKey, index * size);
      const p: Promise<void> = createWithRetries(api, inputs).then(
        (tasks) => {
          tasks.forEach((t, i) => rows[i]!.key !== null && idsByKey.set(rows[i]!.key!, t.id));
          done[index] = true;
          while (doneUpTo + 1 < chunks && done[doneUpTo + 1]) doneUpTo++;
          sent += rows.length;
          progress(sent);
          inFlight.delete(p);
        },
        (e: unknown) => {
          failure ??= e;
          inFlight.delete(p);
        },
      );
      inFlight.add(p);
    }
    if (inFlight.size > 0) await Promise.race(inFlight);
  }
  await Promise.allSettled(inFlight);
  if (failure !== null) throw failure;
}

/** A one-line bar on stderr while a person watches (a TTY); silent otherwise. */
function progressBar(total: number, enabled: boolean): ((n: number) => void) & { done(): void } {
  const tty = enabled && process.stderr.isTTY;
  let last = 0;
  const draw = (n: number) => {
    if (!tty) return;
    const now = Date.now();
    if (n < total && now - last < 100) return;
    last = now;
    const width = 30;
    const filled = Math.round((n / total) * width);
    process.stderr.write(`\rimporting [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${n.toLocaleString('en')}/${total.toLocaleString('en')}`);
  };
  return Object.assign(draw, { done: () => tty && process.stderr.write('\n') });
}
