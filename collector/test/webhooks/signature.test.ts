import { describe, expect, it } from 'vitest';
import { signature } from '../../src/webhooks/signature.js';

// the Standard Webhooks specification's own test vector (its libraries' test suites use it)
const VECTOR = { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', id: 'msg_p5jXN8AQM9LWM0D4loKWxJek', timestamp: 1614265330, body: '{"test": 2432232314}' };
const VECTOR_SIGNATURE = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';

describe('webhook signatures', () => {
  it('signs "<id>.<timestamp>.<body>" as Standard Webhooks does, once per secret', () => {
    const { secret, id, timestamp, body } = VECTOR;
    expect(signature([secret], id, timestamp, body)).toBe(VECTOR_SIGNATURE);
    expect(signature([secret], id, timestamp + 1, body)).not.toBe(VECTOR_SIGNATURE);
    expect(signature([secret], `${id}x`, timestamp, body)).not.toBe(VECTOR_SIGNATURE);
    const other = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
    expect(signature([other, secret], id, timestamp, body)).toBe(`${signature([other], id, timestamp, body)} ${VECTOR_SIGNATURE}`);
  });
});
