// A logged event as text (PostgreSQL's ingest_log.entry): JSON, money as decimal strings.
import { jsonParam } from '../json-param.js';
import type { EventRecord, StoredItem } from '../types.js';

export const encodeEvent = (ev: EventRecord): string => jsonParam(ev);

type Wire<T> = { [K in keyof T]: T[K] extends bigint ? string : T[K] extends bigint | null ? string | null : T[K] };

export function decodeEvent(text: string): EventRecord {
  const e = JSON.parse(text) as Wire<EventRecord> & { items: Wire<StoredItem>[] };
  return {
    ...e,
    total: BigInt(e.total),
    tax: e.tax === null ? null : BigInt(e.tax),
    shipping: e.shipping === null ? null : BigInt(e.shipping),
    items: e.items.map((i) => ({ ...i, price: BigInt(i.price) })),
  } as EventRecord;
}
