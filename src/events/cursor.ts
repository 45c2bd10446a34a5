import { BadInputError } from '../domain/errors';

/** A position in the event log: (transaction id, event id), see events.sql.ts. */
export interface EventPosition {
  txid: string;
  id: string;
}

export const ORIGIN: EventPosition = { txid: '0', id: '0' };

/** Both parts zero-padded so cursors also sort as plain strings. */
export function encodeCursor(p: EventPosition): string {
  return `${p.txid.padStart(20, '0')}-${p.id.padStart(20, '0')}`;
}

export function decodeCursor(cursor: string): EventPosition {
  const m = /^(\d{1,20})-(\d{1,20})$/.exec(cursor.trim());
  if (!m) throw new BadInputError(`afterCursor "${cursor.slice(0, 60)}" is not an event cursor returned by this API`, { field: 'afterCursor' });
  return { txid: BigInt(m[1]!).toString(), id: BigInt(m[2]!).toString() };
}

export function comparePositions(a: EventPosition, b: EventPosition): number {
  const tx = BigInt(a.txid) - BigInt(b.txid);
  if (tx !== 0n) return tx < 0n ? -1 : 1;
  const id = BigInt(a.id) - BigInt(b.id);
  return id === 0n ? 0 : id < 0n ? -1 : 1;
}
