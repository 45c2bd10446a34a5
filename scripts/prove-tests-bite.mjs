#!/usr/bin/env node
// Proves that the tests guarding the scheduler's critical clauses fail when a clause is removed.
// For each mutation: copy the working tree to a temporary folder (node_modules linked), apply
// the mutation as an exact text replacement (refusing to run if the text is not found, so the
// script cannot silently test nothing), run the named test files there, and expect them to FAIL.
// Usage: npm run test:bite [-- name ...]   (exit 0 when every mutation was caught)
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

const MUTATIONS = [
  {
    name: 'claim without skip locked (plain FOR UPDATE)',
    file: 'src/persistence/sql/claim.sql.ts',
    from: 'for update skip locked',
    to: 'for update',
    tests: ['test/guarantees/claim-exactly-once.test.ts'],
  },
  {
    name: 'claim without any row lock',
    file: 'src/persistence/sql/claim.sql.ts',
    from: 'for update skip locked',
    to: '',
    tests: ['test/guarantees/claim-exactly-once.test.ts'],
  },
  {
    name: 'completion not guarded by status',
    file: 'src/persistence/sql/complete.sql.ts',
    from: "where t.id = input.id and t.status = 'RUNNING'",
    to: 'where t.id = input.id',
    tests: ['test/graphql/complete.test.ts'],
  },
  {
    name: 'completeTasks not all or nothing (a refused input no longer fails the statement)',
    file: 'src/persistence/sql/complete.sql.ts',
    from: "from done${allOrNothing ? ALL_OR_NOTHING : ''}",
    to: 'from done',
    tests: ['test/graphql/complete.test.ts'],
  },
  {
    name: 'heartbeat not guarded by the lease holder',
    file: 'src/persistence/sql/heartbeat.sql.ts',
    from: 'and t.worker_id = input.worker_id',
    to: 'and (t.worker_id = input.worker_id or true)',
    tests: ['test/graphql/lease.test.ts'],
  },
  {
    name: 'concurrency limit counted without locking the limit rows',
    file: 'src/persistence/migrations/Migration20261203050000_flow_control.ts',
    from: 'order by l.key for update;',
    to: 'order by l.key;',
    tests: ['test/live/concurrency-limit.test.ts'],
  },
  {
    name: 'claim ignores a paused project',
    file: 'src/persistence/sql/claim.sql.ts',
    from: 'and not coalesce((select paused from project where id = ?::uuid), false)',
    to: 'and (?::uuid is not null)',
    tests: ['test/graphql/flow-control.test.ts'],
  },
  {
    name: 'completion not fenced by attempt',
    file: 'src/persistence/sql/complete.sql.ts',
    from: 'and (input.attempt is null or t.attempt = input.attempt)',
    to: '',
    tests: ['test/graphql/fencing.test.ts'],
  },
  {
    name: 'completion not guarded by the claiming token (WORKER own leases)',
    file: 'src/persistence/sql/complete.sql.ts',
    from: 'and (input.token_id is null or t.claimed_by_token_id = input.token_id)',
    to: '',
    tests: ['test/auth/tokens.test.ts'],
  },
  {
    name: 'heartbeat(s) not guarded by the claiming token (WORKER own leases)',
    file: 'src/persistence/sql/heartbeat.sql.ts',
    from: 'and (input.token_id is null or t.claimed_by_token_id = input.token_id)',
    to: '',
    tests: ['test/auth/tokens.test.ts'],
  },
  {
    name: 'release not guarded by the claiming token (WORKER own leases)',
    file: 'src/persistence/sql/release.sql.ts',
    from: 'and (input.token_id is null or t.claimed_by_token_id = input.token_id)',
    to: '',
    tests: ['test/auth/tokens.test.ts'],
  },
  {
    name: 'progress not guarded by the claiming token (WORKER own leases)',
    file: 'src/persistence/sql/progress.sql.ts',
    from: 'and (?::uuid is null or claimed_by_token_id = ?::uuid)',
    to: 'and (?::uuid is null or ?::uuid is not null)',
    tests: ['test/auth/tokens.test.ts'],
  },
  {
    name: 'claim says "empty" while claimable rows are only locked for a moment (no try-again row)',
    file: 'src/persistence/sql/claim.sql.ts',
    from: 'else taskq_claimable_remains(',
    to: 'else false and taskq_claimable_remains(',
    tests: ['test/persistence/claim-retry-hint.test.ts'],
  },
  {
    name: 'every createTasks call takes the keyless statement (no conflict handling: a repeated idempotency key is no longer answered with its task)',
    file: 'src/scheduler/create-tasks.ts',
    from: 'const keyed = inputs.some((i) => i.idempotencyKey !== null);',
    to: 'const keyed = false;',
    tests: ['test/graphql/create-inputs.test.ts'],
  },
  {
    name: 'fan-out reuses its write buffer while a write the kernel took only in part still holds it',
    file: 'src/http/ws-outbox.ts',
    from: 'if (this.tcp!.writableLength > 0) scratch = Buffer.allocUnsafeSlow(scratch.length);',
    to: '',
    tests: ['test/live/ws-outbox.test.ts'],
  },
  {
    name: 'a shared group never shows an event to members not queued on their outbox (joiners get nothing)',
    file: 'src/events/multiplexer.ts',
    from: 'if (this.idle > 0) for (const m of this.members.slice())',
    to: 'if (false) for (const m of this.members.slice())',
    tests: ['test/live/shared-log.test.ts'],
  },
  {
    name: 'a member stays marked queued after its flush took its frames (it is never queued again)',
    file: 'src/events/multiplexer.ts',
    from: '    const tails = this.error ? [] : this.group.resultsFrom(this.from);\n    this.queued = false;',
    to: '    const tails = this.error ? [] : this.group.resultsFrom(this.from);',
    tests: ['test/live/shared-log.test.ts'],
  },
  {
    name: "the embedded PostgreSQL stops on SIGTERM at once (the package's hook), under the server's graceful stop",
    file: 'src/main.ts',
    from: "log: (m) => logger.debug(m), stopOnSignals: false });",
    to: 'log: (m) => logger.debug(m) });',
    tests: ['test/guarantees/embedded-shutdown.test.ts'],
  },
];

