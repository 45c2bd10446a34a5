import type { Command } from 'commander';
import { createClient, GraphQLRequestError, TaskqClient } from '../../client/src';
import { printTable } from './output';

/** Exit codes: 0 ok, 1 error (the server refused, the network failed, a file is invalid), 2 usage. */
export const EXIT_ERROR = 1;
export const EXIT_USAGE = 2;

/** A failure the command explains itself (printed without a stack trace). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = EXIT_ERROR,
  ) {
    super(message);
  }
}

export type OutputFormat = 'table' | 'json';

export interface GlobalOptions {
  url: string;
  token?: string;
  output: OutputFormat;
}

/** The global options (--url/--token/-o) as seen from any subcommand, environment included. */
export function globals(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals() as { url?: string; token?: string; output?: string };
  const output = (o.output ?? 'table') as OutputFormat;
  if (output !== 'table' && output !== 'json') throw new CliError(`-o must be table or json, got ${o.output}`, EXIT_USAGE);
  return { url: o.url ?? process.env.TASKQ_URL ?? 'http://localhost:4000/graphql', token: o.token ?? process.env.TASKQ_TOKEN, output };
}

export function client(cmd: Command): TaskqClient {
  const g = globals(cmd);
  return createClient({ url: g.url, token: g.token });
}

/** Prints rows as a table (chosen columns) or the values as JSON. */
export function print(cmd: Command, value: unknown, columns?: string[]): void {
  if (globals(cmd).output === 'json' || !columns) {
    process.stdout.write(JSON.stringify(value, null, 2) + '\n');
    return;
  }
  printTable(Array.isArray(value) ? (value as Record<string, unknown>[]) : [value as Record<string, unknown>], columns);
}

/** How an error reads on stderr. */
export function describeError(e: unknown): string {
  if (e instanceof GraphQLRequestError) {
    const recovery = e.extensions.recovery ? `\n  ${String(e.extensions.recovery)}` : '';
    return `error ${e.code}: ${e.message}${recovery}`;
  }
  if (e instanceof Error && /fetch failed|ECONNREFUSED/.test(`${e.message} ${String((e as { cause?: unknown }).cause ?? '')}`)) {
    return `error: cannot reach the server (${e.message}${(e as { cause?: { code?: string } }).cause?.code ? `: ${(e as { cause: { code: string } }).cause.code}` : ''}); set --url or TASKQ_URL`;
  }
  return `error: ${e instanceof Error ? e.message : String(e)}`;
}

export function parseInteger(name: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new CliError(`${name} must be a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}, got ${value}`, EXIT_USAGE);
    return n;
  };
}
