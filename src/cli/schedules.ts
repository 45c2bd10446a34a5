import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { CliError, client, EXIT_USAGE, print } from './context';

const FIELDS = 'id projectId name cron timezone overlap catchUp paused nextRunAt lastRunAt';
const COLUMNS = ['id', 'name', 'cron', 'timezone', 'overlap', 'catchUp', 'paused', 'nextRunAt', 'lastRunAt'];

/** Cron schedules: schedules, upsertSchedule, deleteSchedule, triggerSchedule. */
export function schedulesCommand(program: Command): void {
  const schedules = program.command('schedules').description('list, create or update, trigger and delete cron schedules');
  schedules
    .command('list')
    .requiredOption('-p, --project <id>', 'project id')
    .action(async (o: { project: string }, cmd: Command) => {
      print(cmd, (await client(cmd).request<{ schedules: unknown[] }>(`query($p: ID!) { schedules(projectId: $p) { ${FIELDS} } }`, { p: o.project })).schedules, COLUMNS);
    });
  schedules
    .command('upsert')
    .description('create or update a schedule by name')
    .requiredOption('-p, --project <id>', 'project id')
    .requiredOption('--name <name>', 'unique within the project')
    .requiredOption('--cron <expr>', '5 fields, or 6 with seconds first')
    .option('--timezone <zone>', 'IANA zone (default UTC)')
    .requiredOption('--title <title>', 'title of the tasks it creates')
    .option('--task <file>', 'a JSON file with the rest of the task template (context, priority, …)')
    .option('--overlap <policy>', 'SKIP (default) or ALLOW')
    .option('--catch-up <policy>', 'LATEST (default) or NONE')
    .option('--paused', 'create it paused')
    .action(async (o: { project: string; name: string; cron: string; timezone?: string; title: string; task?: string; overlap?: string; catchUp?: string; paused?: boolean }, cmd: Command) => {
      let template: Record<string, unknown> = {};
      if (o.task) {
        try {
          template = JSON.parse(readFileSync(o.task, 'utf8'));
        } catch (e) {
          throw new CliError(`--task ${o.task}: ${(e as Error).message}`, EXIT_USAGE);
        }
      }
      const input = { projectId: o.project, name: o.name, cron: o.cron, timezone: o.timezone, task: { ...template, title: o.title }, overlap: o.overlap?.toUpperCase(), catchUp: o.catchUp?.toUpperCase(), paused: o.paused };
      print(cmd, (await client(cmd).request<{ upsertSchedule: unknown }>(`mutation($i: UpsertScheduleInput!) { upsertSchedule(input: $i) { ${FIELDS} } }`, { i: input })).upsertSchedule, COLUMNS);
    });
  schedules
    .command('trigger')
    .description('fire a schedule now (creates one task)')
    .argument('<id>')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      print(cmd, (await client(cmd).request<{ triggerSchedule: unknown }>(`mutation($id: ID!) { triggerSchedule(id: $id) { id title status runAt } }`, { id })).triggerSchedule, ['id', 'title', 'status', 'runAt']);
    });
  schedules
    .command('delete')
    .argument('<id>')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      print(cmd, (await client(cmd).request<{ deleteSchedule: unknown }>(`mutation($id: ID!) { deleteSchedule(id: $id) { ${FIELDS} } }`, { id })).deleteSchedule, COLUMNS);
    });
}
