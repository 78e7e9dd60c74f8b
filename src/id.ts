// Event, visitor and cart IDs. `crypto.randomUUID` exists only in secure contexts (https,
// localhost); elsewhere the time in ms and a Math.random() number (about 52 random bits within
// one millisecond) are as unique: these IDs need no secrecy, only no collisions.
export const uuid = (): string => crypto.randomUUID?.() || Date.now() + '' + Math.random();
