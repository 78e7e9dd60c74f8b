// Console output: warnings always (bad input and lost events must be seen), every other
// decision only with `debug: true`.

export const PREFIX = '[emarsys-track]';

export interface Log {
  /** A decision (captured, built, sent, queued, retried, dropped); shown only with `debug: true`. */
  _debug(...args: unknown[]): void;
  /** Bad input or an event lost for good; always shown. */
  _warn(message: string): void;
}

export type LogOutput = Pick<Console, 'log' | 'warn'>;

export const createLog = (debug: unknown, out: LogOutput = console): Log => ({
  _debug: (...args) => debug && out.log(PREFIX, ...args),
  _warn: (message) => out.warn(PREFIX + ' ' + message),
});
