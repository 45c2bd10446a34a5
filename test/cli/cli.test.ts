import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestServer, TestServer } from '../helpers/server';
import { claim, createProject, createTask, fail, getTask } from '../helpers/fixtures';
import { subscriberCount, waitUntil } from '../helpers/ws-client';
import { buildCli, cliEnv, runCli, startCli } from './support/cli';

let ts: TestServer;
let bin: string;
let env: Record<string, string>;
const dir = mkdtempSync(path.join(os.tmpdir(), 'taskq-cli-files-'));
beforeAll(async () => {
  [ts, bin] = await Promise.all([startTestServer(), buildCli()]);
  env = cliEnv(ts.url);
});
afterAll(async () => {
  await ts?.close();
});

const cli = (...args: string[]) => runCli(bin, args, env);
const json = async (...args: string[]) => {
  const r = await cli('-o', 'json', ...args);
  if (r.code !== 0) throw new Error(`taskq ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout);
};
function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}
async function count(projectId: string): Promise<number> {
  const rows = (await ts.orm.em.fork().getConnection().execute(`select count(*)::int as n from task where project_id = '${projectId}'`)) as { n: number }[];
  return rows[0]!.n;
}

describe('taskq', () => {
  it('exit codes: 0 for help, 2 for usage errors, 1 for errors (server refusal, unreachable server)', async () => {
    expect((await cli('--help')).code).toBe(0);
    const usage = await cli('tasks', 'list');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/required option '-p, --project <id>'/);
    expect((await cli('tasks', 'list', '-p', 'x', '-n', 'many')).code).toBe(2);
    const refused = await cli('tasks', 'get', '00000000-0000-0000-0000-000000000000');
    expect(refused.code).toBe(1);
    const bad = await cli('tasks', 'cancel', 'not-a-uuid');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error BAD_USER_INPUT|^error TASK_NOT_FOUND/);
    const down = await runCli(bin, ['projects', 'list'], { ...env, TASKQ_URL: 'http://127.0.0.1:9/graphql' });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/cannot reach the server/);
  });

  it('projects create/list and tasks list/get/cancel/retry, as tables and JSON', async () => {
    const created = await json('projects', 'create', 'from-cli');
    expect(created).toMatchObject({ name: 'from-cli' });
    expect((await json('projects', 'list')).map((p: { id: string }) => p.id)).toContain(created.id);
    const table = await cli('projects', 'list');
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+NAME/);
    const t = await createTask(ts, { projectId: created.id, title: 'listed' });
    const page = await json('tasks', 'list', '-p', created.id, '-s', 'ready');
    expect(page.tasks.map((x: { id: string }) => x.id)).toEqual([t.id]);
    expect((await json('tasks', 'get', t.id)).title).toBe('listed');
    expect((await cli('tasks', 'get', t.id)).stdout).toMatch(/title\s+listed/);
    expect(await json('tasks', 'cancel', t.id, '--reason', 'not needed')).toMatchObject({ status: 'CANCELLED' });
    const failed = await createTask(ts, { projectId: created.id, title: 'f' });
    await claim(ts, created.id, 'w');
    await fail(ts, failed.id, 'broken', { workerId: 'w', retryable: false });
    expect((await getTask(ts, failed.id)).status).toBe('FAILED');
    expect((await json('tasks', 'retry', failed.id)).status).toMatch(/RETRYING|READY/);
  });

  it('import: CSV with keys across chunks; the second run creates nothing; JSON and YAML too', async () => {
    const p = await createProject(ts);
    const lines = ['key,title,priority,dependencyKeys,context'];
    for (let i = 0; i < 120; i++) lines.push(`k${i},"task ${i}",${1 + (i % 10)},${i > 0 ? `k${i - 1};k${Math.floor(i / 2)}` : ''},"{""i"":${i}}"`);
    const csv = file('tasks.csv', lines.join('\n') + '\n');
    const first = await json('import', csv, '--project', p, '--chunk', '50');
    expect(first).toMatchObject({ rows: 120 });
    expect(await count(p)).toBe(120);
    const again = await json('import', csv, '--project', p, '--chunk', '50');
    expect(again.rows).toBe(120);
    expect(await count(p)).toBe(120);
    // Dependencies across chunks became real edges: the chain k0 <- k1 <- … holds.
    const graph = (await ts.ok(`query($p: ID!) { dependencyGraph(projectId: $p) { levels } }`, { p })).dependencyGraph;
    expect(graph.levels.length).toBe(120);
    const jsonFile = file('tasks.json', JSON.stringify([{ key: 'a', title: 'A' }, { key: 'b', title: 'B', dependencyKeys: ['a'], context: { x: 1 } }], null, 2));
    expect(await json('import', jsonFile, '--project', p)).toMatchObject({ rows: 2 });
    const yaml = file('tasks.yaml', '- key: y1\n  title: Y1\n- key: y2\n  title: Y2\n  dependencyKeys: [y1]\n');
    expect(await json('import', yaml, '--project', p)).toMatchObject({ rows: 2 });
    expect(await count(p)).toBe(124);
  });

  it('import: chunks that depend on the same earlier tasks go out in parallel by default, and all land', async () => {
    const p = await createProject(ts);
    const lines = ['key,title,priority,dependencyKeys'];
    for (let i = 0; i < 20; i++) lines.push(`r${i},root ${i},3,`);
    for (let i = 0; i < 400; i++) lines.push(`t${i},task ${i},5,r${i % 20};r${(i * 7 + 3) % 20}`);
    const csv = file('shared.csv', lines.join('\n') + '\n');
    // Chunks of 25: the roots first, then 16 chunks that all take their ids, 4 at a time.
    expect(await json('import', csv, '--project', p, '--chunk', '25')).toMatchObject({ rows: 420, created: 420 });
    const [edges] = await ts.orm.em.fork().getConnection().execute<{ n: string }[]>(
      'select count(*) as n from task_dependency d join task t on t.id = d.task_id where t.project_id = ?',
      [p],
    );
    expect(Number(edges!.n)).toBe(800);
    const roots = await ts.orm.em.fork().getConnection().execute<{ effective_priority: number }[]>(`select effective_priority from task where project_id = ? and title like 'root %'`, [p]);
    expect(roots.map((r) => r.effective_priority)).toEqual(Array.from({ length: 20 }, () => 4));
    expect(await json('import', csv, '--project', p, '--chunk', '25')).toMatchObject({ rows: 420, created: 0, existing: 420 });
  });

  it('import refuses a whole file with a cycle or an unknown key, naming the lines, and sends nothing', async () => {
    const p = await createProject(ts);
    const cycle = file('cycle.csv', 'key,title,dependencyKeys\na,A,\nb,B,a;d\nc,C,b\nd,D,c\n');
    const r = await cli('import', cycle, '--project', p);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/dependency cycle/);
    expect(r.stderr).toMatch(/"b" \(line 3\)/);
    expect(r.stderr).toMatch(/"d" \(line 5\)/);
    const unknown = file('unknown.yaml', '- key: a\n  title: A\n- key: b\n  title: B\n  dependencyKeys: [zzz]\n');
    const u = await cli('import', unknown, '--project', p);
    expect(u.code).toBe(1);
    expect(u.stderr).toMatch(/line 3: unknown dependency key "zzz"/);
    const dup = file('dup.json', '[\n  {"key": "a", "title": "A"},\n  {"key": "a", "title": "again"}\n]');
    expect((await cli('import', dup, '--project', p)).stderr).toMatch(/line 3: key "a" is already used on line 2/);
    expect(await count(p)).toBe(0);
  });

  it('graph: DOT, Mermaid and an SVG laid out by ELK', async () => {
    const p = await createProject(ts);
    const a = await createTask(ts, { projectId: p, title: 'first' });
    await createTask(ts, { projectId: p, title: 'second', dependencies: [a.id] });
    expect((await cli('graph', '-p', p)).stdout).toMatch(/digraph/);
    expect((await cli('graph', '-p', p, '--format', 'mermaid')).stdout).toMatch(/flowchart|graph/);
    const svg = await cli('graph', '-p', p, '--format', 'svg');
    expect(svg.code).toBe(0);
    expect(svg.stdout).toMatch(/^<svg /);
    expect(svg.stdout.match(/<rect /g)).toHaveLength(2);
    expect(svg.stdout.match(/<polyline /g)).toHaveLength(1);
    expect((await cli('graph', '-p', p, '--format', 'png')).code).toBe(2);
  });

  it('worker runs a handler module until SIGTERM, then exits 0; tasks watch tails status changes', async () => {
    const p = await createProject(ts);
    const watch = startCli(bin, ['tasks', 'watch', '-p', p, '-o', 'json'], env);
    let watched = '';
    let watchErr = '';
    watch.stdout!.setEncoding('utf8').on('data', (c: string) => (watched += c));
    watch.stderr!.setEncoding('utf8').on('data', (c: string) => (watchErr += c));
    // Its subscription is registered before anything happens (the process takes a moment to start).
    await waitUntil(async () => (await subscriberCount(ts.url)) >= 1, 20_000, 'the watch to subscribe');
    const handler = file('handler.js', 'module.exports = async (task, ctx) => ({ title: task.title, attempt: ctx.attempt });\n');
    const worker = startCli(bin, ['worker', '--project', p, '--concurrency', '2', handler], env);
    let log = '';
    worker.stderr!.setEncoding('utf8').on('data', (c: string) => (log += c));
    await waitUntil(async () => (await subscriberCount(ts.url)) >= 3, 20_000, 'the worker to subscribe (taskReady and its cancellation watch)');
    const tasks = await Promise.all([1, 2, 3].map((i) => createTask(ts, { projectId: p, title: `w${i}` })));
    await waitUntil(async () => (await Promise.all(tasks.map((t) => getTask(ts, t.id)))).every((t) => t.status === 'COMPLETED'), 20_000, 'the worker to complete 3 tasks');
    expect((await getTask(ts, tasks[0].id)).result).toEqual({ title: 'w1', attempt: 1 });
    worker.kill('SIGTERM');
    const code = await new Promise((r) => worker.once('exit', r));
    expect(code).toBe(0);
    expect(log).toMatch(/completed/);
    // Whole lines only, by the event's own status: the task in an event is the row as it is at
    // delivery, so a RUNNING event delivered late shows a task already COMPLETED.
    const printed = () => watched.split('\n').slice(0, -1).map((l) => JSON.parse(l) as { status: string });
    await waitUntil(() => printed().filter((e) => e.status === 'COMPLETED').length === 3, 20_000, 'watch to print the completions').catch((e: Error) => {
      throw new Error(`${e.message}; the watch printed:\n${watched}\nand on stderr:\n${watchErr}`);
    });
    expect(printed().filter((e) => e.status === 'RUNNING')).toHaveLength(3);
    watch.kill('SIGINT');
    expect(await new Promise((r) => watch.once('exit', r))).toBe(0);
  });
});
