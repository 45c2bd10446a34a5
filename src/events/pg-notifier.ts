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
  /** Notifications sent (after-commit requests coalesce, so this grows slower than commits do). */
  sent = 0;
  private inFlight: Promise<void> = Promise.resolve();

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
    this.send();
  }

  private send(): void {
    this.sending = true;
    this.sent++;
    this.inFlight = Promise.resolve(
      this.orm.em.getConnection().getKnex().raw('select pg_notify(?, ?)', [NOTIFY_CHANNEL, this.options.instanceId]),
    )
      .then(
        () => {},
        (e: unknown) => this.options.onError(e),
      )
      .finally(() => {
        this.sending = false;
        // Commits that came in meanwhile get one follow-up, even while closing: the last
        // commits before a shutdown still reach the other instances promptly.
        if (this.sendAgain) {
          this.sendAgain = false;
          this.send();
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
    try {
      await client.connect();
      await client.query(`listen ${NOTIFY_CHANNEL}`);
    } catch (e) {
      // A half-open attempt would hold a connection (and keep the process alive): drop it.
      this.discard(client);
      throw e;
    }
    if (this.closed) {
      this.discard(client); // close() ran while we were connecting
      return;
    }
    this.listener = client;
    this.reconnectDelay = 100;
  }

  /** True while the LISTEN connection is up (tests wait for a reconnect with it). */
  get listening(): boolean {
    return this.listener !== null;
  }

  private discard(client: Client): void {
    client.removeAllListeners();
    client.on('error', () => {});
    void client.end().catch(() => {});
  }

  /** A lost listener reconnects with backoff, then wakes the pump: it catches up from the log. */
  private reconnect(client: Client): void {
    if (this.closed || this.listener !== client) return;
    this.listener = null;
    this.discard(client);
    this.scheduleConnect();
  }

  private scheduleConnect(): void {
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(5_000, delay * 2);
    setTimeout(() => {
      if (this.closed) return;
      this.connect().then(
        () => {
          if (!this.closed) this.options.onWake();
        },
        (e: unknown) => {
          this.options.onError(e);
          this.scheduleConnect();
        },
      );
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
    while (this.sending) await this.inFlight;
  }
}
