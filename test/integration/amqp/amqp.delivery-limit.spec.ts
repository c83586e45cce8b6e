import { randomUUID } from 'node:crypto';
import type { AmqpBrokerOptions } from '../../../lib/brokers/amqp/amqp-broker.options.js';
import { AmqpBroker } from '../../../lib/brokers/amqp/amqp.broker.js';
import type { Delivery } from '../../../lib/brokers/broker.interface.js';
import {
  Collector,
  EARLY_TOLERANCE_MS,
  Inbox,
  sleep,
  within,
} from '../../conformance/conformance-helpers.js';
import { AMQP_URL, deleteByPrefix } from './support/rabbit.js';

const PREFIX_ROOT = 'celeriac-amqp-limit-';

/**
 * A worker that dies whenever it gets the poison message: it closes its broker client without
 * settling (RabbitMQ takes the message back) and a fresh worker takes its place.
 */
class CrashingWorkers {
  readonly poison = new Collector<Delivery>();
  readonly done = new Collector<string>();
  private current?: AmqpBroker;
  private stopped = false;

  constructor(
    private readonly prefix: string,
    private readonly extra: AmqpBrokerOptions,
  ) {}

  async start(): Promise<void> {
    if (this.stopped) return;
    const broker = new AmqpBroker({ url: AMQP_URL, prefix: this.prefix, extra: { ...this.extra } });
    this.current = broker;
    await broker.connect();
    await broker.consume(
      'jobs',
      (delivery) => {
        if (delivery.body !== 'poison') return void delivery.ack().then(() => this.done.push(delivery.body));
        this.poison.push(delivery);
        void broker.close().then(() => this.start());
      },
      { prefetch: 1 },
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.current?.close();
  }
}

describe.each([
  ['classic', { queueType: 'classic', deliveryLimit: 2 }],
  ['quorum', { queueType: 'quorum', deliveryLimit: 2 }],
] as const)('AmqpBroker %s queues: delivery limit and delays', (_type, extra) => {
  let prefix: string;
  let broker: AmqpBroker;

  beforeEach(async () => {
    prefix = `${PREFIX_ROOT}${randomUUID()}`;
    broker = new AmqpBroker({ url: AMQP_URL, prefix, extra: { ...extra } });
    await broker.connect();
  });
  afterEach(() => broker.close());
  afterAll(() => deleteByPrefix(PREFIX_ROOT));

  it('dead-letters a message that keeps killing its workers, with the reason, while others flow', async () => {
    const workers = new CrashingWorkers(prefix, extra);
    await workers.start();
    try {
      await broker.publish('jobs', 'poison', { messageId: 'poison-1' });
      const healthy = Array.from({ length: 10 }, (_, i) => `ok-${i}`);
      for (const body of healthy) await broker.publish('jobs', body);

      const handedOut = await workers.poison.waitFor(3, 'three deliveries of the poison message');
      expect(handedOut.map((d) => d.deliveryCount)).toEqual([1, 2, 3]);
      await workers.done.waitFor(healthy.length, 'the healthy messages');
      const letters = await within(deadLettersOf(broker, 1), 'the dead letter');
      expect(letters).toEqual([
        expect.objectContaining({ messageId: 'poison-1', body: 'poison', queue: 'jobs' }),
      ]);
      expect(letters[0].reason).toMatch(/delivery limit of 2 exceeded/);

      await broker.publish('jobs', 'after');
      await workers.done.waitFor(healthy.length + 1, 'a message published afterwards');
      expect(workers.poison.values).toHaveLength(3);
      expect([...workers.done.values].sort()).toEqual([...healthy, 'after'].sort());
    } finally {
      await workers.stop();
    }
  });

  it('holds delayed and requeued messages in the ladder and counts the requeue', async () => {
    const inbox = new Inbox((d) =>
      d.deliveryCount === 1 ? d.requeue({ delayMs: 200, body: 'v2' }) : d.ack(),
    );
    await broker.consume('jobs', inbox.handler(), { prefetch: 5 });
    const sentAt = Date.now();
    await broker.publish('jobs', 'v1', { delayMs: 300, messageId: 'm-1' });
    expect(await broker.size('jobs')).toBe(1);

    const [first, second] = await inbox.waitFor(2);
    await inbox.settled();
    expect(inbox.received[0].at - sentAt).toBeGreaterThanOrEqual(300 - EARLY_TOLERANCE_MS);
    expect(inbox.received[1].at - inbox.received[0].at).toBeGreaterThanOrEqual(200 - EARLY_TOLERANCE_MS);
    expect([first.body, first.deliveryCount, second.body, second.deliveryCount]).toEqual(['v1', 1, 'v2', 2]);
    expect(second.messageId).toBe('m-1');
    expect(await broker.size('jobs')).toBe(0);
  });
});

/** Dead letters appear once RabbitMQ or the consumer has moved the message; wait for them. */
async function deadLettersOf(broker: AmqpBroker, count: number) {
  for (;;) {
    const letters = await broker.deadLetters('jobs');
    if (letters.length >= count) return letters;
    await sleep(50);
  }
}
