import { type BrokerCaseContext, EARLY_TOLERANCE_MS, Inbox } from './conformance-helpers.js';

/** Conformance cases on the order in which a broker delivers: FIFO, priority and delay. */
export function orderingCases({ openBroker, newQueue, unsetPriority }: BrokerCaseContext): void {
  it('delivers messages of equal priority in publish order', async () => {
    const broker = await openBroker();
    const queue = newQueue();
    const sent = Array.from({ length: 10 }, (_, i) => `m${i}`);
    for (const body of sent) await broker.publish(queue, body);
    const inbox = Inbox.acking();
    await broker.consume(queue, inbox.handler(), { prefetch: 1 });

    await inbox.waitFor(sent.length);
    await inbox.settled();
    expect(inbox.bodies).toEqual(sent);
  });

  it('delivers waiting messages highest priority first, in publish order within a priority', async () => {
    const broker = await openBroker();
    const queue = newQueue();
    const sent: [string, number | undefined][] = [
      ['p0-a', 0],
      ['p5-a', 5],
      ['p9-a', 9],
      ['default', undefined],
      ['p9-b', 9],
      ['p5-b', 5],
      ['p0-b', 0],
    ];
    for (const [body, priority] of sent) await broker.publish(queue, body, { priority });
    const inbox = Inbox.acking();
    await broker.consume(queue, inbox.handler(), { prefetch: 1 });

    const deliveries = await inbox.waitFor(sent.length);
    await inbox.settled();
    if (unsetPriority === 'lowest') {
      expect(inbox.bodies).toEqual(['p9-a', 'p9-b', 'p5-a', 'p5-b', 'p0-a', 'default', 'p0-b']);
      expect(deliveries.map((d) => d.priority)).toEqual([9, 9, 5, 5, 0, 0, 0]);
    } else {
      expect(inbox.bodies).toEqual(['p9-a', 'default', 'p9-b', 'p5-a', 'p5-b', 'p0-a', 'p0-b']);
      expect(deliveries.map((d) => d.priority)).toEqual([9, 9, 9, 5, 5, 0, 0]);
    }
  });

  it('holds a delayed message back until its delay has passed', async () => {
    const broker = await openBroker();
    const queue = newQueue();
    const inbox = Inbox.acking();
    await broker.consume(queue, inbox.handler(), { prefetch: 5 });

    const publishedAt = Date.now();
    await broker.publish(queue, 'later', { delayMs: 400 });
    await broker.publish(queue, 'now');

    await inbox.waitFor(2);
    await inbox.settled();
    expect(inbox.bodies).toEqual(['now', 'later']);
    expect(inbox.received[1].at - publishedAt).toBeGreaterThanOrEqual(400 - EARLY_TOLERANCE_MS);
  });

  it('counts delayed messages in size until they are delivered', async () => {
    const broker = await openBroker();
    const queue = newQueue();
    await broker.publish(queue, 'later', { delayMs: 300 });
    await broker.publish(queue, 'now');
    expect(await broker.size(queue)).toBe(2);

    const inbox = Inbox.acking();
    await broker.consume(queue, inbox.handler(), { prefetch: 5 });
    await inbox.waitFor(2);
    await inbox.settled();
    expect(await broker.size(queue)).toBe(0);
  });
}
