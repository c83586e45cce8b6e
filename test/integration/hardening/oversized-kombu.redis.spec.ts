import { randomUUID } from 'node:crypto';
import type { Delivery } from '../../../lib/brokers/broker.interface.js';
import { RedisBroker } from '../../../lib/brokers/redis/redis.broker.js';
import { eventually } from '../../conformance/conformance-helpers.js';
import { deleteKeys, inspector, REDIS_URL } from '../redis/support/redis-env.js';

/**
 * The size cap on a `protocol: 'celery'` queue of Redis (kombu's layout): an element larger than
 * maxReceiveBytes is dead-lettered by the fetch script, unread, with a bounded body and its size;
 * the consumer only ever sees the messages that fit.
 */
describe('size cap at receipt on a kombu-layout Redis queue', () => {
  const prefix = `celeriac-test-${randomUUID()}`;
  const broker = new RedisBroker({
    url: REDIS_URL,
    prefix,
    protocols: { legacy: 'celery' },
    maxReceiveBytes: 4_096,
    extra: { kombu: { globalKeyPrefix: `${prefix}:` } },
  });

  beforeAll(() => broker.connect());
  afterAll(async () => {
    await broker.close();
    const redis = inspector();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('dead-letters the oversized element with its first 1 KiB and size; delivers the rest', async () => {
    const headers = { task: 'tasks.add', id: 'small' };
    await broker.publish('legacy', JSON.stringify([['x'.repeat(100_000)], {}, null]), {
      messageId: 'big',
      headers: { ...headers, id: 'big' },
    });
    await broker.publish('legacy', JSON.stringify([[1, 2], {}, null]), { messageId: 'small', headers });
    const seen: Delivery[] = [];
    const consumer = await broker.consume('legacy', (delivery) => void seen.push(delivery), { prefetch: 4 });
    try {
      const letter = await eventually('the oversized element dead-lettered', async () =>
        (await broker.deadLetters('legacy')).find((l) => l.bodyBytes !== undefined),
      );
      expect(letter.reason).toMatch(/message body of \d+ bytes exceeds maxReceiveBytes \(4096\)/);
      expect(letter.bodyBytes).toBeGreaterThan(100_000);
      expect(Buffer.byteLength(letter.body)).toBeLessThanOrEqual(1_024);
      await eventually('the small message delivered', () => Promise.resolve(seen[0]));
      expect(seen.map((d) => d.headers.id)).toEqual(['small']);
      expect(await broker.replayDeadLetters('legacy')).toBe(0);
      await seen[0].ack();
    } finally {
      await consumer.cancel();
    }
  });
});
