import { Client } from 'pg';
import { NOTIFY_CHANNEL } from '../src/persistence/sql/events.sql';

/**
 * LISTENs on the server's wake-up channel and counts what arrives: how many `pg_notify`
 * transactions the server issues per task. Each one is an extra round trip on the server's pool
 * and a commit that takes PostgreSQL's global NOTIFY lock (STACK.md), so the count is evidence
 * for (or against) the coalescing the design asks for.
 */
export class NotifyCounter {
  count = 0;
  private constructor(private readonly client: Client) {}

  static async start(url: string): Promise<NotifyCounter> {
    const client = new Client({ connectionString: url });
    await client.connect();
    const counter = new NotifyCounter(client);
    client.on('notification', () => counter.count++);
    client.on('error', () => {});
    await client.query(`listen ${NOTIFY_CHANNEL}`);
    return counter;
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => {});
  }
}
