// Console output: warnings always (bad input and lost events must be seen), every other
// decision only with `debug: true`.

export const PREFIX = '[emarsys-track]';

export interface Log {
  /** A decision (captured, built, sent, queued, retried, dropped); shown only with `debug: true`. */
  _debug(...args: unknown[]): void;
  /** Bad input or an event lost for good; always shown. */
  _warn(message: string): void;
}

export const createLog = (debug?: unknown): Log => ({
  _debug: (...args) => debug && console.log(PREFIX, ...args),
  _warn: (message) => console.warn(PREFIX + ' ' + message),
});
