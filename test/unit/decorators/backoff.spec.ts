import { backoffDelay, DEFAULT_BACKOFF, resolveBackoff } from '../../../lib/decorators/backoff.js';

describe('backoff schedule', () => {
  it('fixed backoff waits the same delay every time', () => {
    const options = resolveBackoff({ type: 'fixed', delay: 250, jitter: false });
    expect([1, 2, 3, 10].map((retry) => backoffDelay(options, retry))).toEqual([250, 250, 250, 250]);
  });

  it('fixed means fixed: no jitter unless jitter: true is asked for', () => {
    const drawn = () => 0;
    expect(backoffDelay(resolveBackoff({ type: 'fixed', delay: 800 }), 2, drawn)).toBe(800);
    expect(backoffDelay({ type: 'fixed', delay: 800, jitter: true }, 2, drawn)).toBe(400);
  });

  it('exponential backoff is jittered by default', () => {
    expect(backoffDelay({ type: 'exponential', delay: 1_000 }, 1, () => 0)).toBe(500);
  });

  it('exponential backoff doubles from the base delay and stops at maxDelay', () => {
    const options = { type: 'exponential' as const, delay: 1_000, maxDelay: 5_000, jitter: false };
    expect([1, 2, 3, 4, 5].map((retry) => backoffDelay(options, retry))).toEqual([
      1_000, 2_000, 4_000, 5_000, 5_000,
    ]);
  });

  it('jitter draws from the upper half of the scheduled delay', () => {
    const options = { type: 'exponential' as const, delay: 1_000, jitter: true };
    expect(backoffDelay(options, 3, () => 0)).toBe(2_000);
    expect(backoffDelay(options, 3, () => 0.5)).toBe(3_000);
    expect(backoffDelay(options, 3, () => 0.999_999)).toBe(4_000);
  });

  it('defaults to exponential from 1 s with jitter; a number means a fixed delay', () => {
    expect(resolveBackoff(undefined)).toEqual(DEFAULT_BACKOFF);
    expect(resolveBackoff(300)).toEqual({ type: 'fixed', delay: 300, jitter: false });
  });

  it('caps at 10 minutes when no maxDelay is given', () => {
    expect(backoffDelay({ type: 'exponential', delay: 1_000, jitter: false }, 30)).toBe(600_000);
  });
});
