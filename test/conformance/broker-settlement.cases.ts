import { randomUUID } from 'node:crypto';
import { type BrokerCaseContext, EARLY_TOLERANCE_MS, Inbox } from './conformance-helpers.js';

/** Conformance cases on settling a delivery: ack, requeue (delay, body, priority) and dead-letter. */
export function settlementCases({ openBroker, newQueue }: BrokerCaseContext): void {
  it('removes an acknowledged message for good', async () => {
    const first = await openBroker();
    const queue = newQueue();
    await first.publish(queue, 'once');
    const inbox = new Inbox();
    await first.consume(queue, inbox.handler(), { prefetch: 1 });
    const [delivery] = await inbox.waitFor(1);
    expect(delivery.deliveryCount).toBe(1);
    await delivery.ack();
    expect(await first.size(queue)).toBe(0);
    await first.close();

    // Had the ack been lost, 'once' would come back ahead of the sentinel.
    const second = await openBroker();
    await second.publish(queue, 'sentinel');
    const after = Inbox.acking();
    await second.consume(queue, after.handler(), { prefetch: 1 });
    await after.waitFor(1);
    await after.settled();
    expect(after.bodies[0]).toBe('sentinel');
  });

  it('redelivers a requeued message with the same id and deliveryCount + 1', async () => {
    const broker = await openBroker();
    const queue = newQueue();
    const messageId = randomUUID();
    await broker.publish(queue, 'again', { messageId, priority: 3 });
    const inbox = new Inbox((d) => (d.deliveryCount === 1 ? d.requeue() : d.ack()));
    await broker.consume(queue, inbox.handler(), { prefetch: 1 });

    const [first, second] = await inbox.waitFor(2);
    await inbox.settled();
    expect([first.deliveryCount, second.deliveryCount]).toEqual([1, 2]);
    expect([first.messageId, second.messageId]).toEqual([messageId, messageId]);
    expect([second.body, second.priority, second.queue]).toEqual(['again', 3, queue]);
  });

  it('requeues with a delay and a new body', async () => {
    const broker = await openBroker();
    const queue = newQueue();
    const messageId = randomUUID();
    await broker.publish(queue, 'v1', { messageId, priority: 7 });
    let requeuedAt = 0;
    const inbox = new Inbox((d) => {
      if (d.deliveryCount > 1) return d.ack();
      requeuedAt = Date.now();
      return d.requeue({ delayMs: 300, body: 'v2' });
    });
    await broker.consume(queue, inbox.handler(), { prefetch: 1 });

    const [, second] = await inbox.waitFor(2);
    await inbox.settled();
    expect([second.body, second.deliveryCount, second.messageId, second.priority]).toEqual([
      'v2',
      2,
      messageId,
      7,
    ]);
    expect(inbox.received[1].at - requeuedAt).toBeGreaterThanOrEqual(300 - EARLY_TOLERANCE_MS);
  });

  it('requeues with a new priority', async () => {
    const broker = await openBroker();
    const queue = newQueue();
    await broker.publish(queue, 'demoted', { priority: 5 });
    await broker.publish(queue, 'other', { priority: 5 });
    const inbox = new Inbox((d) =>
      d.deliveryCount === 1 && d.body === 'demoted' ? d.requeue({ priority: 0 }) : d.ack(),
    );
    await broker.consume(queue, inbox.handler(), { prefetch: 1 });

    const deliveries = await inbox.waitFor(3);
    await inbox.settled();
    expect(inbox.bodies).toEqual(['demoted', 'other', 'demoted']);
    expect(deliveries.map((d) => d.priority)).toEqual([5, 5, 0]);
  });

  it('dead-letters a message with its body and reason, and does not redeliver it', async () => {
    const broker = await openBroker();
    const queue = newQueue();
    const ids = [randomUUID(), randomUUID()];
    const inbox = new Inbox((d) =>
      d.body.startsWith('poison') ? d.deadLetter(`cannot parse ${d.body}`) : d.ack(),
    );
    await broker.consume(queue, inbox.handler(), { prefetch: 1 });
    const before = Date.now();
    await broker.publish(queue, 'poison-1', { messageId: ids[0] });
    await broker.publish(queue, 'poison-2', { messageId: ids[1] });
    await inbox.waitFor(2);
    await inbox.settled();
    const after = Date.now();

    const letters = await broker.deadLetters(queue);
    expect(letters).toEqual([
      {
        messageId: ids[0],
        queue,
        body: 'poison-1',
        reason: 'cannot parse poison-1',
        at: expect.any(Number),
      },
      {
        messageId: ids[1],
        queue,
        body: 'poison-2',
        reason: 'cannot parse poison-2',
        at: expect.any(Number),
      },
    ]);
    for (const letter of letters) {
      expect(letter.at).toBeGreaterThanOrEqual(before - 1_000);
      expect(letter.at).toBeLessThanOrEqual(after + 1_000);
    }
    expect(await broker.deadLetters(queue, 1)).toEqual([letters[0]]);
    expect(await broker.size(queue)).toBe(0);

    await broker.publish(queue, 'sentinel');
    await inbox.waitFor(3);
    await inbox.settled();
    expect(inbox.bodies).toEqual(['poison-1', 'poison-2', 'sentinel']);
  });
}
