// What a failure becomes in an answer (collector/src/routes/errors.ts): a statement the
// database could not run now is a 503 the client retries, never a 500; a client gone
// mid-body is no server error. And how database errors are told apart
// (collector/src/store/failures.ts): the projector retries a batch whole on the same ones.
import { describe, expect, it } from 'vitest';
import { DatabaseUnavailableError } from '../src/errors.js';
import { errorAnswer } from '../src/routes/errors.js';
import { failureOf } from '../src/store/failures.js';

const dbError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('error answers', () => {
  it.each([
    ['57014', 'canceling statement due to statement timeout'],
    ['55P03', 'canceling statement due to lock timeout'],
    ['53100', 'could not extend file: No space left on device'],
    ['40P01', 'deadlock detected'],
    ['SQLITE_FULL', 'database or disk is full'],
  ])('answers 503 with Retry-After for %s (%s): nothing stored, retry', (code, message) => {
    expect(errorAnswer(dbError(code, message))).toMatchObject({ status: 503, body: { error: 'unavailable' }, headers: { 'retry-after': '2' } });
  });

  it('answers 500 for a statement that is wrong, and 400 for a client gone mid-body', () => {
    expect(errorAnswer(dbError('42703', 'column "x" does not exist')).status).toBe(500);
    expect(errorAnswer(dbError('ECONNRESET', 'aborted'))).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
  });
});

describe('database failures', () => {
  it.each([
    // the server cannot be reached
    [dbError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'), 'unreachable'],
    [dbError('08006', 'connection failure'), 'unreachable'],
    [dbError('57P01', 'terminating connection due to administrator command'), 'unreachable'],
    [new Error('Connection terminated unexpectedly'), 'unreachable'],
    [new Error('timeout exceeded when trying to connect'), 'unreachable'],
    [new Error('Query read timeout'), 'unreachable'],
    [new DatabaseUnavailableError(new Error('down')), 'unreachable'],
    // there, but the statement cannot run now
    [dbError('57014', 'canceling statement due to statement timeout'), 'busy'],
    [dbError('55P03', 'canceling statement due to lock timeout'), 'busy'],
    [dbError('40001', 'could not serialize access'), 'busy'],
    [dbError('25P03', 'terminating connection due to idle-in-transaction timeout'), 'busy'],
    [dbError('SQLITE_BUSY', 'database is locked'), 'busy'],
    [dbError('SQLITE_FULL', 'database or disk is full'), 'busy'],
    [dbError('ENOSPC', 'no space left on device'), 'busy'],
    // the statement's own fault: it would fail again
    [dbError('23505', 'duplicate key value violates unique constraint'), undefined],
    [dbError('SQLITE_CONSTRAINT_NOTNULL', 'NOT NULL constraint failed: orders.currency'), undefined],
    [new Error('value too long'), undefined],
  ])('%s is %s', (err, failure) => {
    expect(failureOf(err)).toBe(failure);
  });
});
