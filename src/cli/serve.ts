import type { Command } from 'commander';

export function serveCommand(program: Command): void {
  program
    .command('serve')
    .description('run the server (configured by its environment variables: PORT, DATABASE_URL, … see the README)')
    .action(() => {
      // The server's own entry point: reads its configuration, starts, stops on SIGTERM.
      require('../main');
    });
}
