import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { claim, complete, createProject, errorCode } from '../helpers/fixtures';
import { connectClient, watchStatus } from '../helpers/ws-client';

// The outbox assembles each socket's frames in one shared buffer and reuses it once a write has
// gone to the kernel whole. A write the kernel takes only in part keeps its bytes in that buffer
// until the socket drains: if the next socket's frames were assembled there meanwhile, the paused
// client would later read another socket's bytes (broken frames, wrong events). Here one client
// stops reading long enough for its socket to back up (5 x 90 kB per event) while another client
// of the same shared subscription keeps reading; resumed, the first must get every event intact.
// Every task's description differs (random), so bytes of another frame cannot pass for the right ones.
const describe90k = () => randomBytes(45_000).toString('hex');
const HEAVY_FIELDS = 'cursor taskId status task { d1: description d2: description d3: description d4: description d5: description }';

let ts: TestServer;
beforeAll(async () => {
  // A limit the paused client stays under: it must catch up, not be cut off.
  ts = await startTestServer({ config: { subscriptionBufferLimit: 1_000 } });
});
afterAll(async () => {
  await ts?.close();
});

describe('socket writes that the kernel takes only in part', () => {
  it('a client that pauses reading, then resumes, gets every frame intact while a reading client shares the frames', async () => {
    const p = await createProject(ts);
    const descriptions = Array.from({ length: 30 }, describe90k);
    const created = await ts.ok(`mutation($i: [CreateTaskInput!]!) { createTasks(inputs: $i) { id } }`, {
      i: descriptions.map((description, k) => ({ projectId: p, title: `big ${k}`, description })),
    });
    const ids: string[] = created.createTasks.map((t: { id: string }) => t.id);
    const descriptionOf = new Map(ids.map((id, k) => [id, descriptions[k]!]));
    const paused = await connectClient(ts.wsUrl);
    const reading = await connectClient(ts.wsUrl);
    const pausedSub = await watchStatus(paused, ts.url, { projectId: p }, HEAVY_FIELDS);
    const readingSub = await watchStatus(reading, ts.url, { projectId: p }, HEAVY_FIELDS);
    paused.socket().pause();

    for (let k = 0; k < 30; k++) await claim(ts, p);
    for (const id of ids) expect(errorCode(await complete(ts, id))).toBeUndefined();
    await readingSub.waitFor(60, 20_000);
    // The paused client's socket is backed up: 60 events of 450 kB are far more than loopback buffers hold.
    expect(pausedSub.events.length).toBeLessThan(60);

    paused.socket().resume();
    await pausedSub.waitFor(60, 20_000);
    expect(pausedSub.errors).toEqual([]);
    const shape = (e: { cursor: string; taskId: string; status: string }) => `${e.cursor} ${e.taskId} ${e.status}`;
    expect(pausedSub.events.map(shape)).toEqual(readingSub.events.map(shape));
    for (const e of pausedSub.events as unknown as { taskId: string; task: Record<string, string> }[]) {
      for (const d of ['d1', 'd2', 'd3', 'd4', 'd5']) expect(e.task[d] === descriptionOf.get(e.taskId)).toBe(true);
    }
    expect((await pausedSub.settle(200)).length).toBe(60);
    await Promise.all([paused.dispose(), reading.dispose()]);
  });
});
