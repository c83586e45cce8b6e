import { NonRetryableError } from '../../../../lib/errors/non-retryable.error.js';
import { RetryRequest } from '../../../../lib/errors/retry-request.error.js';
import { fromWireError, toWireError } from '../../../../lib/worker/pools/child-protocol.js';

/** What a task error becomes after crossing from a child to its parent. */
function cross(error: unknown): Error {
  return fromWireError(JSON.parse(JSON.stringify(toWireError(error))));
}

class OutOfStock extends NonRetryableError {}

describe('errors across the pool boundary', () => {
  it('keep name, message, stack and code', () => {
    const original = Object.assign(new TypeError('bad input'), { code: 'E_INPUT' });
    const crossed = cross(original);
    expect(crossed).toMatchObject({ name: 'TypeError', message: 'bad input', code: 'E_INPUT' });
    expect(crossed.stack).toBe(original.stack);
  });

  it('a non-retryable error (or subclass) stays non-retryable, under its own name', () => {
    const crossed = cross(new OutOfStock('sold out'));
    expect(crossed).toBeInstanceOf(NonRetryableError);
    expect(crossed).toMatchObject({ name: 'OutOfStock', message: 'sold out' });
  });

  it('a retry request keeps its countdown and reason', () => {
    const crossed = cross(new RetryRequest(250, new Error('busy')));
    expect(crossed).toBeInstanceOf(RetryRequest);
    expect(crossed).toMatchObject({ countdownMs: 250, reason: { message: 'busy' } });
  });

  it('anything else thrown becomes an Error saying what it was', () => {
    expect(cross('plain string')).toMatchObject({ name: 'Error', message: 'plain string' });
    expect(cross({ status: 500 })).toMatchObject({ name: 'Error', message: '{"status":500}' });
  });

  it('errors from another realm (a thread, a vm context) are still errors', () => {
    const foreign = Object.create(Object.prototype, {
      name: { value: 'RangeError' },
      message: { value: 'too far' },
      stack: { value: 'RangeError: too far\n    at elsewhere' },
    }) as unknown;
    expect(toWireError(foreign)).toEqual({
      name: 'RangeError',
      message: 'too far',
      stack: 'RangeError: too far\n    at elsewhere',
    });
  });
});
