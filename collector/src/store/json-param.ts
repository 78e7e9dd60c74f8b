// Rows and lists travel to set-based statements as one JSON parameter (Dialect.recordset,
// Dialect.values): bigints (money) as decimal strings, exact on both engines.
export const jsonParam = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
