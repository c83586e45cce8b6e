import { jest } from '@jest/globals';
import type { Logger } from '@nestjs/common';
import { LeaseKeeper } from '../../../../lib/brokers/redis/lease-keeper.js';

describe('LeaseKeeper', () => {
  const warn = jest.fn();
  const logger = { warn } as unknown as Logger;
  let renew: jest.Mock<(queue: string, pairs: string[]) => Promise<string[]>>;

  beforeEach(() => {
    jest.useFakeTimers();
    warn.mockReset();
    renew = jest.fn((_queue: string, _pairs: string[]) => Promise.resolve([] as string[]));
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('renews every held lease of a queue in one call per period, and stops when none is held', async () => {
    const keeper = new LeaseKeeper(1_000, renew, logger);
    keeper.hold('q', '1', 't1');
    keeper.hold('q', '2', 't2');
    keeper.hold('other', '9', 't9');

    await jest.advanceTimersByTimeAsync(1_000);
    expect(renew.mock.calls.sort()).toEqual([
      ['other', ['9', 't9']],
      ['q', ['1', 't1', '2', 't2']],
    ]);

    keeper.release('q', '1');
    keeper.release('q', '2');
    keeper.release('other', '9');
    renew.mockClear();
    await jest.advanceTimersByTimeAsync(5_000);
    expect(renew).not.toHaveBeenCalled();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('drops and reports a lease that was lost, unless it was settled meanwhile', async () => {
    const keeper = new LeaseKeeper(1_000, renew, logger);
    keeper.hold('q', '1', 't1');
    keeper.hold('q', '2', 't2');
    renew.mockResolvedValueOnce(['1']);

    await jest.advanceTimersByTimeAsync(1_000);
    expect(warn).toHaveBeenCalledWith(
      expect.stringContaining('lease of message 1 ended before it was renewed'),
    );
    renew.mockClear();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(renew).toHaveBeenCalledWith('q', ['2', 't2']);
    keeper.stop();
  });

  it('skips a round its renewing hook refuses, keeping the leases for the next, and leaves the report of a lost one to its hook', async () => {
    let renewing = false;
    const lost = jest.fn();
    const keeper = new LeaseKeeper(1_000, renew, logger, { renewing: () => renewing, lost });
    keeper.hold('q', '1', 't1');
    await jest.advanceTimersByTimeAsync(3_000);
    expect(renew).not.toHaveBeenCalled();

    renewing = true;
    renew.mockResolvedValueOnce(['1']);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(renew).toHaveBeenCalledWith('q', ['1', 't1']);
    expect(lost).toHaveBeenCalledWith('q', '1', 't1');
    // The hook's owner knows whether the delivery settled meanwhile (a release on its way).
    expect(warn).not.toHaveBeenCalled();
    keeper.stop();
  });

  it('keeps renewing after Redis could not be reached', async () => {
    const keeper = new LeaseKeeper(1_000, renew, logger);
    keeper.hold('q', '1', 't1');
    renew.mockRejectedValueOnce(new Error('connection refused'));

    await jest.advanceTimersByTimeAsync(1_000);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('could not renew leases (connection refused)'));
    await jest.advanceTimersByTimeAsync(1_000);
    expect(renew).toHaveBeenCalledTimes(2);
    keeper.stop();
    expect(jest.getTimerCount()).toBe(0);
  });
});
