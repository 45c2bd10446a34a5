import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';

// In-process servers run as users run them: NODE_ENV=production (vitest.config.mts), where
// Apollo's own defaults would hide stack traces anyway; the server hides them on its own too.

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer();
});
afterAll(async () => {
  await ts?.close();
});

describe('production settings under test', () => {
  it('NODE_ENV is production in the test process', () => {
    expect(process.env.NODE_ENV).toBe('production');
  });

  it('an internal error answers INTERNAL_SERVER_ERROR with the message hidden and no stack trace', async () => {
    const { createProject } = await ts.ok(`mutation { createProject(input: { name: "internal" }) { id } }`);
    const knex = (ts.orm.em.fork() as any).getConnection().getKnex();
    // An unexpected database failure (a trigger refusing every task insert of this project).
    await knex.raw(`
      create function refuse_task() returns trigger language plpgsql as $$
      begin
        if new.project_id = '${createProject.id}' then raise exception 'secret detail 4711'; end if;
        return new;
      end $$;
      create trigger refuse_task before insert on task for each row execute function refuse_task();`);
    try {
      const r = await ts.gql(`mutation($p: ID!) { createTask(input: { projectId: $p, title: "t" }) { id } }`, { p: createProject.id });
      expect(r.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      const body = JSON.stringify(r);
      expect(body).not.toContain('4711');
      expect(body).not.toMatch(/stacktrace|\\n\s+at |node_modules|\.ts:\d+/);
    } finally {
      await knex.raw('drop trigger refuse_task on task; drop function refuse_task();');
    }
  });
});
