// Thank You page: records the order, once. Render it anywhere on the page:
//   <ThankYouTracking order={{ orderId: order.number, items, total: order.total, currency: 'EUR' }} />
// A re-render (or StrictMode's double effect in development) must not resend: the ref keeps
// the order ID already passed to the SDK, which itself drops a repeated orderId too.
import { useEffect, useRef } from 'react';
import type { OrderInput } from 'emarsys-track';

export function ThankYouTracking({ order }: { order: OrderInput }): null {
  const sent = useRef<string | undefined>(undefined);

  useEffect(() => {
    const id = String(order.orderId);
    if (sent.current === id) return;
    sent.current = id;
    // The SDK reports bad input in the console and never throws; nothing to handle here.
    window.emarsysTrack.order(order).catch(() => {});
  }, [order]);

  return null;
}
