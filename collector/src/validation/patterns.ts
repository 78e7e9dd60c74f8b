// Patterns the collector checks besides the wire schemas (the same text as the protocol's,
// so a field refused by either reads the same reason).

/** Free text and IDs: C0 control characters and DEL are refused (they break CSV, logs and dashboards). */
export const TEXT_PATTERN = '^[^\\u0000-\\u001F\\u007F]*$';
/** Contact email: one `@`, no spaces, quotes or angle brackets. */
export const EMAIL_PATTERN = '^[^\\s@<>"]+@[^\\s@<>"]+$';
/** Customer (account) IDs. */
export const CUSTOMER_ID_PATTERN = '^[A-Za-z0-9_-]+$';
