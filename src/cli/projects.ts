import type { Command } from 'commander';
import { client, print } from './context';

const COLUMNS = ['id', 'name', 'paused', 'createdAt'];

export function projectsCommand(program: Command): void {
  const projects = program.command('projects').description('list, create, pause and resume projects');
  projects
    .command('list')
    .description('every project the token can see')
    .action(async (_o: unknown, cmd: Command) => {
      print(cmd, (await client(cmd).request<{ projects: unknown[] }>(`{ projects { id name paused createdAt } }`)).projects, COLUMNS);
    });
  projects
    .command('create')
    .description('create a project')
    .argument('<name>')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const data = await client(cmd).request<{ createProject: unknown }>(`mutation($n: String!) { createProject(input: { name: $n }) { id name paused createdAt } }`, { n: name });
      print(cmd, data.createProject, COLUMNS);
    });
  for (const verb of ['pause', 'resume'] as const) {
    projects
      .command(verb)
      .description(verb === 'pause' ? 'stop claims in a project (everything else goes on)' : 'let claims in a paused project go on')
      .argument('<id>', 'project id')
      .action(async (id: string, _o: unknown, cmd: Command) => {
        const field = `${verb}Project`;
        const data = await client(cmd).request<Record<string, unknown>>(`mutation($id: ID!) { ${field}(id: $id) { id name paused createdAt } }`, { id });
        print(cmd, data[field], COLUMNS);
      });
  }
}
