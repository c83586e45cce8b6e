import { OutageLog } from '../../../../lib/brokers/outage-log.js';
import { redisConsumerLiveness } from '../../../../lib/brokers/redis/consumer-liveness.js';
import type { RedisClient } from '../../../../lib/redis/redis-connection.js';

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

describe('redisConsumerLiveness', () => {
  const owner = {};
  const blockingIn = (status: string) => ({ status }) as unknown as RedisClient;

  it('is alive while its fetches work and its blocking connection is up', () => {
    const outages = new OutageLog('Redis at test', quiet);
    const state = { cancelled: false, owner, outages, blocking: blockingIn('ready') };
    expect(redisConsumerLiveness(state)).toEqual({ alive: true });
  });

  it('says why its fetches fail, until they work again', () => {
    const outages = new OutageLog('Redis at test', quiet);
    const state = { cancelled: false, owner, outages, blocking: blockingIn('ready') };
    outages.down(owner, 'queue "q": cannot fetch: ECONNREFUSED');
    expect(redisConsumerLiveness(state)).toEqual({
      alive: false,
      reason: 'queue "q": cannot fetch: ECONNREFUSED',
    });
    outages.up(owner);
    expect(redisConsumerLiveness(state)).toEqual({ alive: true });
  });

  it('is not alive while its blocking connection is dropped, with that connection’s error', () => {
    const outages = new OutageLog('Redis at test', quiet);
    const blocking = blockingIn('reconnecting');
    outages.down(blocking, 'connect ECONNREFUSED 127.0.0.1:1');
    expect(redisConsumerLiveness({ cancelled: false, owner, outages, blocking })).toEqual({
      alive: false,
      reason: 'its blocking connection to Redis is reconnecting (connect ECONNREFUSED 127.0.0.1:1)',
    });
    expect(redisConsumerLiveness({ cancelled: true, owner, outages, blocking })).toEqual({
      alive: false,
      reason: 'cancelled',
    });
  });
});
