// Console output: warnings always (bad input and lost events must be seen), every other
// decision only with `debug: true`.

export const PREFIX = '[emarsys-track]';

/** A decision (captured, built, sent, queued, retried, dropped); shown only with `debug: true`. */
export type Debug = (...args: unknown[]) => unknown;

export const debugLog =
  (on: unknown): Debug =>
  (...args) =>
    on && console.log(PREFIX, ...args);

/** Bad input or an event lost for good; always shown. */
export const warn = (message: string) => console.warn(PREFIX + ' ' + message);
