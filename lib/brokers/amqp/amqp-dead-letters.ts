import type { Channel, GetMessage } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { clampPriority } from '../priority.js';
import { applicationHeaders, bodyBytesOf, messagePropertiesOf } from './amqp-headers.js';
import type { AmqpNames } from './amqp-names.js';
import type { AmqpPublisher } from './amqp.publisher.js';
import type { AmqpRouter } from './amqp.router.js';

/**
 * Replays or drops a queue's dead letters. Letters are taken with `basic.get` on a channel of its
 * own; a selected one is re-published to its queue with its headers and properties but none of
 * Celeriac's counters (a new message, so a fresh delivery count) and acked only once RabbitMQ confirmed the copy, so a failure duplicates rather
 * than loses. Letters not selected stay unacked until the channel closes, which gives them back in
 * their original order. Like reads, two of these at the same moment may each see part of the queue.
 */
export async function settleDeadLetters(
  parts: { names: AmqpNames; publisher: AmqpPublisher; router: AmqpRouter },
  queue: string,
  action: 'replay' | 'delete',
  messageIds: readonly string[] | undefined,
): Promise<number> {
  const wanted = messageIds ? new Set(messageIds) : undefined;
  const deadLetterQueue = parts.names.deadLetterQueue(queue);
  return parts.publisher.withScratch(async (channel) => {
    const { messageCount } = await channel.checkQueue(deadLetterQueue);
    let settled = 0;
    for (let seen = 0; seen < messageCount; seen++) {
      const message = await channel.get(deadLetterQueue, { noAck: false });
      if (!message) break;
      const id = typeof message.properties.messageId === 'string' ? message.properties.messageId : '';
      if (wanted && !wanted.has(id)) continue;
      // Only the start of its body was kept (refused for its size): nothing to replay; it stays.
      if (action === 'replay' && bodyBytesOf(message.properties.headers) !== undefined) continue;
      if (action === 'replay') await replay(parts.router, queue, message, id);
      channel.ack(message);
      settled++;
    }
    await flush(channel, deadLetterQueue);
    return settled;
  });
}

function replay(router: AmqpRouter, queue: string, message: GetMessage, id: string): Promise<void> {
  return router.send(queue, message.content, {
    messageId: id || randomUUID(),
    priority: clampPriority(message.properties.priority as number | undefined),
    headers: applicationHeaders(message.properties.headers),
    properties: messagePropertiesOf(message.properties),
  });
}

/** Acks are not confirmed; a round trip on the same channel makes sure RabbitMQ has processed them. */
async function flush(channel: Channel, queue: string): Promise<void> {
  await channel.checkQueue(queue);
}
