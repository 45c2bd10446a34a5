#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CliError, describeError, EXIT_ERROR, EXIT_USAGE } from './context';
import { serveCommand } from './serve';
import { migrateCommand } from './migrate';
import { tokenCommand } from './token';
import { projectsCommand } from './projects';
import { tasksCommand } from './tasks';
import { importCommand } from './import';
import { graphCommand } from './graph';
import { workerCommand } from './worker';
import { schedulesCommand } from './schedules';

/** The version in the package.json above this file (src/cli in development, dist/src/cli when built). */
function packageVersion(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'graphql-task-scheduler') return pkg.version ?? '0.0.0';
    }
  }
  return '0.0.0';
}

/** `taskq`: the command line for the scheduler. Exit codes: 0 ok, 1 error, 2 usage. */
export function buildProgram(): Command {
  const program = new Command('taskq')
    .description('Command line for the taskq GraphQL task scheduler')
    .version(packageVersion())
    .option('--url <url>', 'the server /graphql endpoint (env TASKQ_URL, default http://localhost:4000/graphql)')
    .option('--token <token>', 'API token (env TASKQ_TOKEN)')
    .option('-o, --output <format>', 'table or json', 'table')
    .showHelpAfterError()
    .exitOverride();
  for (const add of [serveCommand, migrateCommand, tokenCommand, projectsCommand, tasksCommand, importCommand, graphCommand, workerCommand, schedulesCommand]) add(program);
  // Subcommands inherit the exit override (usage errors become exit code 2, below).
  const override = (cmd: Command) => {
    cmd.exitOverride();
    cmd.commands.forEach(override);
  };
  override(program);
  return program;
}

export async function run(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return EXIT_USAGE; // commander printed the message
    }
    process.stderr.write(describeError(e) + '\n');
    return e instanceof CliError ? e.exitCode : EXIT_ERROR;
  }
}

if (require.main === module) {
  run(process.argv).then(
    (code) => {
      // Long-running commands (serve, worker, watch) end the process themselves.
      if (code !== 0 || !['serve', 'worker', 'watch'].some((c) => process.argv.includes(c))) process.exit(code);
    },
    (e) => {
      process.stderr.write(describeError(e) + '\n');
      process.exit(EXIT_ERROR);
    },
  );
}
