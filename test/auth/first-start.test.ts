import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TestDatabase } from '../helpers/database';
import { startServerProcess } from '../helpers/server-process';
import { gqlAs } from '../helpers/tokens';

let db: TestDatabase;
let dataDir: string;
beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = mkdtempSync(path.join(tmpdir(), 'taskq-first-start-'));
});
afterAll(async () => {
  await db?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the first start', () => {
  it('mints an admin token once: printed with a sign-in link, saved with mode 0600; the server refuses callers without it', async () => {
    const first = await startServerProcess({ databaseUrl: db.url, env: { ADMIN_TOKEN: '', DATA_DIR: dataDir } });
    let token: string;
    try {
      const banner = /^ {2}(tsk_[0-9A-Za-z]{38})$/m.exec(first.stderr());
      expect(banner, first.stderr()).not.toBeNull();
      token = banner![1]!;
      expect(first.stderr()).toContain(`/#token=${token}`);
      const file = path.join(dataDir, 'admin-token');
      expect(readFileSync(file, 'utf8').trim()).toBe(token);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect((await gqlAs(first.url, null, '{ projects { id } }')).status).toBe(401);
      const viewer = await gqlAs(first.url, token, '{ viewer { role projectId } }');
      expect(viewer.data.viewer).toEqual({ role: 'ADMIN', projectId: null });
    } finally {
      await first.stop();
    }
    const again = await startServerProcess({ databaseUrl: db.url, env: { ADMIN_TOKEN: '', DATA_DIR: dataDir } });
    try {
      expect(again.stderr()).not.toMatch(/tsk_/);
      expect((await gqlAs(again.url, token!, '{ viewer { role } }')).status).toBe(200);
    } finally {
      await again.stop();
    }
  });

  it('AUTH_MODE=off is refused unless HOST is loopback', async () => {
    await expect(startServerProcess({ databaseUrl: db.url, env: { AUTH_MODE: 'off', HOST: '0.0.0.0' }, startTimeoutMs: 20_000 })).rejects.toThrow(/AUTH_MODE=off/);
  });
});
