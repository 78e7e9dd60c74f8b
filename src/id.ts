// Event, visitor and cart IDs. `crypto.randomUUID` exists only in secure contexts (https,
// localhost); elsewhere 16 random bytes in hex are just as unique.
export const uuid = (): string =>
  crypto.randomUUID?.() || Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => (b + 256).toString(16).slice(1)).join('');
