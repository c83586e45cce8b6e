import { BadRequestException, ServiceUnavailableException } from '@nestjs/common';
import { NonRetryableError } from '../../../lib/errors/non-retryable.error.js';
import { RetryRequest } from '../../../lib/errors/retry-request.error.js';
import { TaskRevokedError } from '../../../lib/errors/task-revoked.error.js';
import { decideFailure } from '../../../lib/worker/retry-policy.js';

const definition = { retries: 3, backoff: { type: 'fixed' as const, delay: 100, jitter: false } };

describe('retry policy', () => {
  it('retries an ordinary error while retries remain, with the backoff delay', () => {
    const error = new Error('flaky');
    expect(decideFailure(definition, { retries: 0 }, error)).toEqual({ kind: 'retry', delayMs: 100, error });
    expect(decideFailure(definition, { retries: 2 }, error)).toEqual({ kind: 'retry', delayMs: 100, error });
  });

  it('fails once the retries are spent', () => {
    const error = new Error('flaky');
    expect(decideFailure(definition, { retries: 3 }, error)).toEqual({ kind: 'fail', error });
  });

  it('never retries a client error from a pipe or guard (HttpException 4xx), but retries a 5xx', () => {
    const refused = new BadRequestException('seats must not be less than 1');
    expect(decideFailure(definition, { retries: 0 }, refused)).toEqual({ kind: 'fail', error: refused });
    const unavailable = new ServiceUnavailableException();
    expect(decideFailure(definition, { retries: 0 }, unavailable).kind).toBe('retry');
  });

  it('never retries a NonRetryableError', () => {
    const error = new NonRetryableError('bad input');
    expect(decideFailure(definition, { retries: 0 }, error)).toEqual({ kind: 'fail', error });
  });

  it('honours the countdown of a retry request and reports its reason', () => {
    const reason = new Error('rate limited upstream');
    expect(decideFailure(definition, { retries: 1 }, new RetryRequest(5_000, reason))).toEqual({
      kind: 'retry',
      delayMs: 5_000,
      error: reason,
    });
  });

  it('turns a retry request with no retries left into MaxRetriesExceededError', () => {
    const decision = decideFailure(definition, { retries: 3 }, new RetryRequest(10));
    expect(decision.kind).toBe('fail');
    expect((decision.error as Error).name).toBe('MaxRetriesExceededError');
    expect((decision.error as Error).message).toMatch(/3 retries are spent/);
  });

  it('treats revocation as final', () => {
    const error = new TaskRevokedError('t1');
    expect(decideFailure(definition, { retries: 0 }, error)).toEqual({ kind: 'revoked', error });
  });

  it('uses exponential backoff per retry number', () => {
    const exponential = { retries: 5, backoff: { type: 'exponential' as const, delay: 100, jitter: false } };
    const delays = [0, 1, 2, 3].map((retries) => {
      const decision = decideFailure(exponential, { retries }, new Error('x'));
      return decision.kind === 'retry' ? decision.delayMs : -1;
    });
    expect(delays).toEqual([100, 200, 400, 800]);
  });
});
