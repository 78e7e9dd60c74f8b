// What a failure becomes in an answer (collector/src/routes/errors.ts): a statement the
// database could not run now is a 503 the client retries, never a 500; a client gone
// mid-body is no server error.
import { describe, expect, it } from 'vitest';
import { errorAnswer } from '../src/routes/errors.js';

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
