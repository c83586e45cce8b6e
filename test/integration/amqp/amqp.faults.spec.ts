import { randomUUID } from 'node:crypto';
import { AmqpBroker } from '../../../lib/brokers/amqp/amqp.broker.js';
import type { Delivery } from '../../../lib/brokers/broker.interface.js';
import { BrokerUnavailableError } from '../../../lib/errors/broker-unavailable.error.js';
import { Collector, Inbox, sleep, within } from '../../conformance/conformance-helpers.js';
import { RabbitNode } from '../../support/rabbit-node.js';
import { publishWhenBack } from './support/rabbit.js';

const PREFIX_ROOT = 'celeriac-amqp-fault-';
const PREFETCH = 50;
const PUBLISH_WINDOW = 100;

/**
 * RabbitMQ going away under running clients. These tests cut every connection or stop the broker
 * application, so they run on a throw-away node of their own (never the shared one), one after
 * another.
 */
describe('AmqpBroker when RabbitMQ drops connections or stops', () => {
  let node: RabbitNode;
  let prefix: string;
  let brokers: AmqpBroker[];

  beforeAll(async () => {
    node = await RabbitNode.start();
  }, 150_000);

  beforeEach(() => {
    prefix = `${PREFIX_ROOT}${randomUUID()}`;
    brokers = [];
  });
  afterEach(async () => {
    await Promise.allSettled(brokers.map((broker) => broker.close()));
  });
  afterAll(async () => {
    await node?.stop();
  });

  async function open(): Promise<AmqpBroker> {
    const broker = new AmqpBroker({ url: node.url, prefix, extra: { reconnectMaxDelayMs: 1_000 } });
    brokers.push(broker);
    await broker.connect();
    return broker;
  }

  it('loses nothing when every connection is closed under load; only messages in flight come twice', async () => {
    const [producer, worker] = [await open(), await open()];
    const seen = new Map<string, Delivery[]>();
    const distinct = new Collector<string>();
    await worker.consume(
      'jobs',
      (delivery) => {
        const copies = seen.get(delivery.messageId) ?? [];
        seen.set(delivery.messageId, [...copies, delivery]);
        if (copies.length === 0) distinct.push(delivery.messageId);
        setImmediate(() => void delivery.ack());
      },
      { prefetch: PREFETCH },
    );
    const ids = Array.from({ length: 3_000 }, (_, i) => `m-${i}`);
    const publishing = publishAll(producer, ids);
    await distinct.waitFor(1_000);
    await node.ctl('close_all_connections', 'test');
    await within(publishing, 'every publish to be confirmed', 60_000);
    await distinct.waitFor(ids.length, 'every message');
    await sleep(500);

    expect(new Set(distinct.values)).toEqual(new Set(ids));
    const duplicated = [...seen.values()].filter((copies) => copies.length > 1);
    expect(duplicated.length).toBeLessThanOrEqual(PREFETCH + PUBLISH_WINDOW);
    expect(await producer.size('jobs')).toBe(0);
  }, 90_000);

  it('sends no ack for a delivery whose channel died; the redelivered copy is settled normally', async () => {
    const broker = await open();
    await broker.publish('jobs', 'held', { messageId: 'held-1' });
    const inbox = new Inbox();
    await broker.consume('jobs', inbox.handler(), { prefetch: 1 });
    const [stale] = await inbox.waitFor(1);
    await node.ctl('close_all_connections', 'test');

    const [, fresh] = await inbox.waitFor(2, 'the redelivery after the reconnect');
    await stale.ack(); // on the dead channel: must send nothing (a stale tag would kill the new channel)
    await fresh.ack();
    await publishWhenBack(broker, 'after', 'after-1', 'the producer to reconnect');
    await inbox.waitFor(3, 'a message published after the reconnect');
    await inbox.deliveries[2].ack();
    await sleep(500);
    expect(inbox.deliveries.map((d) => [d.messageId, d.deliveryCount])).toEqual([
      ['held-1', 1],
      ['held-1', 2],
      ['after-1', 1],
    ]);
  }, 60_000);

  it('fails publishes clearly while RabbitMQ is stopped, and recovers fully after it starts', async () => {
    const [producer, worker] = [await open(), await open()];
    await producer.publish('parked', 'durable', { messageId: 'parked-1' });
    const inbox = Inbox.acking();
    await worker.consume('jobs', inbox.handler(), { prefetch: PREFETCH });
    await producer.publish('jobs', 'before', { messageId: 'before-1' });
    await inbox.waitFor(1);

    const refusals: unknown[] = [];
    try {
      await node.ctl('stop_app');
      const downUntil = Date.now() + 10_000;
      while (Date.now() < downUntil) {
        refusals.push(
          await within(
            producer.publish('jobs', 'while down').catch((e: unknown) => e),
            'a refusal',
          ),
        );
        await sleep(500);
      }
    } finally {
      await node.ctl('start_app');
      await node.whenAccepting();
    }
    expect(refusals.length).toBeGreaterThan(0);
    for (const refusal of refusals) expect(refusal).toBeInstanceOf(BrokerUnavailableError);

    await publishWhenBack(producer, 'after', 'after-1', 'the producer to reconnect');
    await inbox.waitFor(2, 'a message published after the restart');
    await inbox.settled();
    expect(inbox.bodies).toEqual(['before', 'after']);
    expect(await producer.size('parked')).toBe(1);
  }, 120_000);
});

/**
 * Publishes every id with at most PUBLISH_WINDOW unconfirmed, retrying a refused publish (same
 * message id) the way an at-least-once producer does.
 */
async function publishAll(broker: AmqpBroker, ids: string[]): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < ids.length) {
      const id = ids[next++];
      for (;;) {
        try {
          await broker.publish('jobs', id, { messageId: id });
          break;
        } catch (error) {
          if (!(error instanceof BrokerUnavailableError)) throw error;
          await sleep(100);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: PUBLISH_WINDOW }, lane));
}
