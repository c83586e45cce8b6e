import { randomUUID } from 'node:crypto';
import type { MessageHeaders, MessageProperties } from '../../lib/brokers/broker.interface.js';
import { type BrokerCaseContext, Inbox } from './conformance-helpers.js';

const HEADERS: MessageHeaders = {
  task: 'tasks.add',
  retries: 2,
  ignore_result: false,
  eta: null,
  timelimit: [null, 30],
  nested: { a: 'b' },
};
const PROPERTIES: MessageProperties = {
  correlationId: 'c-1',
  replyTo: 'r-1',
  contentType: 'application/json',
  contentEncoding: 'utf-8',
};

/** Conformance cases on headers and properties: delivered unchanged, kept or replaced by a requeue, kept by a dead letter. */
export function headerCases({ openBroker, newQueue }: BrokerCaseContext): void {
  it('delivers headers and properties unchanged, and none when none were set', async () => {
    const broker = await openBroker();
    const queue = newQueue();
    await broker.publish(queue, 'with', { headers: HEADERS, properties: PROPERTIES });
    await broker.publish(queue, 'without');
    const inbox = Inbox.acking();
    await broker.consume(queue, inbox.handler(), { prefetch: 1 });
    const [withMeta, without] = await inbox.waitFor(2);
    await inbox.settled();
    expect(withMeta.headers).toEqual(HEADERS);
    expect(withMeta.properties).toEqual(PROPERTIES);
    expect(without.headers).toEqual({});
    expect(without.properties).toEqual({});
  });

  it('keeps headers and properties on a requeue, and replaces them when given', async () => {
    const broker = await openBroker();
    const queue = newQueue();
    await broker.publish(queue, 'm', { headers: HEADERS, properties: PROPERTIES });
    const replaced = { ...HEADERS, retries: 3 };
    const inbox = new Inbox((d) => {
      if (d.deliveryCount === 1) return d.requeue();
      if (d.deliveryCount === 2) return d.requeue({ body: 'm2', headers: replaced });
      return d.ack();
    });
    await broker.consume(queue, inbox.handler(), { prefetch: 1 });
    const [, kept, changed] = await inbox.waitFor(3);
    await inbox.settled();
    expect([kept.headers, kept.properties]).toEqual([HEADERS, PROPERTIES]);
    expect([changed.body, changed.headers, changed.properties]).toEqual(['m2', replaced, PROPERTIES]);
  });

  it('keeps the headers and properties of a dead letter', async () => {
    const broker = await openBroker();
    const queue = newQueue();
    const messageId = randomUUID();
    await broker.publish(queue, 'undecodable', { messageId, headers: HEADERS, properties: PROPERTIES });
    const inbox = new Inbox((d) => d.deadLetter('cannot decode'));
    await broker.consume(queue, inbox.handler(), { prefetch: 1 });
    await inbox.waitFor(1);
    await inbox.settled();
    const [letter] = await broker.deadLetters(queue);
    expect(letter).toMatchObject({
      messageId,
      body: 'undecodable',
      reason: 'cannot decode',
      headers: HEADERS,
      properties: PROPERTIES,
    });
  });
}
