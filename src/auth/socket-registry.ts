import type { Principal } from './principal';

/** WebSocket close code for "your token is no longer valid" (graphql-ws clients reconnect with fresh connectionParams). */
export const TOKEN_REFUSED_CLOSE_CODE = 4403;

const MAX_TIMER_MS = 2 ** 31 - 1;

interface Entry {
  principal: Principal;
  close: (code: number, reason: string) => void;
  timer: NodeJS.Timeout | null;
}

/**
 * The open WebSockets of this instance by token: a revoked token's sockets are closed with 4403
 * at once, and each socket is closed at its token's expiry.
 */
export class SocketRegistry {
  private readonly byToken = new Map<string, Set<Entry>>();

  constructor(private readonly now: () => Date) {}

  /** Returns the function to call when the socket closes. */
  add(principal: Principal, close: (code: number, reason: string) => void): () => void {
    const entry: Entry = { principal, close, timer: null };
    if (principal.tokenId) {
      let set = this.byToken.get(principal.tokenId);
      if (!set) this.byToken.set(principal.tokenId, (set = new Set()));
      set.add(entry);
    }
    if (principal.expiresAt) this.armExpiry(entry, principal.expiresAt.getTime());
    return () => this.remove(entry);
  }

  revoked(tokenId: string): void {
    for (const entry of [...(this.byToken.get(tokenId) ?? [])]) {
      this.remove(entry);
      entry.close(TOKEN_REFUSED_CLOSE_CODE, 'Forbidden: API token revoked');
    }
  }

  tokenIds(): string[] {
    return [...this.byToken.keys()];
  }

  get size(): number {
    let n = 0;
    for (const set of this.byToken.values()) n += set.size;
    return n;
  }

  private armExpiry(entry: Entry, at: number): void {
    const wait = at - this.now().getTime();
    if (wait <= 0) {
      this.remove(entry);
      entry.close(TOKEN_REFUSED_CLOSE_CODE, 'Forbidden: API token expired');
      return;
    }
    // setTimeout holds at most ~24.8 days: re-arm until the expiry is within reach.
    entry.timer = setTimeout(() => this.armExpiry(entry, at), Math.min(wait, MAX_TIMER_MS));
    entry.timer.unref();
  }

  private remove(entry: Entry): void {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
    const id = entry.principal.tokenId;
    if (!id) return;
    const set = this.byToken.get(id);
    set?.delete(entry);
    if (set?.size === 0) this.byToken.delete(id);
  }
}
