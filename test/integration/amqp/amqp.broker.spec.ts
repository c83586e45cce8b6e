import { randomUUID } from 'node:crypto';
import { connect, type ChannelModel } from 'amqplib';
import type { AmqpBrokerOptions } from '../../../lib/brokers/amqp/amqp-broker.options.js';
import { AmqpBroker } from '../../../lib/brokers/amqp/amqp.broker.js';
import { TopologyMismatchError } from '../../../lib/brokers/amqp/amqp.topology.js';
import { DELAY_LEVELS } from '../../../lib/brokers/amqp/delay-ladder.js';
import type { Broker } from '../../../lib/brokers/broker.interface.js';
import { BrokerUnavailableError } from '../../../lib/errors/broker-unavailable.error.js';
import { EARLY_TOLERANCE_MS, Inbox, sleep } from '../../conformance/conformance-helpers.js';
import { AMQP_URL, deleteByPrefix, rabbitmqctl } from './support/rabbit.js';

const PREFIX_ROOT = 'celeriac-amqp-test-';

describe('AmqpBroker on RabbitMQ', () => {
  let prefix: string;
  let brokers: Broker[];
  let raw: ChannelModel;

  beforeAll(async () => {
    raw = await connect(AMQP_URL);
  });
  afterAll(async () => {
    await raw.close();
    await deleteByPrefix(PREFIX_ROOT);
  });
  beforeEach(() => {
    prefix = `${PREFIX_ROOT}${randomUUID()}`;
    brokers = [];
  });
  afterEach(async () => {
    await Promise.allSettled(brokers.map((broker) => broker.close()));
  });

  async function open(extra: AmqpBrokerOptions = {}): Promise<AmqpBroker> {
    const broker = new AmqpBroker({ url: AMQP_URL, prefix, extra: { ...extra } });
    brokers.push(broker);
    await broker.connect();
    return broker;
  }

  it('declares a durable priority work queue that dead-letters to its own dead-letter queue', async () => {
    const broker = await open();
    await broker.publish('jobs', 'x');
    const listing = await rabbitmqctl('list_queues', 'name', 'durable', 'arguments', '--no-table-headers');
    const line = listing.split('\n').find((l) => l.startsWith(`${prefix}.jobs\t`));
    expect(line).toContain('true');
    expect(line).toContain('x-max-priority');
    expect(line).toContain(`${prefix}.dead-letter`);
    expect(listing).toContain(`${prefix}.jobs:dead-letter`);
  });

  it('stores messages as persistent, with their id and priority', async () => {
    const broker = await open();
    await broker.publish('jobs', 'payload', { messageId: 'id-1', priority: 7 });
    const channel = await raw.createChannel();
    const message = await channel.get(`${prefix}.jobs`, { noAck: true });
    await channel.close();
    expect(message && message.properties).toMatchObject({ deliveryMode: 2, messageId: 'id-1', priority: 7 });
    expect(message && message.content.toString()).toBe('payload');
  });

  it('declares a work queue again when it was deleted behind its back', async () => {
    const broker = await open();
    await broker.publish('jobs', 'first');
    const channel = await raw.createChannel();
    await channel.deleteQueue(`${prefix}.jobs`);
    await channel.close();
    await broker.publish('jobs', 'second');
    expect(await broker.size('jobs')).toBe(1);
  });

  it('refuses a queue that exists with other settings, saying what to do', async () => {
    const channel = await raw.createChannel();
    await channel.assertQueue(`${prefix}.jobs`, { durable: true });
    await channel.close();
    const broker = await open();
    const publishing = broker.publish('jobs', 'x');
    await expect(publishing).rejects.toBeInstanceOf(TopologyMismatchError);
    await expect(publishing).rejects.toThrow(/delete it or use the same brokerOptions/);
    await broker.publish('other', 'still works');
    expect(await broker.size('other')).toBe(1);
  });

  it('hands out a message from a foreign producer with a generated id and delivery count 1', async () => {
    const broker = await open();
    await broker.publish('jobs', 'declare');
    await broker.purge('jobs');
    const channel = await raw.createChannel();
    channel.sendToQueue(`${prefix}.jobs`, Buffer.from('{not json'));
    await channel.close();
    const inbox = Inbox.acking();
    await broker.consume('jobs', inbox.handler(), { prefetch: 1 });
    const [delivery] = await inbox.waitFor(1);
    await inbox.settled();
    expect(delivery).toMatchObject({ body: '{not json', deliveryCount: 1, priority: 0, queue: 'jobs' });
    expect(delivery.messageId).toMatch(/\S/);
  });

  it('declares the delay ladder of a queue when its consumer starts, before anything is delayed', async () => {
    const broker = await open();
    await broker.consume('jobs', Inbox.acking().handler(), { prefetch: 1 });
    // Checked from another connection: the broker's own caches cannot answer for RabbitMQ.
    const channel = await raw.createChannel();
    try {
      for (let level = 0; level < DELAY_LEVELS; level++) {
        const name = `${prefix}.jobs:delay-${String(level).padStart(2, '0')}`;
        await expect(channel.checkQueue(name)).resolves.toMatchObject({ queue: name, messageCount: 0 });
        await expect(channel.checkExchange(name)).resolves.toBeDefined();
      }
    } finally {
      await channel.close().catch(() => undefined);
    }
  });

  it('sends a message round the ladder again when its delay outlasts one pass', async () => {
    const broker = await open();
    await broker.publish('jobs', 'declare');
    await broker.purge('jobs');
    const inbox = Inbox.acking();
    await broker.consume('jobs', inbox.handler(), { prefetch: 1 });
    // What a message delayed past the ladder's reach looks like when it comes out of it.
    const channel = await raw.createConfirmChannel();
    const sentAt = Date.now();
    channel.sendToQueue(`${prefix}.jobs`, Buffer.from('long'), {
      messageId: 'long-1',
      headers: { 'x-celeriac-delay-remaining': 300 },
    });
    await channel.waitForConfirms();
    await channel.close();
    const [delivery] = await inbox.waitFor(1);
    await inbox.settled();
    expect(inbox.received[0].at - sentAt).toBeGreaterThanOrEqual(300 - EARLY_TOLERANCE_MS);
    expect([delivery.body, delivery.messageId, delivery.deliveryCount]).toEqual(['long', 'long-1', 1]);
  });

  it('sends the ack of a delivery settled after its consumer was cancelled before closing the channel', async () => {
    const broker = await open();
    await broker.publish('jobs', 'one');
    const cancelled = new Inbox();
    const consumer = await broker.consume('jobs', cancelled.handler(), { prefetch: 1 });
    const [one] = await cancelled.waitFor(1);
    await consumer.cancel();
    await one.ack();

    await broker.publish('jobs', 'two');
    const live = Inbox.acking();
    await broker.consume('jobs', live.handler(), { prefetch: 5 });
    await live.waitFor(1);
    await sleep(500); // an ack lost with the channel would bring 'one' back by now
    await live.settled();
    expect(live.bodies).toEqual(['two']);
    expect(await broker.size('jobs')).toBe(0);
  });

  it('keeps a delayed message in RabbitMQ while no client is running', async () => {
    const producer = await open();
    const sentAt = Date.now();
    await producer.publish('jobs', 'countdown', { delayMs: 1_500, messageId: 'c-1' });
    await producer.close();

    const worker = await open();
    const inbox = Inbox.acking();
    await worker.consume('jobs', inbox.handler(), { prefetch: 1 });
    const [delivery] = await inbox.waitFor(1);
    await inbox.settled();
    expect(inbox.received[0].at - sentAt).toBeGreaterThanOrEqual(1_500 - EARLY_TOLERANCE_MS);
    expect([delivery.body, delivery.messageId, delivery.deliveryCount]).toEqual(['countdown', 'c-1', 1]);
  });

  it('consumes with a per-consumer acknowledgement timeout when one is set', async () => {
    const broker = await open({ consumerTimeoutMs: 3_600_000 });
    await broker.publish('jobs', 'timed');
    const inbox = Inbox.acking();
    await broker.consume('jobs', inbox.handler(), { prefetch: 1 });
    await inbox.waitFor(1);
    await inbox.settled();
    expect(inbox.bodies).toEqual(['timed']);
  });

  it('rejects with BrokerUnavailableError when RabbitMQ cannot be reached', async () => {
    const broker = new AmqpBroker({ url: 'amqp://guest:secret@127.0.0.1:1', prefix });
    brokers.push(broker);
    const connecting = broker.connect();
    await expect(connecting).rejects.toBeInstanceOf(BrokerUnavailableError);
    await expect(connecting).rejects.not.toThrow(/secret/);
    await expect(broker.publish('jobs', 'x')).rejects.toBeInstanceOf(BrokerUnavailableError);
  });
});
