import type { Channel } from 'amqplib';
import { ladderCanBeQuorum } from '../../../../lib/brokers/amqp/amqp.topology.js';

/** A channel of a connection to a server announcing `version` (as a string or, as sent, bytes). */
const channelOf = (version: unknown): Channel =>
  ({ connection: { serverProperties: version === undefined ? {} : { version } } }) as unknown as Channel;

describe('ladderCanBeQuorum', () => {
  it('is true from RabbitMQ 3.10, which has message TTL and at-least-once dead-lettering in quorum queues', () => {
    expect(['3.10.0', '3.10.8', '3.13.7', '4.0.5'].map((v) => ladderCanBeQuorum(channelOf(v)))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(ladderCanBeQuorum(channelOf(Buffer.from('3.12.1')))).toBe(true);
  });

  it('is false before 3.10 and when the server does not say its version', () => {
    expect(['3.9.29', '3.8.0', '2.8.7', 'unknown', ''].map((v) => ladderCanBeQuorum(channelOf(v)))).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(ladderCanBeQuorum(channelOf(undefined))).toBe(false);
  });
});
