import { randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import { AmqpBroker } from '../../../lib/brokers/amqp/amqp.broker.js';
import { Inbox, within } from '../../conformance/conformance-helpers.js';
import { CapturedLogs } from '../../support/captured-logs.js';
import { AMQP_URL, deleteByPrefix } from './support/rabbit.js';

const PREFIX_ROOT = 'celeriac-amqp-dlq-down-';

/**
 * A dead-letter queue RabbitMQ refuses to declare — on a cluster, a classic queue whose node is
 * down ("home node … is down or inaccessible"); here, one that exists with other arguments — must
 * not take the work queue with it: it is declared apart, one WARN says so, the work queue serves,
 * and the dead-letter queue is declared again once RabbitMQ accepts it.
 */
describe('AmqpBroker when its dead-letter queue cannot be declared', () => {
  const prefix = `${PREFIX_ROOT}${randomUUID()}`;
  let broker: AmqpBroker | undefined;

  afterAll(async () => {
    await broker?.close();
    await deleteByPrefix(PREFIX_ROOT);
  });

  it('serves the work queue, warns once, and declares the dead-letter queue again when it can', async () => {
    const deadLetterQueue = `${prefix}.jobs:dead-letter`;
    const raw = await connect(AMQP_URL);
    const channel = await raw.createChannel();
    await channel.assertQueue(deadLetterQueue, { durable: true, arguments: { 'x-max-length': 1 } });

    const lines = new CapturedLogs();
    const warnings = (): string[] => lines.at('warn').map((line) => line.message);
    broker = new AmqpBroker({ url: AMQP_URL, prefix, logger: lines });
    await broker.connect();
    const inbox = Inbox.acking();
    await broker.consume('jobs', inbox.handler(), { prefetch: 5 });
    await broker.publish('jobs', 'one', { messageId: 'm-1' });
    await broker.publish('jobs', 'two', { messageId: 'm-2' });
    expect((await inbox.waitFor(2)).map((d) => d.body)).toEqual(['one', 'two']);
    const refused = warnings().filter((line) => line.includes(`"${deadLetterQueue}" could not be declared`));
    expect(refused).toHaveLength(1);
    expect(refused[0]).toContain('queue "jobs" serves on');
    await expect(broker.deadLetters('jobs')).rejects.toThrow(/dead-letter|PRECONDITION/);

    await channel.deleteQueue(deadLetterQueue);
    await raw.close();
    const again = await within(
      lines.next('log', /declared again/),
      'the dead-letter queue declared again',
      15_000,
    );
    expect(again.message).toContain(`"${deadLetterQueue}" declared again`);
    expect(await broker.deadLetters('jobs')).toEqual([]);
    expect(warnings().filter((line) => line.includes('could not be declared'))).toHaveLength(1);
  }, 30_000);
});
