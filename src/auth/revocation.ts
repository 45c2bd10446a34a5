import { Client } from 'pg';

/** The channel revocations travel on (payload: the token id). Its own channel, apart from the event wake-ups. */
export const TOKEN_REVOKED_CHANNEL = 'taskq_token_revoked';

export interface RevocationListenerOptions {
  url: string;
  /** A token was revoked (here or on another instance). */
  onRevoked: (tokenId: string) => void;
  /** The LISTEN connection (re)connected: notifications may have been missed meanwhile. */
  onListening: () => void;
  onError: (e: unknown) => void;
}

/**
 * LISTEN on TOKEN_REVOKED_CHANNEL so a revocation reaches every instance at once: each one
 * drops the token from its cache and closes the token's WebSockets with 4403. Reconnects with
 * backoff; after a reconnect the owner re-checks its open sockets (onListening).
 */
export class RevocationListener {
  private client: Client | null = null;
  private closed = false;
  private delay = 100;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: RevocationListenerOptions) {}

  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.options.url });
    client.on('notification', (msg) => {
      if (msg.channel === TOKEN_REVOKED_CHANNEL && msg.payload) this.options.onRevoked(msg.payload);
    });
    client.on('error', (e) => {
      this.options.onError(e);
      this.retry(client);
    });
    client.on('end', () => this.retry(client));
    try {
      await client.connect();
      await client.query(`listen ${TOKEN_REVOKED_CHANNEL}`);
    } catch (e) {
      client.removeAllListeners('end');
      client.end().catch(() => {});
      throw e;
    }
    if (this.closed) {
      client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.delay = 100;
    this.options.onListening();
  }

  private retry(client: Client): void {
    if (this.closed || this.client !== client) return;
    this.client = null;
    client.removeAllListeners('end');
    client.end().catch(() => {});
    const attempt = () => {
      this.timer = null;
      if (this.closed) return;
      this.connect().catch((e: unknown) => {
        this.options.onError(e);
        this.delay = Math.min(this.delay * 2, 5_000);
        this.timer = setTimeout(attempt, this.delay);
      });
    };
    this.timer = setTimeout(attempt, this.delay);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = null;
    if (client) {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
    }
  }
}
