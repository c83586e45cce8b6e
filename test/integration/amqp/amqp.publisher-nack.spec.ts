import { randomUUID } from 'node:crypto';
import { connect, type ChannelModel } from 'amqplib';
import { resolveAmqpOptions } from '../../../lib/brokers/amqp/amqp-broker.options.js';
import { AmqpConnection } from '../../../lib/brokers/amqp/amqp.connection.js';
import { AmqpPublisher } from '../../../lib/brokers/amqp/amqp.publisher.js';
import { BrokerUnavailableError } from '../../../lib/errors/broker-unavailable.error.js';
import { AMQP_URL, rabbitmqctl } from './support/rabbit.js';

/**
 * A nack means a queue could not take the message; after a cluster node died, a channel can go on
 * nacking every publish to a quorum queue whose leader moved, while a fresh channel publishes at
 * once. So the publisher leaves a channel RabbitMQ nacked on: here a queue full under
 * `x-overflow: reject-publish` nacks the second message, and the publish after it goes through
 * another channel while the nacked one closes.
 */
describe('AmqpPublisher after RabbitMQ nacks a message', () => {
  const name = `celeriac-nack-${randomUUID()}`;
  let raw: ChannelModel;
  let connection: AmqpConnection;
  let publisher: AmqpPublisher;

  beforeAll(async () => {
    raw = await connect(AMQP_URL);
    const channel = await raw.createChannel();
    await channel.assertQueue(name, {
      durable: false,
      arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' },
    });
    await channel.close();
    connection = new AmqpConnection(AMQP_URL, 'publish', resolveAmqpOptions({ connectionName: name }));
    publisher = new AmqpPublisher(connection, { confirmTimeoutMs: 2_000, commandTimeoutMs: 2_000 });
  });

  afterAll(async () => {
    await publisher?.close();
    await connection?.close();
    const channel = await raw.createChannel();
    await channel.deleteQueue(name);
    await raw.close();
  });

  /** This connection's confirm channels, by their Erlang process ids (numbers are reused). */
  async function confirmChannels(): Promise<string[]> {
    const connections = await rabbitmqctl(
      'list_connections',
      'pid',
      'client_properties',
      '--no-table-headers',
    );
    const ours = connections
      .split('\n')
      .filter((line) => line.includes(`${name} (publish)`))
      .map((line) => line.split('\t')[0]);
    expect(ours).toHaveLength(1);
    const channels = await rabbitmqctl('list_channels', 'connection', 'pid', 'confirm', '--no-table-headers');
    return channels
      .split('\n')
      .map((line) => line.trim().split('\t'))
      .filter(([connectionPid, , confirm]) => connectionPid === ours[0] && confirm === 'true')
      .map(([, channelPid]) => channelPid);
  }

  const publish = (id: string): Promise<void> =>
    publisher.publish('', name, Buffer.from(id), { messageId: id, persistent: false, mandatory: true });

  it('refuses the nacked message and publishes the next one on a fresh channel', async () => {
    await publish('m-1');
    const [first] = await confirmChannels();
    expect(first).toMatch(/^<.+>$/);

    const nacked = publish('m-2');
    await expect(nacked).rejects.toThrow(BrokerUnavailableError);
    await expect(nacked).rejects.toThrow(/nacked/);

    const reader = await raw.createChannel();
    await reader.purgeQueue(name);
    await reader.close();
    await publish('m-3');
    // The nacked channel closes once nothing on it waits for a confirm; the new one stays.
    // RabbitMQ announces neither, so its channel list is read until it shows that (10 s at most).
    const until = Date.now() + 10_000;
    let channels = await confirmChannels();
    while (!(channels.length === 1 && channels[0] !== first) && Date.now() < until) {
      channels = await confirmChannels();
    }
    expect(channels).toHaveLength(1);
    expect(channels[0]).not.toBe(first);
  });
});
