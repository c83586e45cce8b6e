import { queueKeys } from '../../../../lib/brokers/redis/redis-keys.js';

/** What Redis Cluster hashes: the text between the first `{` and the next `}`, when not empty. */
function hashTag(key: string): string {
  const open = key.indexOf('{');
  const close = key.indexOf('}', open + 1);
  return open >= 0 && close > open + 1 ? key.slice(open + 1, close) : key;
}

describe('queueKeys', () => {
  it('puts every key of a queue under the hash tag {prefix:queue}', () => {
    const keys = Object.values(queueKeys('celeriac', 'reports'));
    expect(keys).toHaveLength(7);
    expect(new Set(keys).size).toBe(7);
    for (const key of keys) expect(hashTag(key)).toBe('celeriac:reports');
  });

  it('gives different queues and prefixes different tags', () => {
    expect(hashTag(queueKeys('a', 'q').ready)).not.toBe(hashTag(queueKeys('a', 'r').ready));
    expect(hashTag(queueKeys('a', 'q').ready)).not.toBe(hashTag(queueKeys('b', 'q').ready));
  });

  it('accepts dots, colons and dashes but refuses braces and empty names', () => {
    expect(queueKeys('app:prod', 'emails.high-priority').ready).toBe('{app:prod:emails.high-priority}:ready');
    expect(() => queueKeys('celeriac', 'q{x}')).toThrow(
      /queue name "q\{x\}" must be non-empty and contain no "\{" or "\}"/,
    );
    expect(() => queueKeys('cel}', 'q')).toThrow(/prefix/);
    expect(() => queueKeys('celeriac', '')).toThrow(/queue name/);
  });
});
