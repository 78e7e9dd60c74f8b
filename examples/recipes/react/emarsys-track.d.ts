// The script tag's global, typed with the SDK package's own types
// (`npm install emarsys-track` for the types, or import createTracker instead: see README.md
// for installing the package before it is on the npm registry).
import type { CartInput, OrderInput, Result } from 'emarsys-track';

declare global {
  interface Window {
    emarsysTrack: {
      cart(cart: CartInput): Promise<Result>;
      order(order: OrderInput): Promise<Result>;
    };
  }
}
