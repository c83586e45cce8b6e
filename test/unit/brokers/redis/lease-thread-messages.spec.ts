import { applyLeaseChanges } from '../../../../lib/brokers/redis/lease-thread.messages.js';

describe('lease changes sent to the lease thread', () => {
  it('replays holds and releases of one batch in the order they happened', () => {
    const seen: string[] = [];
    const batch = JSON.stringify([
      'h',
      'q',
      '1',
      't1',
      'r',
      'q',
      '1',
      'h',
      'q\tx',
      '1',
      't2',
      'r',
      'other',
      '9',
    ]);
    applyLeaseChanges(
      batch,
      (queue, mid, token) => seen.push(`hold ${queue} ${mid} ${token}`),
      (queue, mid) => seen.push(`release ${queue} ${mid}`),
    );
    expect(seen).toEqual(['hold q 1 t1', 'release q 1', 'hold q\tx 1 t2', 'release other 9']);
  });
});
