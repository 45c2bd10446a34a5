import type { Command } from 'commander';
import { CliError, client, EXIT_USAGE, parseInteger, print } from './context';
import { watchCommand } from './watch';

const STATUSES = ['PENDING', 'READY', 'RUNNING', 'BLOCKED', 'COMPLETED', 'FAILED', 'CANCELLED', 'RETRYING', 'SCHEDULED'];
const COLUMNS = ['id', 'status', 'priority', 'title', 'attempt', 'retryCount', 'workerId', 'updatedAt'];

export function parseStatuses(value: string): string[] {
  const list = value.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
  for (const s of list) if (!STATUSES.includes(s)) throw new CliError(`unknown status ${s} (one of ${STATUSES.join(', ')})`, EXIT_USAGE);
  return list;
}

export function tasksCommand(program: Command): void {
  const tasks = program.command('tasks').description('list, inspect, cancel, retry and watch tasks');
  tasks
    .command('list')
    .description('tasks of a project, newest page first by the server order')
    .requiredOption('-p, --project <id>', 'project id')
    .option('-s, --status <list>', 'comma-separated statuses', parseStatuses)
    .option('--assigned-to <kind>')
    .option('-n, --limit <n>', 'how many (default 50)', parseInteger('--limit', 1, 1000), 50)
    .option('--after <cursor>', 'page after this cursor')
    .action(async (o: { project: string; status?: string[]; assignedTo?: string; limit: number; after?: string }, cmd: Command) => {
      const page = await client(cmd).tasks({ projectId: o.project, statuses: o.status as never, assignedTo: o.assignedTo }, { first: o.limit, after: o.after });
      print(cmd, cmdIsJson(cmd) ? page : page.tasks, COLUMNS);
      if (!cmdIsJson(cmd) && page.hasNextPage) process.stderr.write(`(${page.totalCount} in all; next page: --after ${page.endCursor})\n`);
    });
  tasks
    .command('get')
    .description('one task, every field')
    .argument('<id>')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const task = await client(cmd).task(id);
      if (!task) throw new CliError(`task ${id} not found`);
      if (cmdIsJson(cmd)) print(cmd, task);
      else for (const [k, v] of Object.entries(task)) process.stdout.write(`${k.padEnd(15)} ${v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v ?? '')}\n`);
    });
  tasks
    .command('cancel')
    .description('cancel a task (dependents become BLOCKED, or cancelled too with --cascade)')
    .argument('<id>')
    .option('-r, --reason <text>', 'why', 'cancelled from the CLI')
    .option('--cascade', 'cancel everything that waits on it too')
    .action(async (id: string, o: { reason: string; cascade?: boolean }, cmd: Command) => {
      print(cmd, await client(cmd).cancelTask(id, o.reason, o.cascade ?? false), COLUMNS);
    });
  tasks
    .command('retry')
    .description('put a FAILED or BLOCKED task back into the queue')
    .argument('<id>')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      print(cmd, await client(cmd).retryTask(id), COLUMNS);
    });
  watchCommand(tasks);
}

function cmdIsJson(cmd: Command): boolean {
  return (cmd.optsWithGlobals() as { output?: string }).output === 'json';
}
