import type { Redis } from 'ioredis';
import { createRedisClient } from '../../../lib/redis/redis-connection.js';
import { commandTimeoutOf, connectDeadlineOf } from '../../../lib/redis/redis-deadlines.js';

describe('Redis command deadlines', () => {
  it('every command connection gets commandTimeoutMs (default 2 s); a blocking one gets block time + margin instead', () => {
    const command = <Redis>createRedisClient('redis://127.0.0.1:1', {}, 'command');
    const subscriber = <Redis>(
      createRedisClient('redis://127.0.0.1:1', { commandTimeoutMs: 700 }, 'subscriber')
    );
    const blocking = <Redis>createRedisClient('redis://127.0.0.1:1', { commandTimeoutMs: 700 }, 'blocking');
    // A consumer that times its reads itself (and keeps one left unanswered) gets no ioredis deadline.
    const ownDeadline = <Redis>(
      createRedisClient(
        'redis://127.0.0.1:1',
        { commandTimeoutMs: 700 },
        'blocking',
        'x',
        undefined,
        'caller',
      )
    );
    try {
      expect(command.options.commandTimeout).toBe(2_000);
      expect(subscriber.options.commandTimeout).toBe(700);
      expect(blocking.options).toMatchObject({ blockingTimeout: 700, blockingTimeoutGrace: 700 });
      expect(blocking.options.commandTimeout).toBeUndefined();
      expect(ownDeadline.options).toMatchObject({ blockingTimeoutGrace: 700 });
      expect(ownDeadline.options.blockingTimeout).toBeUndefined();
      expect(ownDeadline.options.commandTimeout).toBeUndefined();
      expect(connectDeadlineOf(ownDeadline.options)).toBe(connectDeadlineOf(blocking.options));
    } finally {
      for (const client of [command, subscriber, blocking, ownDeadline]) client.disconnect();
    }
  });

  it('takes redisOptions.commandTimeout when commandTimeoutMs is unset, and names the setting when it is wrong', () => {
    expect(commandTimeoutOf({ redisOptions: { commandTimeout: 900 } })).toBe(900);
    expect(commandTimeoutOf({ commandTimeoutMs: 300, redisOptions: { commandTimeout: 900 } })).toBe(300);
    for (const bad of [0, -1, Number.NaN, '2000']) {
      expect(() => commandTimeoutOf({ commandTimeoutMs: bad as number })).toThrow(
        /Redis option "commandTimeoutMs" must be a positive number of ms/,
      );
    }
  });
});
