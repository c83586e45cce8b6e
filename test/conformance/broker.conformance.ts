import { randomUUID } from 'node:crypto';
import type { Broker } from '../../lib/brokers/broker.interface.js';
import { BrokerUnavailableError } from '../../lib/errors/broker-unavailable.error.js';
import { headerCases } from './broker-headers.cases.js';
import { deadLetterCases } from './broker-dead-letter.cases.js';
import { orderingCases } from './broker-ordering.cases.js';
import { settlementCases } from './broker-settlement.cases.js';
import { type BrokerCaseContext, Inbox, sleep } from './conformance-helpers.js';

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
export function describeBrokerConformance(
  name: string,
  makeBroker: BrokerFactory,
  {
    reportsInFlight = true,
    unsetPriority = 'lowest',
  }: { reportsInFlight?: boolean; unsetPriority?: 'lowest' | 'highest' } = {},
): void {
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

    const context: BrokerCaseContext = { openBroker, newQueue, reportsInFlight, unsetPriority };
    orderingCases(context);
    settlementCases(context);
    headerCases(context);
    deadLetterCases(context);

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
