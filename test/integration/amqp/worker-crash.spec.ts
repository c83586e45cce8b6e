import { randomUUID } from 'node:crypto';
import { AmqpBroker } from '../../../lib/brokers/amqp/amqp.broker.js';
import { Collector, Inbox, sleep, within } from '../../conformance/conformance-helpers.js';
import { ChildWorker } from '../redis/support/child-process.js';
import { AMQP_URL, deleteByPrefix } from './support/rabbit.js';

const PREFIX_ROOT = 'celeriac-amqp-crash-';
const CONSUMER = new URL('./support/amqp-consumer.main.ts', import.meta.url);
/** Long enough for a duplicate delivery to show up if there were one. */
const QUIET_MS = 500;

describe('AmqpBroker: a consumer process killed with SIGKILL', () => {
  let prefix: string;
  let broker: AmqpBroker;
  const children: ChildWorker[] = [];

  beforeEach(async () => {
    prefix = `${PREFIX_ROOT}${randomUUID()}`;
    broker = new AmqpBroker({ url: AMQP_URL, prefix, extra: { deliveryLimit: 2 } });
    await broker.connect();
  });
  afterEach(async () => {
    await Promise.all(children.splice(0).map((child) => child.kill()));
    await broker.close();
  });
  afterAll(() => deleteByPrefix(PREFIX_ROOT));

  async function startConsumer(env: Record<string, string> = {}): Promise<ChildWorker> {
    const child = ChildWorker.start(CONSUMER, {
      AMQP_URL,
      PREFIX: prefix,
      QUEUE: 'jobs',
      DELIVERY_LIMIT: '2',
      ...env,
    });
    children.push(child);
    // A consumer that dies on its first delivery may do so before it reports listening.
    await child.next((e) => e.event === 'listening' || e.event === 'delivery', 30_000);
    return child;
  }

  it('leaves the message it held to another consumer, which gets it once', async () => {
    await broker.publish('jobs', 'task-1', { messageId: 'task-1' });
    const doomed = await startConsumer();
    const held = await doomed.next((e) => e.event === 'delivery');
    expect(held).toMatchObject({ body: 'task-1', deliveryCount: 1 });
    await doomed.kill();

    const inbox = Inbox.acking();
    await broker.consume('jobs', inbox.handler(), { prefetch: 1 });
    const [again] = await inbox.waitFor(1);
    await inbox.settled();
    await sleep(QUIET_MS);
    expect(inbox.received).toHaveLength(1);
    expect([again.body, again.messageId, again.deliveryCount]).toEqual(['task-1', 'task-1', 2]);
    expect(await broker.size('jobs')).toBe(0);
  }, 60_000);

  it('dead-letters a message that kills every consumer it reaches, while the rest flow', async () => {
    const healthy = Array.from({ length: 5 }, (_, i) => `ok-${i}`);
    await broker.publish('jobs', 'poison', { messageId: 'poison-1' });
    const survivorInbox = new Collector<string>();
    const poisonSeen: number[] = [];
    // Processes that die on the poison message, each replaced as soon as it is gone.
    for (let round = 1; round <= 3; round++) {
      const victim = await startConsumer({ DIE_ON: 'poison' });
      const seen = await victim.next((e) => e.event === 'delivery');
      poisonSeen.push(Number(seen.deliveryCount));
      await victim.kill();
    }
    await broker.consume('jobs', (d) => void d.ack().then(() => survivorInbox.push(d.body)), { prefetch: 5 });
    for (const body of healthy) await broker.publish('jobs', body);

    await survivorInbox.waitFor(healthy.length);
    const letters = await within(waitForDeadLetters(broker), 'the dead letter');
    await sleep(QUIET_MS);
    expect(poisonSeen).toEqual([1, 2, 3]);
    expect([...survivorInbox.values].sort()).toEqual(healthy);
    expect(letters).toEqual([expect.objectContaining({ messageId: 'poison-1', body: 'poison' })]);
    expect(letters[0].reason).toMatch(/delivery limit of 2 exceeded: came back unsettled 3 times/);
  }, 90_000);
});

async function waitForDeadLetters(broker: AmqpBroker) {
  for (;;) {
    const letters = await broker.deadLetters('jobs');
    if (letters.length > 0) return letters;
    await sleep(50);
  }
}
