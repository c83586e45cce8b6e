import { randomUUID } from 'node:crypto';
import type { Broker, Delivery } from '../../lib/brokers/broker.interface.js';
import { type BrokerCaseContext, eventually, Inbox } from './conformance-helpers.js';

/**
 * Dead-letters `bodies` (message id, a header and the correlation id = body) through a consumer that
 * is cancelled afterwards.
 */
async function deadLetter(broker: Broker, queue: string, bodies: string[]): Promise<void> {
  const inbox = new Inbox((d) => d.deadLetter(`bad ${d.body}`));
  const consumer = await broker.consume(queue, inbox.handler(), { prefetch: 1 });
  for (const body of bodies) {
    const headers = { tag: body, empty: [] };
    await broker.publish(queue, body, {
      messageId: body,
      priority: 5,
      headers,
      properties: { correlationId: body },
    });
  }
  await inbox.waitFor(bodies.length);
  await inbox.settled();
  await consumer.cancel();
}

/** Queue statistics and the dead-letter operations (replay, delete) every broker offers. */
export function deadLetterCases({ openBroker, newQueue, reportsInFlight }: BrokerCaseContext): void {
  it('counts ready, delayed, in-flight and dead-lettered messages, and consumers', async () => {
    const broker = await openBroker();
    const queue = newQueue();
    expect(await broker.stats(queue)).toEqual({
      queue,
      ready: 0,
      delayed: 0,
      inFlight: reportsInFlight ? 0 : undefined,
      deadLettered: 0,
      consumers: 0,
    });
    await deadLetter(broker, queue, ['dead']);
    const held = new Inbox();
    const consumer = await broker.consume(queue, held.handler(), { prefetch: 1 });
    await broker.publish(queue, 'held');
    const [delivery] = await held.waitFor(1);
    await broker.publish(queue, 'waiting-1');
    await broker.publish(queue, 'waiting-2');
    await broker.publish(queue, 'later', { delayMs: 60_000 });

    expect(await broker.stats(queue)).toEqual({
      queue,
      ready: 2,
      delayed: 1,
      inFlight: reportsInFlight ? 1 : undefined,
      deadLettered: 1,
      consumers: 1,
    });
    await consumer.cancel();
    await delivery.ack();
    // A server notices a consumer's closed connection or channel a moment after the call returns.
    await eventually('the cancelled consumer to leave', async () =>
      (await broker.stats(queue)).consumers === 0 ? true : undefined,
    );
    expect(await broker.stats(queue)).toMatchObject({ ready: 2, inFlight: reportsInFlight ? 0 : undefined });
  });

  it('replays selected dead letters to their queue as new messages; the others stay, in order', async () => {
    const broker = await openBroker();
    const queue = newQueue();
    await deadLetter(broker, queue, ['a', 'b', 'c']);

    expect(await broker.replayDeadLetters(queue, ['b', randomUUID()])).toBe(1);
    expect((await broker.deadLetters(queue)).map((letter) => letter.body)).toEqual(['a', 'c']);
    const inbox = new Inbox((d) => d.ack());
    await broker.consume(queue, inbox.handler(), { prefetch: 1 });
    const [replayed] = await inbox.waitFor(1);
    expect(pick(replayed)).toEqual(replayOf('b'));
    await inbox.settled();
    expect(await broker.deadLetters(queue)).toHaveLength(2);
  });

  it('replays every dead letter when none is named', async () => {
    const broker = await openBroker();
    const queue = newQueue();
    await deadLetter(broker, queue, ['a', 'b']);

    expect(await broker.replayDeadLetters(queue)).toBe(2);
    expect(await broker.deadLetters(queue)).toEqual([]);
    const inbox = new Inbox((d) => d.ack());
    await broker.consume(queue, inbox.handler(), { prefetch: 1 });
    expect((await inbox.waitFor(2)).map(pick)).toEqual([replayOf('a'), replayOf('b')]);
    await inbox.settled();
  });

  it('deletes selected dead letters, then all of them', async () => {
    const broker = await openBroker();
    const queue = newQueue();
    await deadLetter(broker, queue, ['a', 'b', 'c']);

    expect(await broker.deleteDeadLetters(queue, ['a', 'c'])).toBe(2);
    expect((await broker.deadLetters(queue)).map((letter) => letter.body)).toEqual(['b']);
    expect(await broker.deleteDeadLetters(queue)).toBe(1);
    expect(await broker.deadLetters(queue)).toEqual([]);
    expect(await broker.replayDeadLetters(queue)).toBe(0);
  });
}

type Seen = Pick<Delivery, 'body' | 'messageId' | 'priority' | 'deliveryCount' | 'headers' | 'properties'>;

function pick({ body, messageId, priority, deliveryCount, headers, properties }: Delivery): Seen {
  return { body, messageId, priority, deliveryCount, headers, properties };
}

/** What a replayed letter looks like: the message as published, delivered for the first time. */
function replayOf(body: string): Seen {
  return {
    body,
    messageId: body,
    priority: 5,
    deliveryCount: 1,
    headers: { tag: body, empty: [] },
    properties: { correlationId: body },
  };
}
