import type { Command } from 'commander';
import { client, parseInteger, print } from './context';

const TOKEN_FIELDS = 'id name role projectId prefix createdAt expiresAt lastUsedAt revokedAt';
const COLUMNS = ['id', 'name', 'role', 'projectId', 'prefix', 'expiresAt', 'lastUsedAt', 'revokedAt'];

/** API tokens (ADMIN only): createApiToken, apiTokens, revokeApiToken. */
export function tokenCommand(program: Command): void {
  const token = program.command('token').description('manage API tokens (admin)');
  token
    .command('create')
    .description('create a token; its secret is printed once')
    .requiredOption('--name <name>', 'what the token is for')
    .requiredOption('--role <role>', 'ADMIN, PRODUCER, WORKER or VIEWER')
    .option('--project <id>', 'bind the token to one project (required for every role but a global ADMIN)')
    .option('--expires-in-days <n>', 'days until it expires (default 90)', parseInteger('--expires-in-days', 1))
    .option('--never-expires', 'no expiry')
    .action(async (o: { name: string; role: string; project?: string; expiresInDays?: number; neverExpires?: boolean }, cmd: Command) => {
      const data = await client(cmd).request<{ createApiToken: { token: string; apiToken: Record<string, unknown> } }>(
        `mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token apiToken { ${TOKEN_FIELDS} } } }`,
        { i: { name: o.name, role: o.role.toUpperCase(), projectId: o.project, expiresInDays: o.expiresInDays, neverExpires: o.neverExpires } },
      );
      print(cmd, { token: data.createApiToken.token, ...data.createApiToken.apiToken }, ['token', ...COLUMNS.slice(0, 6)]);
    });
  token
    .command('list')
    .description('list tokens (never their secrets)')
    .option('--project <id>', 'only the tokens of one project')
    .action(async (o: { project?: string }, cmd: Command) => {
      const data = await client(cmd).request<{ apiTokens: Record<string, unknown>[] }>(`query($p: ID) { apiTokens(projectId: $p) { ${TOKEN_FIELDS} } }`, { p: o.project });
      print(cmd, data.apiTokens, COLUMNS);
    });
  token
    .command('revoke')
    .description('revoke a token (its open connections close at once)')
    .argument('<id>', 'token id')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const data = await client(cmd).request<{ revokeApiToken: Record<string, unknown> }>(`mutation($id: ID!) { revokeApiToken(id: $id) { ${TOKEN_FIELDS} } }`, { id });
      print(cmd, data.revokeApiToken, COLUMNS);
    });
}