const only = process.argv.slice(2);
const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' })
  .split('\n')
  .filter(Boolean);
let failures = 0;
for (const m of MUTATIONS) {
  if (only.length && !only.some((o) => m.name.includes(o))) continue;
  const original = readFileSync(path.join(root, m.file), 'utf8');
  if (!original.includes(m.from)) {
    if (m.optional) {
      console.log(`- ${m.name}: skipped (the clause "${m.from}" is not in ${m.file})`);
      continue;
    }
    console.log(`! ${m.name}: the text "${m.from}" is no longer in ${m.file}; update this script`);
    failures++;
    continue;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bite-'));
  try {
    for (const f of files) cpSync(path.join(root, f), path.join(dir, f), { recursive: true });
    symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
    writeFileSync(path.join(dir, m.file), original.split(m.from).join(m.to));
    const run = spawnSync('npx', ['vitest', 'run', ...m.tests], { cwd: dir, encoding: 'utf8', env: { ...process.env, CI: '1' } });
    const summary = /(\d+) passed, (\d+) failed/.exec(run.stdout ?? '');
    if (run.status !== 0 && summary && Number(summary[2]) > 0) {
      console.log(`ok ${m.name}: caught (${summary[2]} failed, ${summary[1]} passed in ${m.tests.join(', ')})`);
    } else {
      console.log(`FAIL ${m.name}: NOT caught by ${m.tests.join(', ')} (exit ${run.status})`);
      console.log((run.stdout ?? '').slice(-1500), (run.stderr ?? '').slice(-1500));
      failures++;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(failures === 0 ? 'every mutation was caught' : `${failures} mutation(s) not caught`);
process.exit(failures === 0 ? 0 : 1);
