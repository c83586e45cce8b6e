import { RevokedChecks } from '../../../../lib/backends/redis/revoked-checks.js';

describe('revoke checks of one turn', () => {
  it('go out as one read, each answered from its own key, a key asked twice read once', async () => {
    const reads: string[][] = [];
    const stored = new Map([['revoked:b', '1']]);
    const checks = new RevokedChecks((keys) => {
      reads.push(keys);
      return Promise.resolve(keys.map((key) => stored.get(key) ?? null));
    });
    const answers = await Promise.all(
      ['revoked:a', 'revoked:b', 'revoked:c', 'revoked:b'].map((k) => checks.has(k)),
    );
    expect(answers).toEqual([false, true, false, true]);
    expect(reads).toEqual([['revoked:a', 'revoked:b', 'revoked:c']]);

    expect(await checks.has('revoked:b')).toBe(true);
    expect(reads).toHaveLength(2);
  });

  it('join checks asked from promise reactions of the same turn', async () => {
    const reads: string[][] = [];
    const checks = new RevokedChecks((keys) => {
      reads.push(keys);
      return Promise.resolve(keys.map(() => null));
    });
    const later = (key: string): Promise<boolean> =>
      Promise.resolve()
        .then(() => undefined)
        .then(() => checks.has(key));
    await Promise.all([checks.has('k1'), later('k2'), later('k3')]);
    expect(reads).toEqual([['k1', 'k2', 'k3']]);
  });

  it('reject every check of a batch whose read failed, and read again next time', async () => {
    let fail = true;
    const checks = new RevokedChecks((keys) =>
      fail ? Promise.reject(new Error('connection lost')) : Promise.resolve(keys.map(() => '1')),
    );
    const results = await Promise.allSettled([checks.has('x'), checks.has('y')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason).toEqual(new Error('connection lost'));
    fail = false;
    expect(await checks.has('x')).toBe(true);
  });
});
