import { Client } from 'pg';
import type { MikroORM } from '@mikro-orm/postgresql';
import { NOTIFY_CHANNEL } from '../persistence/sql/events.sql';
import { PROJECT_CHANGED_CHANNEL } from './project-changes';

/**
 * Cross-instance wake-ups over PostgreSQL LISTEN/NOTIFY.
 *
 * NOTIFY is never sent inside a scheduling transaction: a transaction that notifies takes a
 * database-wide lock at commit, which would serialise every commit under load. Instead, after
 * commit, at most one `pg_notify` is in flight per instance, requests arriving meanwhile
 * collapse into a single follow-up, and follow-ups are spaced by `minIntervalMs` (a quiet
 * instance's first commit is announced at once). The payload is only this instance's id (so it
 * can ignore its own echo); listeners read the event log themselves: events are hints, the row
 * is the truth.
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
  private lastSentAt = 0;
  private pause: NodeJS.Timeout | null = null;
  private readonly minIntervalMs: number;

  constructor(
    private readonly orm: MikroORM,
    private readonly options: {
      /**
       * The LISTEN connection's URL: a session of its own, so never a transaction-mode pooler
       * (it would hand the LISTEN to a server connection that others then use). null: send
       * NOTIFY (for instances that listen) but listen to none; the caller polls instead.
       */
      url: string | null;
      instanceId: string;
      onWake: () => void;
      onError: (e: unknown) => void;
      /** The LISTEN connection broke (it reconnects by itself); defaults to onError. */
      onConnectionLost?: (e: unknown) => void;
      minIntervalMs?: number;
      /** A project was paused or resumed (on any instance); the payload is its id. */
      onProjectChanged?: (projectId: string) => void;
    },
  ) {
    this.minIntervalMs = options.minIntervalMs ?? 20;
  }

  async start(): Promise<void> {
    if (this.options.url !== null) await this.connect();
  }

  notify(): void {
    if (this.closed) return;
    if (this.sending || this.pause) {
      this.sendAgain = true;
      return;
    }
    this.sendWhenDue();
  }

  /**
   * Sends now if the last NOTIFY is at least minIntervalMs old, otherwise once it is: a trickle of
   * commits each arriving just after the previous NOTIFY returned would otherwise get one each.
   */
  private sendWhenDue(): void {
    const wait = this.lastSentAt + this.minIntervalMs - Date.now();
    if (wait <= 0 || this.closed) return this.send();
    this.pause = setTimeout(() => {
      this.pause = null;
      this.send();
    }, wait);
  }

  private send(): void {
    this.sending = true;
    this.sendAgain = false;
    this.sent++;
    this.lastSentAt = Date.now();
    this.inFlight = Promise.resolve(
      this.orm.em.getConnection().getKnex().raw('select pg_notify(?, ?)', [NOTIFY_CHANNEL, this.options.instanceId]),
    )
      .then(
        () => {},
        (e: unknown) => this.options.onError(e),
      )
      .finally(() => {
        this.sending = false;
        if (!this.sendAgain) return;
        // Commits that came in meanwhile get one follow-up, at most one per minIntervalMs: under
        // load that is a NOTIFY per interval rather than one per commit.
        this.sendWhenDue();
      });
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.options.url! });
    client.on('notification', (msg) => {
      if (msg.channel === PROJECT_CHANGED_CHANNEL) return this.options.onProjectChanged?.(msg.payload ?? '');
      if (msg.payload !== this.options.instanceId) this.options.onWake();
    });
    client.on('error', (e) => {
      (this.options.onConnectionLost ?? this.options.onError)(e);
      this.reconnect(client);
    });
    client.on('end', () => this.reconnect(client));
    try {
      await client.connect();
      await client.query(`listen ${NOTIFY_CHANNEL}; listen ${PROJECT_CHANGED_CHANNEL}`);
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
    if (this.pause) {
      // The last commits before the shutdown still reach the other instances now.
      clearTimeout(this.pause);
      this.pause = null;
      this.send();
    }
    while (this.sending) await this.inFlight;
  }
}
