// Event, visitor and cart IDs. `crypto.randomUUID` exists only in secure contexts (https,
// localhost); elsewhere two Math.random() numbers (about 104 random bits) are as unique: these
// IDs need no secrecy, only no collisions.
export const uuid = (): string => crypto.randomUUID?.() || Math.random() + '-' + Math.random();
