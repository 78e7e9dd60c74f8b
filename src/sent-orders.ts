// Order IDs this browser has already tracked, so that a reload of the Thank You page does
// not send the order again (SPEC 3.2). Bounded: only the latest ones matter.
import { ORDERS, readJson, type Store } from './storage.js';

export const MAX_ORDERS = 20;

export function sentOrders(store: Store) {
  const list = (): string[] => [].concat(readJson(store, ORDERS) || []);
  return {
    _has: (orderId: string) => list().indexOf(orderId) >= 0,
    _add: (orderId: string) => store._set(ORDERS, JSON.stringify(list().concat(orderId).slice(-MAX_ORDERS))),
  };
}
