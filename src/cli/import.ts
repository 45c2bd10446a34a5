import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CliError, client, EXIT_USAGE, globals, parseInteger, print } from './context';
import { chunkInputs, ImportFileError, normaliseRows, orderRows, readRecords } from './import-rows';

export function importCommand(program: Command): void {
  program
    .command('import')
    .description('create tasks from a CSV, JSON(L) or YAML file (rows with key / dependencyKeys); validated whole first; re-running creates nothing twice')
    .argument('<file>')
    .requiredOption('-p, --project <id>', 'project id')
    .option('--chunk <n>', 'tasks per createTasks call (default 1000)', parseInteger('--chunk', 1, 1000), 1000)
    .option('--dry-run', 'validate only')
    .action(async (file: string, o: { project: string; chunk: number; dryRun?: boolean }, cmd: Command) => {
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
      const idsByKey = new Map<string, string>();
      const bar = progressBar(order.length, globals(cmd).output === 'table');
      let created = 0;
      for (let start = 0; start < order.length; start += o.chunk) {
        const { inputs, rows } = chunkInputs(order, o.project, o.chunk, idsByKey, start);
        const tasks = await api.createTasks(inputs as never, 'id createdAt');
        tasks.forEach((t, i) => {
          const key = rows[i]!.key;
          if (key !== null) idsByKey.set(key, t.id);
          if (t.createdAt && Date.parse(t.createdAt) >= startedAt - 5_000) created++;
        });
        bar(start + rows.length);
      }
      bar.done();
      const seconds = (Date.now() - startedAt) / 1000;
      print(cmd, { file, rows: order.length, created, existing: order.length - created, seconds: Math.round(seconds * 10) / 10 }, ['file', 'rows', 'created', 'existing', 'seconds']);
    });
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
