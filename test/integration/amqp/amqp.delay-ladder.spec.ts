import { randomUUID } from 'node:crypto';
import { connect, type ChannelModel } from 'amqplib';
import { AmqpBroker } from '../../../lib/brokers/amqp/amqp.broker.js';
import { AmqpNames } from '../../../lib/brokers/amqp/amqp-names.js';
import type { LoggerService } from '@nestjs/common';
import { Inbox } from '../../conformance/conformance-helpers.js';
import { AMQP_URL, deleteByPrefix, rabbitmqctl } from './support/rabbit.js';

const PREFIX_ROOT = 'celeriac-amqp-ladder-';

/** `name → type` of every queue under `prefix`, as RabbitMQ reports them. */
async function queueTypes(prefix: string): Promise<Map<string, string>> {
  const listing = await rabbitmqctl('list_queues', 'name', 'type', '--no-table-headers');
  const types = new Map<string, string>();
  for (const line of listing.split('\n')) {
    const [name, type] = line.trim().split(/\s+/);
    if (name?.startsWith(prefix)) types.set(name, type);
  }
  return types;
}

/**
 * The delay ladder moves messages between its levels by dead-lettering, which classic queues do
 * without publisher confirms (at most once): its levels are quorum queues with at-least-once
 * dead-lettering, whatever the work queues are.
 */
describe('AMQP delay ladder levels', () => {
  let prefix: string;
  let broker: AmqpBroker | undefined;
  let raw: ChannelModel;
  const warnings: string[] = [];
  const logger: LoggerService = {
    log: () => undefined,
    error: () => undefined,
    warn: (message: unknown) => warnings.push(String(message)),
  };

  beforeAll(async () => {
    raw = await connect(AMQP_URL);
  });
  afterAll(async () => {
    await raw.close();
    await deleteByPrefix(PREFIX_ROOT);
  });
  beforeEach(() => {
    prefix = `${PREFIX_ROOT}${randomUUID()}`;
    warnings.length = 0;
  });
  afterEach(async () => {
    await broker?.close();
    broker = undefined;
  });

  async function delayedRoundTrip(): Promise<void> {
    broker = new AmqpBroker({ url: AMQP_URL, prefix, logger });
    await broker.connect();
    await broker.publish('jobs', 'later', { delayMs: 50, messageId: 'd-1' });
    const inbox = Inbox.acking();
    await broker.consume('jobs', inbox.handler(), { prefetch: 1 });
    await inbox.waitFor(1);
    await inbox.settled();
    expect(inbox.bodies).toEqual(['later']);
  }

  it('declares every level as a quorum queue with at-least-once dead-lettering beside classic work queues', async () => {
    await delayedRoundTrip();
    const types = await queueTypes(prefix);
    const names = new AmqpNames(prefix);
    expect(types.get(names.workQueue('jobs'))).toBe('classic');
    const levels = [0, 5, 27].map((level) => types.get(names.delayLevel('jobs', level)));
    expect(levels).toEqual(['quorum', 'quorum', 'quorum']);
    const listing = await rabbitmqctl('list_queues', 'name', 'arguments', '--no-table-headers');
    const level5 = listing.split('\n').find((line) => line.startsWith(`${names.delayLevel('jobs', 5)}\t`));
    expect(level5).toContain('at-least-once');
    expect(level5).toContain('reject-publish');
    expect(warnings).toEqual([]);
  });

  it('keeps a classic ladder of an earlier version working, and says once that it dead-letters at most once', async () => {
    const names = new AmqpNames(prefix);
    const channel = await raw.createChannel();
    // The level as an earlier Celeriac declared it: classic, TTL and dead-letter exchange only.
    await channel.assertQueue(names.delayLevel('jobs', 5), {
      durable: true,
      arguments: { 'x-message-ttl': 32, 'x-dead-letter-exchange': names.delayLevel('jobs', 4) },
    });
    await channel.close();
    await delayedRoundTrip();
    expect((await queueTypes(prefix)).get(names.delayLevel('jobs', 5))).toBe('classic');
    expect(warnings.filter((line) => line.includes('at most once'))).toHaveLength(1);
    expect(warnings[0]).toContain(names.delayLevel('jobs', 5));
  });
});
