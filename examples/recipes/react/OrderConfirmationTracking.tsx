// Order Confirmation page (the checkout review before payment): starts the abandoned-cart
// clock. The cart is sent again only when its content changes (a quantity edited on the
// review page), not on every render.
import { useEffect, useRef } from 'react';
import type { CartInput } from 'emarsys-track';

export function OrderConfirmationTracking({ cart }: { cart: CartInput }): null {
  const sent = useRef<string | undefined>(undefined);

  useEffect(() => {
    const content = JSON.stringify(cart);
    if (sent.current === content) return;
    sent.current = content;
    window.emarsysTrack.cart(cart).catch(() => {});
  }, [cart]);

  return null;
}
