import type { Command } from 'commander';
import { client, globals } from './context';
import { parseStatuses } from './tasks';

/** tasks watch: a live tail of taskStatusChanged (one line per transition) until Ctrl-C. */
export function watchCommand(tasks: Command): void {
  tasks
    .command('watch')
    .description('print every status change as it happens (Ctrl-C to stop)')
    .option('-p, --project <id>', 'project id')
    .option('-s, --status <list>', 'only these new statuses', parseStatuses)
    .option('--task <ids...>', 'only these tasks')
    .option('--after <cursor>', 'replay what happened after this event cursor first')
    .action(async (o: { project?: string; status?: string[]; task?: string[]; after?: string }, cmd: Command) => {
      const c = client(cmd);
      const json = globals(cmd).output === 'json';
      const stream = c.taskStatusChanged({ projectId: o.project, statuses: o.status as never, taskIds: o.task, afterCursor: o.after }, 'id title status attempt workerId');
      const stop = () => {
        stream.close();
        void c.close();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      if (!json) process.stderr.write('watching; Ctrl-C to stop\n');
      for await (const e of stream) {
        if (json) process.stdout.write(JSON.stringify(e) + '\n');
        else process.stdout.write(`${e.at}  ${e.taskId}  ${(e.previousStatus ?? '-').padEnd(9)} -> ${e.status.padEnd(9)}  ${e.task?.title ?? ''}\n`);
      }
    });
}
