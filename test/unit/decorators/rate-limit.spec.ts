import { TaskDefinitionError } from '../../../lib/errors/task-definition.error.js';
import { parseRateLimit } from '../../../lib/decorators/rate-limit.js';
import { TokenBucket } from '../../../lib/worker/token-bucket.js';

describe('rate-limit parsing', () => {
  it.each([
    ['10/s', 10, 1_000],
    ['100/m', 100, 60_000],
    ['5/h', 5, 3_600_000],
    [' 2.5 / s ', 2.5, 1_000],
  ])('parses %j', (text, tokens, periodMs) => {
    expect(parseRateLimit(text)).toEqual({ tokens, periodMs });
  });

  it('takes a number as tasks per second', () => {
    expect(parseRateLimit(20)).toEqual({ tokens: 20, periodMs: 1_000 });
  });

  it.each(['10/d', 'ten/s', '10', '/s', '0/s', '-1/s', ''])(
    'rejects %j with a message naming the option',
    (text) => {
      expect(() => parseRateLimit(text, '@Task on A.b(): rateLimit')).toThrow(TaskDefinitionError);
      expect(() => parseRateLimit(text, '@Task on A.b(): rateLimit')).toThrow(
        /@Task on A\.b\(\): rateLimit: ".*" is not a rate limit/,
      );
    },
  );

  it.each([0, -5, Number.NaN, Number.POSITIVE_INFINITY])('rejects the number %p', (value) => {
    expect(() => parseRateLimit(value)).toThrow(/not a positive number/);
  });
});

describe('token bucket', () => {
  it('lets the first start through, then spaces starts evenly at the rate', () => {
    let now = 0;
    const bucket = new TokenBucket({ tokens: 10, periodMs: 1_000 }, () => now);
    expect(bucket.reserve()).toBe(0);
    expect(bucket.reserve()).toBe(100);
    expect(bucket.reserve()).toBe(200);
    now = 1_000;
    // The backlog of two reservations was paid back by the elapsed second.
    expect(bucket.reserve()).toBe(0);
  });

  it('never stores more than one token, so an idle period does not allow a burst', () => {
    let now = 0;
    const bucket = new TokenBucket({ tokens: 100, periodMs: 60_000 }, () => now);
    now = 3_600_000;
    expect(bucket.reserve()).toBe(0);
    expect(bucket.reserve()).toBe(600);
  });
});
