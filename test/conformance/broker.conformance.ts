import { randomUUID } from 'node:crypto';
import type { Broker } from '../../lib/brokers/broker.interface.js';
import { BrokerUnavailableError } from '../../lib/errors/broker-unavailable.error.js';
import { EARLY_TOLERANCE_MS, Inbox, sleep } from './conformance-helpers.js';

/** Makes an unconnected broker whose names all live under `prefix`; the suite calls `connect()`. */
export type BrokerFactory = (prefix: string) => Promise<Broker> | Broker;

/**
 * How long a test watches for deliveries that must NOT happen (beyond a prefetch limit, duplicates).
 * A broker that breaks the rule almost always does so at once; this only has to catch it.
 */
const QUIET_MS = 300;

/**
 * The behaviour every {@link Broker} must show, as one jest `describe` block. Each test works under
 * its own random prefix and queue names and purges what it used, so the suite can run against
 * shared Redis or RabbitMQ servers. Waits are driven by deliveries; timeouts only guard against hangs.
 *
 * `close()` must be idempotent: the suite closes every broker it opened after each test.
 */
export function describeBrokerConformance(name: string, makeBroker: BrokerFactory): void {
  describe(`Broker conformance: ${name}`, () => {
    let prefix: string;
    let brokers: Broker[];
    let queues: string[];

    beforeEach(() => {
      prefix = `celeriac-conformance-${randomUUID()}`;
      brokers = [];
      queues = [];
    });

    afterEach(async () => {
      await Promise.allSettled(brokers.map((broker) => broker.close()));
      // On a shared server the test's messages would outlive it; a fresh client removes them.
      const cleaner = await makeBroker(prefix);
      await cleaner.connect();
      try {
        for (const queue of queues) await cleaner.purge(queue);
      } finally {
        await cleaner.close();
      }
    });

    async function openBroker(): Promise<Broker> {
      const broker = await makeBroker(prefix);
      brokers.push(broker);
      await broker.connect();
      return broker;
    }

    function newQueue(): string {
      const queue = `q-${randomUUID()}`;
      queues.push(queue);
      return queue;
    }

    it('delivers messages of equal priority in publish order', async () => {
      const broker = await openBroker();
      const queue = newQueue();
      const sent = Array.from({ length: 10 }, (_, i) => `m${i}`);
      for (const body of sent) await broker.publish(queue, body);
      const inbox = Inbox.acking();
      await broker.consume(queue, inbox.handler(), { prefetch: 1 });

      await inbox.waitFor(sent.length);
      await inbox.settled();
      expect(inbox.bodies).toEqual(sent);
    });

    it('delivers waiting messages highest priority first, in publish order within a priority', async () => {
      const broker = await openBroker();
      const queue = newQueue();
      const sent: [string, number | undefined][] = [
        ['p0-a', 0],
        ['p5-a', 5],
        ['p9-a', 9],
        ['default', undefined],
        ['p9-b', 9],
        ['p5-b', 5],
        ['p0-b', 0],
      ];
      for (const [body, priority] of sent) await broker.publish(queue, body, { priority });
      const inbox = Inbox.acking();
      await broker.consume(queue, inbox.handler(), { prefetch: 1 });

      const deliveries = await inbox.waitFor(sent.length);
      await inbox.settled();
      expect(inbox.bodies).toEqual(['p9-a', 'p9-b', 'p5-a', 'p5-b', 'p0-a', 'default', 'p0-b']);
      expect(deliveries.map((d) => d.priority)).toEqual([9, 9, 5, 5, 0, 0, 0]);
    });

    it('holds a delayed message back until its delay has passed', async () => {
      const broker = await openBroker();
      const queue = newQueue();
      const inbox = Inbox.acking();
      await broker.consume(queue, inbox.handler(), { prefetch: 5 });

      const publishedAt = Date.now();
      await broker.publish(queue, 'later', { delayMs: 400 });
      await broker.publish(queue, 'now');

      await inbox.waitFor(2);
      await inbox.settled();
      expect(inbox.bodies).toEqual(['now', 'later']);
      expect(inbox.received[1].at - publishedAt).toBeGreaterThanOrEqual(400 - EARLY_TOLERANCE_MS);
    });

    it('counts delayed messages in size until they are delivered', async () => {
      const broker = await openBroker();
      const queue = newQueue();
      await broker.publish(queue, 'later', { delayMs: 300 });
      await broker.publish(queue, 'now');
      expect(await broker.size(queue)).toBe(2);

      const inbox = Inbox.acking();
      await broker.consume(queue, inbox.handler(), { prefetch: 5 });
      await inbox.waitFor(2);
      await inbox.settled();
      expect(await broker.size(queue)).toBe(0);
    });

    it('removes an acknowledged message for good', async () => {
      const first = await openBroker();
      const queue = newQueue();
      await first.publish(queue, 'once');
      const inbox = new Inbox();
      await first.consume(queue, inbox.handler(), { prefetch: 1 });
      const [delivery] = await inbox.waitFor(1);
      expect(delivery.deliveryCount).toBe(1);
      await delivery.ack();
      expect(await first.size(queue)).toBe(0);
      await first.close();

      // Had the ack been lost, 'once' would come back ahead of the sentinel.
      const second = await openBroker();
      await second.publish(queue, 'sentinel');
      const after = Inbox.acking();
      await second.consume(queue, after.handler(), { prefetch: 1 });
      await after.waitFor(1);
      await after.settled();
      expect(after.bodies[0]).toBe('sentinel');
    });

    it('redelivers a requeued message with the same id and deliveryCount + 1', async () => {
      const broker = await openBroker();
      const queue = newQueue();
      const messageId = randomUUID();
      await broker.publish(queue, 'again', { messageId, priority: 3 });
      const inbox = new Inbox((d) => (d.deliveryCount === 1 ? d.requeue() : d.ack()));
      await broker.consume(queue, inbox.handler(), { prefetch: 1 });

      const [first, second] = await inbox.waitFor(2);
      await inbox.settled();
      expect([first.deliveryCount, second.deliveryCount]).toEqual([1, 2]);
      expect([first.messageId, second.messageId]).toEqual([messageId, messageId]);
      expect([second.body, second.priority, second.queue]).toEqual(['again', 3, queue]);
    });

    it('requeues with a delay and a new body', async () => {
      const broker = await openBroker();
      const queue = newQueue();
      const messageId = randomUUID();
      await broker.publish(queue, 'v1', { messageId, priority: 7 });
      let requeuedAt = 0;
      const inbox = new Inbox((d) => {
        if (d.deliveryCount > 1) return d.ack();
        requeuedAt = Date.now();
        return d.requeue({ delayMs: 300, body: 'v2' });
      });
      await broker.consume(queue, inbox.handler(), { prefetch: 1 });

      const [, second] = await inbox.waitFor(2);
      await inbox.settled();
      expect([second.body, second.deliveryCount, second.messageId, second.priority]).toEqual([
        'v2',
        2,
        messageId,
        7,
      ]);
      expect(inbox.received[1].at - requeuedAt).toBeGreaterThanOrEqual(300 - EARLY_TOLERANCE_MS);
    });

    it('requeues with a new priority', async () => {
      const broker = await openBroker();
      const queue = newQueue();
      await broker.publish(queue, 'demoted', { priority: 5 });
      await broker.publish(queue, 'other', { priority: 5 });
      const inbox = new Inbox((d) =>
        d.deliveryCount === 1 && d.body === 'demoted' ? d.requeue({ priority: 0 }) : d.ack(),
      );
      await broker.consume(queue, inbox.handler(), { prefetch: 1 });

      const deliveries = await inbox.waitFor(3);
      await inbox.settled();
      expect(inbox.bodies).toEqual(['demoted', 'other', 'demoted']);
      expect(deliveries.map((d) => d.priority)).toEqual([5, 5, 0]);
    });

    it('dead-letters a message with its body and reason, and does not redeliver it', async () => {
      const broker = await openBroker();
      const queue = newQueue();
      const ids = [randomUUID(), randomUUID()];
      const inbox = new Inbox((d) =>
        d.body.startsWith('poison') ? d.deadLetter(`cannot parse ${d.body}`) : d.ack(),
      );
      await broker.consume(queue, inbox.handler(), { prefetch: 1 });
      const before = Date.now();
      await broker.publish(queue, 'poison-1', { messageId: ids[0] });
      await broker.publish(queue, 'poison-2', { messageId: ids[1] });
      await inbox.waitFor(2);
      await inbox.settled();
      const after = Date.now();

      const letters = await broker.deadLetters(queue);
      expect(letters).toEqual([
        {
          messageId: ids[0],
          queue,
          body: 'poison-1',
          reason: 'cannot parse poison-1',
          at: expect.any(Number),
        },
        {
          messageId: ids[1],
          queue,
          body: 'poison-2',
          reason: 'cannot parse poison-2',
          at: expect.any(Number),
        },
      ]);
      for (const letter of letters) {
        expect(letter.at).toBeGreaterThanOrEqual(before - 1_000);
        expect(letter.at).toBeLessThanOrEqual(after + 1_000);
      }
      expect(await broker.deadLetters(queue, 1)).toEqual([letters[0]]);
      expect(await broker.size(queue)).toBe(0);

      await broker.publish(queue, 'sentinel');
      await inbox.waitFor(3);
      await inbox.settled();
      expect(inbox.bodies).toEqual(['poison-1', 'poison-2', 'sentinel']);
    });

    it('keeps at most `prefetch` deliveries unsettled per consumer', async () => {
      const broker = await openBroker();
      const queue = newQueue();
      for (let i = 0; i < 5; i++) await broker.publish(queue, `m${i}`);
      const inbox = new Inbox();
      await broker.consume(queue, inbox.handler(), { prefetch: 2 });

      await inbox.waitFor(2);
      await sleep(QUIET_MS);
      expect(inbox.received).toHaveLength(2);

      await inbox.deliveries[0].ack();
      await inbox.waitFor(3);
      await sleep(QUIET_MS);
      expect(inbox.received).toHaveLength(3);

      for (let settled = 1; settled < 5; settled++) {
        await inbox.waitFor(Math.min(settled + 2, 5));
        await inbox.deliveries[settled].ack();
      }
      expect(inbox.bodies).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
      expect(await broker.size(queue)).toBe(0);
    });

    it('shares a queue between consumers without duplicates', async () => {
      const [a, b] = [await openBroker(), await openBroker()];
      const queue = newQueue();
      const inbox = new Inbox(async (d) => {
        await sleep(10);
        await d.ack();
      });
      await a.consume(queue, inbox.handler('a'), { prefetch: 1 });
      await b.consume(queue, inbox.handler('b'), { prefetch: 1 });
      const sent = Array.from({ length: 20 }, (_, i) => `m${i}`);
      for (const body of sent) await a.publish(queue, body);

      await inbox.waitFor(sent.length);
      await inbox.settled();
      await sleep(QUIET_MS);
      expect(inbox.received).toHaveLength(sent.length);
      expect([...inbox.bodies].sort()).toEqual([...sent].sort());
      expect(new Set(inbox.deliveries.map((d) => d.messageId)).size).toBe(sent.length);
      expect(inbox.received.some((r) => r.consumer === 'a')).toBe(true);
      expect(inbox.received.some((r) => r.consumer === 'b')).toBe(true);
    });

    it('stops delivering to a cancelled consumer, whose deliveries can still be settled', async () => {
      const broker = await openBroker();
      const queue = newQueue();
      await broker.publish(queue, 'one');
      const cancelled = new Inbox();
      const consumer = await broker.consume(queue, cancelled.handler(), { prefetch: 1 });
      const [one] = await cancelled.waitFor(1);
      await consumer.cancel();

      await broker.publish(queue, 'two');
      const live = Inbox.acking();
      await broker.consume(queue, live.handler(), { prefetch: 1 });
      await live.waitFor(1);
      await one.ack();

      // 'one' was acked after the cancel: it must not come back ahead of 'three'.
      await broker.publish(queue, 'three');
      await live.waitFor(2);
      await live.settled();
      expect(live.bodies).toEqual(['two', 'three']);
      expect(cancelled.bodies).toEqual(['one']);
    });

    it('redelivers unsettled work to another client when a broker closes without acking', async () => {
      const first = await openBroker();
      const queue = newQueue();
      const messageId = randomUUID();
      await first.publish(queue, 'unfinished', { messageId });
      const abandoned = new Inbox();
      await first.consume(queue, abandoned.handler(), { prefetch: 1 });
      const [lost] = await abandoned.waitFor(1);
      expect(lost.deliveryCount).toBe(1);
      await first.close();

      const second = await openBroker();
      const inbox = Inbox.acking();
      await second.consume(queue, inbox.handler(), { prefetch: 1 });
      const [again] = await inbox.waitFor(1);
      await inbox.settled();
      expect([again.body, again.messageId, again.deliveryCount]).toEqual(['unfinished', messageId, 2]);
    });

    it('reports size (ready and delayed, not in flight) and purges messages and dead letters', async () => {
      const broker = await openBroker();
      const queue = newQueue();
      for (const body of ['a', 'b', 'c']) await broker.publish(queue, body);
      await broker.publish(queue, 'd', { delayMs: 60_000 });
      expect(await broker.size(queue)).toBe(4);

      const inbox = new Inbox();
      const consumer = await broker.consume(queue, inbox.handler(), { prefetch: 1 });
      const [held] = await inbox.waitFor(1);
      await consumer.cancel();
      expect(await broker.size(queue)).toBe(3);
      await held.deadLetter('kept for purge');
      expect(await broker.size(queue)).toBe(3);
      expect(await broker.deadLetters(queue)).toHaveLength(1);

      await broker.purge(queue);
      expect(await broker.size(queue)).toBe(0);
      expect(await broker.deadLetters(queue)).toEqual([]);

      await broker.publish(queue, 'after-purge');
      const after = Inbox.acking();
      await broker.consume(queue, after.handler(), { prefetch: 1 });
      await after.waitFor(1);
      await after.settled();
      expect(after.bodies).toEqual(['after-purge']);
    });

    it('keeps queues of different prefixes apart', async () => {
      const broker = await openBroker();
      const queue = newQueue();
      const otherPrefix = `celeriac-conformance-${randomUUID()}`;
      const other = await makeBroker(otherPrefix);
      await other.connect();
      try {
        await other.publish(queue, 'elsewhere');
        expect(await broker.size(queue)).toBe(0);
        expect(await other.size(queue)).toBe(1);
      } finally {
        await other.purge(queue);
        await other.close();
      }
    });

    it('rejects publishing after close with BrokerUnavailableError', async () => {
      const broker = await openBroker();
      const queue = newQueue();
      await broker.close();
      await broker.close();
      await expect(broker.publish(queue, 'too late')).rejects.toBeInstanceOf(BrokerUnavailableError);
    });
  });
}
