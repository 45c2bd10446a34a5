import { Client } from 'pg';
import type { MikroORM } from '@mikro-orm/postgresql';
import { NOTIFY_CHANNEL } from '../persistence/sql/events.sql';

/**
 * Cross-instance wake-ups over PostgreSQL LISTEN/NOTIFY.
 *
 * NOTIFY is never sent inside a scheduling transaction: a transaction that notifies takes a
 * database-wide lock at commit, which would serialise every commit under load. Instead, after
 * commit, at most one `pg_notify` is in flight per instance and requests arriving meanwhile
 * collapse into a single follow-up. The payload is only this instance's id (so it can ignore
 * its own echo); listeners read the event log themselves: events are hints, the row is the truth.
 */
export class PgNotifier {
  private listener: Client | null = null;
  private sending = false;
  private sendAgain = false;
  private closed = false;
  private reconnectDelay = 100;

  constructor(
    private readonly orm: MikroORM,
    private readonly options: { url: string; instanceId: string; onWake: () => void; onError: (e: unknown) => void },
  ) {}

  async start(): Promise<void> {
    await this.connect();
  }

  notify(): void {
    if (this.closed) return;
    if (this.sending) {
      this.sendAgain = true;
      return;
    }
    this.sending = true;
    void this.orm.em
      .getConnection()
      .getKnex()
      .raw('select pg_notify(?, ?)', [NOTIFY_CHANNEL, this.options.instanceId])
      .catch((e: unknown) => this.options.onError(e))
      .finally(() => {
        this.sending = false;
        if (this.sendAgain) {
          this.sendAgain = false;
          this.notify();
        }
      });
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.options.url });
    client.on('notification', (msg) => {
      if (msg.payload !== this.options.instanceId) this.options.onWake();
    });
    client.on('error', (e) => {
      this.options.onError(e);
      this.reconnect(client);
    });
    client.on('end', () => this.reconnect(client));
    await client.connect();
    await client.query(`listen ${NOTIFY_CHANNEL}`);
    this.listener = client;
    this.reconnectDelay = 100;
  }

  /** A lost listener reconnects with backoff, then wakes the pump: it catches up from the log. */
  private reconnect(client: Client): void {
    if (this.closed || this.listener !== client) return;
    this.listener = null;
    client.removeAllListeners();
    client.on('error', () => {});
    void client.end().catch(() => {});
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(5_000, delay * 2);
    setTimeout(() => {
      if (this.closed) return;
      this.connect()
        .then(() => this.options.onWake())
        .catch((e) => {
          this.options.onError(e);
          this.listener = client; // let reconnect() run again for this attempt
          this.reconnect(client);
        });
    }, delay).unref();
  }

  /** For tests: drop the LISTEN connection as a network failure would. */
  async simulateConnectionLoss(): Promise<void> {
    const pid = (this.listener as unknown as { processID?: number } | null)?.processID;
    if (pid) await this.orm.em.getConnection().getKnex().raw('select pg_terminate_backend(?)', [pid]);
  }

  async close(): Promise<void> {
    this.closed = true;
    const l = this.listener;
    this.listener = null;
    if (l) {
      l.removeAllListeners();
      l.on('error', () => {});
      await l.end().catch(() => {});
    }
  }
}
