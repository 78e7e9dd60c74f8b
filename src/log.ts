// Console output: warnings always (bad input and lost events must be seen), decisions only
// with `debug: true` (delivery.ts, retry-queue.ts).

export const PREFIX = '[emarsys-track]';

/** Bad input or an event lost for good; always shown. */
export const warn = (message: string) => console.warn(PREFIX, message);
